"""Sign-off: the analyst's decision on a region's year, mailed to the region's contacts,
and the regions' explanations of plausibility warnings. The rules (what may be
accepted, when) are the lifecycle's; this module adds the portal's words and mail."""

from __future__ import annotations

from typing import Any

from pipelines.contract.i18n import LANGUAGES
from pipelines.portal.services import contacts_by_language, plausibility_rules, schema
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


def review_mail(done: Review, lang: str, portal_url: str) -> tuple[str, str]:
    """Subject and body of the decision for a reader of `lang`: the frame in their
    language first with the analyst's message once (it is written in one language),
    then the frame in the other languages, pointing to the message above."""
    from pipelines.portal.texts import t

    def frame(in_lang: str) -> str:
        region = schema().codelists["regions"].label(done.region_code, in_lang)
        return t(f"mail_body_{done.state}", in_lang, year=done.year, region=region, url=portal_url)

    first = [frame(lang)]
    if done.message:
        first += ["", t("mail_message_label", lang), done.message]
    others = [
        f"{frame(other)} {t('mail_message_above', other)}" if done.message else frame(other)
        for other in LANGUAGES
        if other != lang
    ]
    body = "\n".join(first) + "\n\n" + "-" * 40 + "\n\n" + "\n\n".join(others) + "\n"
    return t(f"mail_subject_{done.state}", lang, year=done.year), body


def mail_review(done: Review, portal_url: str) -> int:
    """The decision to every active contact of the region, one message per language of
    their accounts; returns how many were sent to."""
    from django.core.mail import send_mail

    sent = 0
    for lang, to in sorted(contacts_by_language(done.region_code).items()):
        subject, body = review_mail(done, lang, portal_url)
        send_mail(subject, body, None, to)
        sent += len(to)
    return sent


def mail_configured() -> bool:
    """Whether the portal was given a mail server (`EVSTATS_SMTP_HOST`): without one it
    tries the local host's port 25, which on most machines answers nothing."""
    from django.conf import settings

    return bool(settings.MAIL_CONFIGURED)


def explain(
    submission: Submission, rule: str, row: int | None, reason: str, text: str, user: object
) -> tuple[Explanation, bool]:
    """Keep the region's answer; also whether personal data was masked out of its text
    (the region is told, as what it reads back differs from what it typed)."""
    explanation = register_review.explain(
        submission,
        rule,
        row,
        reason,
        text,
        user,
        set(schema().codelists["explanation_reasons"].codes),
        plausibility_rules(),
    )
    return explanation, explanation.text != text.strip()
