"""A file's verdict, and its receipt in the register.

The verdict is `validate.receipt.judge`, exactly as `evstats validate`, `evstats
submit` and the run's folder step give it. A submitted file is received by the
register (`register.receipts.receive`): archived first, then its receipt committed
with its place in the lifecycle. A database or disk that fails on the way is a
refusal the region can read (503, 507), and leaves no receipt without its file.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import UTC

from django.db import DatabaseError

from pipelines.contract.issues import render
from pipelines.portal.services import Refused, ensure_open, evstats, schema
from pipelines.register.models import Submission
from pipelines.register.receipts import receive, stored_path
from pipelines.validate.receipt import judge, judged
from pipelines.validate.verdict import Verdict

# What the reader refuses before any rule: neither text nor a workbook, or a workbook
# that would unpack beyond the limits. Such files are answered, never kept.
REFUSED_RULES = frozenset({"binary_file", "workbook_too_large"})


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def too_large() -> Refused:
    return Refused(413, "upload_too_large", limit=evstats().max_file_mb)


def check(upload: Upload, region_code: str, year: int, lang: str) -> Verdict:
    """The verdict of a file, nothing stored. Anything that is neither text nor a
    workbook is refused here rather than judged, so it is never received."""
    if len(upload.data) > evstats().limits.max_bytes:
        raise too_large()
    try:
        verdict = judge(upload.name, upload.data, region_code, year, schema(), evstats(), lang)
    except DatabaseError:
        raise Refused(503, "register_unavailable") from None
    refusal = next((i for i in verdict.issues if i.rule in REFUSED_RULES), None)
    if refusal is not None:
        raise Refused(415, "not_a_submission_file", text=refusal.message)
    return verdict


def submit(
    upload: Upload,
    region_code: str,
    year: int,
    lang: str,
    channel: str,
    *,
    user: object | None = None,
    token: object | None = None,
) -> tuple[Submission, Verdict]:
    """Judge the file, then receive it: its receipt says whether it took force, changed
    nothing (the bytes in force already) or repeats an earlier receipt."""
    ensure_open(year)
    verdict = check(upload, region_code, year, lang)
    try:
        submission = receive(
            evstats(),
            year,
            region_code,
            upload.data,
            judged(verdict, schema(), lang),
            channel,
            user=user,
            token=token,
        )
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise Refused(507, "storage_full") from None
        raise Refused(503, "register_unavailable") from None
    except DatabaseError as exc:
        # SQLite says a full disk as an operational error of its own.
        if "disk is full" in str(exc) or "No space left" in str(exc):
            raise Refused(507, "storage_full") from None
        raise Refused(503, "register_unavailable") from None
    return submission, verdict


# The rows up to which a check's answer carries the annotated copy. A region's file has
# tens of rows, a missions file twelve; the copy of 1,000 rows with 500 issues takes about
# a second, of 20,000 rows most of a minute, too long to add to every check of such a
# file, whose copy its receipt then offers.
CHECKED_COPY_MAX_ROWS = 2000


def annotated_copy(data: bytes, verdict: Verdict, lang: str) -> bytes:
    """The file as an XLSX workbook with the verdict's issues marked in it, in `lang`."""
    from pipelines.validate.annotate import annotated_workbook  # openpyxl: only when asked

    return annotated_workbook(data, verdict, schema(), lang, evstats().limits)


def stored_file(submission: Submission) -> bytes:
    """The bytes a receipt stands for, exactly as sent."""
    return stored_path(evstats(), submission).read_bytes()


def submission_json(submission: Submission, lang: str) -> dict[str, object]:
    """A receipt as the API gives it; `issues` as `evstats validate --format json` gives
    them, each message rendered in `lang` from the rule and parameters the register keeps.
    `in_force` is whether the pipeline has published the file (null before a run looked
    at it); `state` is its place in the lifecycle and `repeats` the earlier receipt of
    the same bytes."""
    return {
        "submission_id": submission.id,
        "file": submission.file_name,
        "kind": submission.kind,
        "region_code": submission.region_code,
        "year": submission.year,
        "accepted": submission.accepted,
        "status": submission.status,
        "state": submission.state,
        "repeats": submission.repeats_id,
        "sha256": submission.sha256,
        "received_at": submission.received_at.astimezone(UTC).isoformat(),
        "in_force": submission.published,
        "issues": [render(schema(), i, lang).as_dict() for i in submission.issues],
    }
