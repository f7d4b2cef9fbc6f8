"""The analyst's sign-off and the regions' answers: reviews, explanations, and whether a
year may be released, each change of state through the lifecycle."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from pipelines.contract.privacy import mask_personal_data
from pipelines.register import lifecycle
from pipelines.register.models import Explanation, RegionYear, Review, Submission
from pipelines.register.receipts import in_force, lock_region_year


def states(year: int, db: str = "default") -> dict[str, str]:
    """Region → its year's state; a region that never sent anything is `open`."""
    return dict(RegionYear.objects.using(db).filter(year=year).values_list("region_code", "state"))


def state_of(year: int, region_code: str, db: str = "default") -> str:
    return states(year, db).get(region_code, lifecycle.OPEN)


def current_review(region_code: str, year: int, db: str = "default") -> Review | None:
    """The analyst's word that stands: the latest review while the region's year is
    accepted or returned (a receipt that changed what is in force since undoes it)."""
    if state_of(year, region_code, db) not in (lifecycle.ACCEPTED, lifecycle.RETURNED):
        return None
    return Review.objects.using(db).filter(region_code=region_code, year=year).first()


def warnings_to_explain(submission: Submission, rules: set[str]) -> list[dict[str, Any]]:
    """The file's plausibility warnings (`rules` names them): figures far from the
    region's earlier years, which the region explains or corrects."""
    return [i for i in submission.issues if i["rule"] in rules]


def unexplained(submission: Submission, rules: set[str]) -> list[dict[str, Any]]:
    done = {(e.rule, e.row) for e in submission.explanations.all()}
    return [i for i in warnings_to_explain(submission, rules) if (i["rule"], i["row"]) not in done]


def decide(
    region_code: str,
    year: int,
    state: str,
    message: str,
    analyst: object,
    rules: set[str],
    db: str = "default",
) -> Review:
    """The analyst accepts the region's year or returns it, as the lifecycle allows:
    acceptance needs data in force and every plausibility warning on it explained."""
    event = {Review.ACCEPTED: "accept", Review.RETURNED: "return"}[state]
    with transaction.atomic(using=db):
        region_year = lock_region_year(year, region_code, db)
        files = in_force(year, db).get(region_code, {})
        if event == "accept":
            lifecycle.check_accept(files, sum(len(unexplained(f, rules)) for f in files.values()))
        region_year.state = lifecycle.advance("region_year", region_year.state, event)
        region_year.changed_at = timezone.now()
        region_year.save(using=db)
        return Review.objects.using(db).create(
            region_code=region_code,
            year=year,
            state=state,
            message=mask_personal_data(message.strip()),
            reviewed_by=analyst,
            reviewed_at=region_year.changed_at,
        )


def explain(
    submission: Submission,
    rule: str,
    row: int | None,
    reason: str,
    text: str,
    user: object,
    reasons: set[str],
    rules: set[str],
    db: str = "default",
) -> Explanation:
    """Keep the region's answer to one warning; the text is masked like any text a
    region sends, as it may be read in pages and the report's quality section."""
    if reason not in reasons:
        raise ValueError(f"unknown reason {reason!r}")
    if not any(
        i["rule"] == rule and i["row"] == row for i in warnings_to_explain(submission, rules)
    ):
        raise ValueError(f"no {rule} warning at row {row} in this file")
    explanation, _ = Explanation.objects.using(db).update_or_create(
        submission=submission,
        rule=rule,
        row=row,
        defaults={
            "reason": reason,
            "text": mask_personal_data(text.strip()),
            "explained_by": user,
            "explained_at": timezone.now(),
        },
    )
    return explanation


def explanations_in_force(year: int, db: str = "default") -> list[dict[str, Any]]:
    """The regions' answers to the warnings on the files in force: what the report's
    quality section quotes (reason codes; the text is never published)."""
    found = []
    for region, files in sorted(in_force(year, db).items()):
        for kind, sub in sorted(files.items()):
            found += [
                {
                    "region_code": region,
                    "kind": kind,
                    "sha256": sub.sha256,
                    "rule": e.rule,
                    "row": e.row,
                    "reason": e.reason,
                    "text": e.text,
                }
                for e in sub.explanations.all()
            ]
    return found


def release_blockers(year: int, db: str = "default") -> list[str]:
    """The regions with data in force whose year is not accepted; raises Blocked when
    nothing at all is in force."""
    held = sorted(in_force(year, db))
    try:
        lifecycle.check_release(states(year, db), held)
    except lifecycle.Blocked as blocked:
        if blocked.key == "release_blocked":
            return str(blocked.params["regions"]).split(", ")
        raise
    return []
