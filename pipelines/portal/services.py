"""What the portal does with a file, shared by its web pages and its API.

The verdict is `validate_files`, exactly as `evstats validate` calls it; a
submitted file is written into the pipeline's inbox (write, then rename, so a
run never reads half a file) before its receipt is stored, so a failure in
between loses nothing: the pipeline still finds the file. What the pipeline
made of the files is read from the status snapshot it writes after each run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import timezone

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema, load_schema
from pipelines.files import replace_atomically
from pipelines.portal.models import ApiToken, Explanation, Review, Submission, User
from pipelines.settings import FIRST_YEAR, Settings
from pipelines.settings import today as finland_today
from pipelines.validate.verdict import SubmissionFile, Verdict, validate_files
from pipelines.warehouse.history import read_history
from pipelines.warehouse.snapshot import read_status, write_status

KINDS = ("incidents", "missions")
# What the reader refuses before any rule: neither text nor a workbook, or a workbook
# that would unpack beyond the limits. Such files are answered, never kept.
REFUSED_RULES = frozenset({"binary_file", "workbook_too_large"})


class Refused(Exception):
    """An upload the portal does not take, with the HTTP status that says why and the
    key of its message in `schemas/portal.yaml`."""

    def __init__(self, status: int, key: str, text: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.text = text
        self.params = params


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@cache
def schema() -> Schema:
    return load_schema()


def evstats() -> Settings:
    return django_settings.EVSTATS


def regions() -> dict[str, str]:
    """Region codes in the order of the published tables, with their Finnish names."""
    return {code: labels["fi"] for code, labels in schema().codelists["regions"].codes.items()}


def default_year() -> int:
    """The year being collected: the previous calendar year until its hard close, then
    the current one (whose collection runs into the next year)."""
    today = finland_today()
    _, close = evstats().collection_dates(today.year - 1)
    return today.year - 1 if today <= close else today.year


def parse_year(value: str | None) -> int:
    if not value:
        raise Refused(400, "year_missing")
    try:
        year = int(value)
    except ValueError:
        raise Refused(400, "year_invalid", year=value, first=FIRST_YEAR) from None
    if not FIRST_YEAR <= year <= finland_today().year:
        raise Refused(400, "year_invalid", year=value, first=FIRST_YEAR)
    return year


def ensure_open(year: int) -> None:
    """After the hard close the year's figures are being published: no more uploads."""
    _, close = evstats().collection_dates(year)
    if finland_today() > close:
        raise Refused(409, "collection_closed", year=year, close=close)


def too_large() -> Refused:
    return Refused(413, "upload_too_large", limit=evstats().max_file_mb)


def check(upload: Upload, region_code: str, year: int, lang: str) -> Verdict:
    """The verdict of a file, nothing stored. Anything that is neither text nor a
    workbook is refused here rather than judged, so it never reaches the inbox."""
    if len(upload.data) > evstats().limits.max_bytes:
        raise too_large()
    name = mask_personal_data(upload.name)
    verdict = validate_files(
        [SubmissionFile(name, upload.data, region_code, year)],
        schema(),
        lang=lang,
        today=finland_today(),
        limits=evstats().limits,
        evaluator="polars",
        history=read_history(evstats().history_path),
        plausibility=evstats().plausibility,
    )[0]
    refusal = next((i for i in verdict.issues if i.rule in REFUSED_RULES), None)
    if refusal is not None:
        raise Refused(415, "not_a_submission_file", text=refusal.message)
    return verdict


def submit(
    upload: Upload,
    region_code: str,
    year: int,
    lang: str,
    *,
    user: User | None = None,
    token: ApiToken | None = None,
) -> tuple[Submission, Verdict]:
    ensure_open(year)
    verdict = check(upload, region_code, year, lang)
    digest = hashlib.sha256(upload.data).hexdigest()
    received = timezone.now()
    suffix = ".xlsx" if verdict.encoding == "xlsx" else ".csv"
    stored = f"{received.astimezone(UTC):%Y%m%dT%H%M%S%f}Z_{digest[:16]}{suffix}"
    replace_atomically(
        inbox_path(year, region_code, stored), lambda tmp: tmp.write_bytes(upload.data)
    )
    submission = Submission.objects.create(
        region_code=region_code,
        year=year,
        kind=verdict.kind,
        file_name=verdict.file,
        stored_name=stored,
        sha256=digest,
        size_bytes=len(upload.data),
        rows=verdict.rows,
        received_at=received,
        accepted=verdict.accepted,
        errors=verdict.count("fatal") + verdict.count("error"),
        warnings=verdict.count("warning"),
        lang=lang,
        issues=[i.as_dict() for i in verdict.issues],
        headers=verdict.headers,
        submitted_by=user,
        token=token,
    )
    return submission, verdict


