"""Sign-off: the analyst's decision on a region's year, mailed to the region's contacts,
and the regions' explanations of plausibility warnings. The rules (what may be
accepted, when) are the lifecycle's; this module adds the portal's words and mail."""

from __future__ import annotations

from typing import Any

from pipelines.contract.i18n import LANGUAGES
from pipelines.portal.services import contacts, plausibility_rules, regions, schema
from pipelines.register import review as register_review
from pipelines.register.models import Explanation, Review, Submission
from pipelines.register.receipts import in_force


def current_review(region_code: str, year: int) -> Review | None:
    return register_review.current_review(region_code, year)


def files_in_review(region_code: str, year: int) -> list[Submission]:
    """What the analyst signs off: the files in force of the region's year."""
    files = in_force(year).get(region_code, {})
    return [files[k] for k in sorted(files)]


def warnings_to_explain(submission: Submission) -> list[dict[str, Any]]:
    return register_review.warnings_to_explain(submission, plausibility_rules())


def unexplained(submission: Submission) -> list[dict[str, Any]]:
    return register_review.unexplained(submission, plausibility_rules())


def decide(region_code: str, year: int, state: str, message: str, analyst: object) -> Review:
    """Record the analyst's word (the lifecycle may refuse it: `lifecycle.Blocked`,
    `lifecycle.IllegalTransition`). Mailing it is a separate step (`mail_review`), so
    that a mail server that is down never loses the decision."""
    return register_review.decide(region_code, year, state, message, analyst, plausibility_rules())


def mail_review(done: Review, portal_url: str) -> int:
    """The decision to every active contact of the region, in Finnish, Swedish and
    English (a contact's language is not known); returns how many were sent to."""
    from django.core.mail import send_mail

    from pipelines.portal.texts import t

    to = contacts(done.region_code)
    if not to:
        return 0
    name = regions().get(done.region_code, done.region_code)
    params = {"year": done.year, "region": name, "message": done.message, "url": portal_url}
    subject = " / ".join(t(f"mail_subject_{done.state}", lang, **params) for lang in LANGUAGES)
    body = "\n\n".join(t(f"mail_body_{done.state}", lang, **params) for lang in LANGUAGES)
    send_mail(subject, body, None, to)
    return len(to)


def explain(
    submission: Submission, rule: str, row: int | None, reason: str, text: str, user: object
) -> Explanation:
    return register_review.explain(
        submission,
        rule,
        row,
        reason,
        text,
        user,
        set(schema().codelists["explanation_reasons"].codes),
        plausibility_rules(),
    )