def inbox_path(year: int, region_code: str, stored_name: str) -> Path:
    return evstats().inbox / str(year) / region_code / stored_name


def stored_file(submission: Submission) -> bytes:
    """The bytes a receipt stands for: from the inbox, or from the archive once the
    pipeline has taken it there (both keep the exact bytes)."""
    path = inbox_path(submission.year, submission.region_code, submission.stored_name)
    if not path.exists():
        path = (
            evstats().archive
            / str(submission.year)
            / submission.region_code
            / f"{submission.sha256}_{submission.stored_name}"
        )
    return path.read_bytes()


def submission_json(submission: Submission, status: dict | None) -> dict[str, object]:
    """A receipt as the API gives it; `issues` exactly as `evstats validate --format json`."""
    return {
        "submission_id": submission.id,
        "file": submission.file_name,
        "kind": submission.kind,
        "region_code": submission.region_code,
        "year": submission.year,
        "accepted": submission.accepted,
        "status": submission.status,
        "sha256": submission.sha256,
        "received_at": submission.received_at.astimezone(UTC).isoformat(),
        "in_force": in_force(submission, status),
        "issues": submission.issues,
    }


def pipeline_status(year: int) -> dict | None:
    return read_status(evstats().status_path(year))


def last_run(year: int) -> dict | None:
    """How the year's last pipeline run ended, as the pipeline's run sensors wrote it: a
    failed run leaves the status snapshot as it was, so the analyst must be told here."""
    return read_status(evstats().last_run_path(year))


def in_force(submission: Submission, status: dict | None) -> bool | None:
    """Whether the pipeline's last run took this file as the region's data in force;
    None until a run has looked at the year. The caller reads the snapshot once
    (`pipeline_status`), however many receipts it asks about."""
    if status is None:
        return None
    held = status.get("in_force", {}).get(submission.region_code, {}).get(submission.kind or "")
    return bool(held) and held.get("sha256") == submission.sha256


@dataclass
class Cell:
    """One region's one kind of file in the analyst's view of a year."""

    state: str  # missing | rejected | accepted
    last: Submission | None = None
    warnings: int = 0
    in_force: bool | None = None


@dataclass
class RegionRow:
    code: str
    name: str
    cells: dict[str, Cell]


def collection(year: int) -> list[RegionRow]:
    """22 regions × {incidents, missions}: what the portal received, what it accepted,
    and whether the pipeline has the accepted file in force."""
    status = pipeline_status(year)
    latest: dict[tuple[str, str | None], Submission] = {}
    accepted: dict[tuple[str, str | None], Submission] = {}
    for sub in Submission.objects.filter(year=year).order_by("received_at", "id"):
        latest[(sub.region_code, sub.kind)] = sub
        if sub.accepted:
            accepted[(sub.region_code, sub.kind)] = sub
    rows = []
    for code, name in regions().items():
        cells = {}
        for kind in KINDS:
            ok = accepted.get((code, kind))
            last = latest.get((code, kind))
            if ok is not None:
                cells[kind] = Cell("accepted", last, ok.warnings, in_force(ok, status))
            elif last is not None:
                cells[kind] = Cell("rejected", last)
            else:
                unreadable = latest.get((code, None))
                cells[kind] = Cell("rejected" if unreadable else "missing", unreadable)
        rows.append(RegionRow(code, name, cells))
    return rows


def contacts(region_code: str) -> list[str]:
    return sorted(
        User.objects.filter(
            region_code=region_code, role=User.SUBMITTER, is_active=True
        ).values_list("email", flat=True)
    )


def current_review(region_code: str, year: int) -> Review | None:
    """The analyst's latest word on the region's year, if no file came in after it."""
    review = Review.objects.filter(region_code=region_code, year=year).first()
    if review is None:
        return None
    later = Submission.objects.filter(
        region_code=region_code, year=year, received_at__gt=review.reviewed_at
    )
    return None if later.exists() else review


def review(region_code: str, year: int, state: str, message: str, analyst: User) -> Review:
    """Record the analyst's word. Mailing it is a separate step (`mail_review`), so that
    a mail server that is down never loses the decision."""
    done = Review.objects.create(
        region_code=region_code,
        year=year,
        state=state,
        message=mask_personal_data(message.strip()),
        reviewed_by=analyst,
        reviewed_at=timezone.now(),
    )
    export_signoff(year)
    return done


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


def warnings_to_explain(submission: Submission) -> list[dict]:
    """The file's plausibility warnings: figures far from the region's earlier years,
    which the region explains (or corrects) before the analyst accepts the year."""
    rules = schema().plausibility
    return [i for i in submission.issues if i["rule"] in rules]


def unexplained(submission: Submission) -> list[dict]:
    done = {(e.rule, e.row) for e in submission.explanations.all()}
    return [i for i in warnings_to_explain(submission) if (i["rule"], i["row"]) not in done]


def explain(
    submission: Submission, rule: str, row: int | None, reason: str, text: str, user: User
) -> Explanation:
    """Keep the region's answer to one warning; the text is masked like any text a
    region sends, as it may be read in pages and the report's quality section."""
    if reason not in schema().codelists["explanation_reasons"].codes:
        raise ValueError(f"unknown reason {reason!r}")
    if not any(i["rule"] == rule and i["row"] == row for i in warnings_to_explain(submission)):
        raise ValueError(f"no {rule} warning at row {row} in this file")
    explanation, _ = Explanation.objects.update_or_create(
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
    export_signoff(submission.year)
    return explanation


def files_in_review(region_code: str, year: int) -> list[Submission]:
    """What the analyst signs off: the latest accepted file of each kind (the one the
    pipeline takes in force)."""
    latest = []
    for kind in KINDS:
        found = Submission.objects.filter(
            region_code=region_code, year=year, kind=kind, accepted=True
        ).first()
        if found is not None:
            latest.append(found)
    return latest


def export_signoff(year: int) -> None:
    """Write the year's reviews and explanations where the pipeline reads them (it never
    opens this database): after every decision and every explanation, atomically."""
    reviews = {}
    explanations = []
    for code in regions():
        done = current_review(code, year)
        if done is not None:
            reviews[code] = {
                "state": done.state,
                "reviewed_at": done.reviewed_at.astimezone(UTC).isoformat(timespec="seconds"),
                "message": done.message,
            }
        for sub in files_in_review(code, year):
            explanations += [
                {
                    "region_code": code,
                    "kind": sub.kind,
                    "sha256": sub.sha256,
                    "rule": e.rule,
                    "row": e.row,
                    "reason": e.reason,
                    "text": e.text,
                }
                for e in sub.explanations.all()
            ]
    write_status(
        evstats().signoff_path(year),
        {"year": year, "reviews": reviews, "explanations": explanations},
    )


def release_state(year: int) -> dict[str, object]:
    """Whether the year can be released (every region with data in force accepted), and
    what became of the last request: the portal asks, the pipeline's sensor releases."""
    status = pipeline_status(year) or {"in_force": {}}
    in_force = sorted(status["in_force"])
    waiting = [code for code in in_force if not _accepted(code, year)]
    request = read_status(evstats().release_request_path(year))
    return {
        "in_force": in_force,
        "waiting": waiting,
        "ready": bool(in_force) and not waiting,
        "requested": request,
        "outcome": read_status(evstats().release_outcome_path(year)),
    }


def _accepted(region_code: str, year: int) -> bool:
    done = current_review(region_code, year)
    return done is not None and done.state == Review.ACCEPTED


def request_release(year: int, note: str) -> None:
    """Leave the request where the daemon's sensor finds it; the release itself is made
    by the pipeline, which checks the sign-off again."""
    request = {
        "year": year,
        "note": mask_personal_data(note.strip()),
        "date": finland_today().isoformat(),
        "requested_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
    }
    write_status(evstats().release_request_path(year), request)
