"""How the GX audit reports a disagreement, and how its worker takes the files (the
worker process itself runs in the integration tests)."""

from pathlib import Path

import pytest

from pipelines.contract.issues import Issue
from pipelines.settings import DEFAULT_LIMITS
from pipelines.validate import gx_audit
from pipelines.validate.gx_audit import Audit, AuditFile, Worker
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import TODAY
from tests.unit.validate.test_validation import GOOD_ROW, incidents, row

CODE = Issue("error", 3, "incident_type", "kick", "code", "not a code")
TIME = Issue("error", 2, "incident_time", "25:00", "time_format", "not a time")


def audit(
    ours: list[list[Issue]],
    gx: list[list[Issue]] | None,
    error: str | None = None,
    counted: tuple[list[dict[str, int]], list[dict[str, int]]] | None = None,
):
    """An audit of `ours` against GX's `gx`, with `counted` the issues past the limit of
    each file (the verdict's, GX's), none by default."""
    ours_counted, gx_counted = counted or ([{} for _ in ours], [{} for _ in ours])
    found = None if gx is None else list(zip(gx, gx_counted, strict=True))
    worker = Worker(process=None, conn=None, done={1: (found, error)})
    return Audit([f"f{i}.csv" for i in range(len(ours))], ours, worker, 1, ours_counted)


def test_agreement_lists_nothing():
    assert audit([[TIME, CODE], []], [[TIME, CODE], []]).disagreements() == []


def test_each_side_of_a_disagreement_is_named_with_the_first_cell():
    found = audit([[TIME], [TIME, CODE]], [[TIME, CODE], [TIME]]).disagreements()
    assert found == [
        "f0.csv: GX only: row 3, incident_type, code",
        "f1.csv: verdict only: row 3, incident_type, code",
    ]


def test_a_repeated_issue_is_a_disagreement_too():
    found = audit([[TIME, TIME]], [[TIME]]).disagreements()
    assert found == ["f0.csv: the same issues, listed a different number of times"]


def test_an_error_in_the_worker_is_raised_not_taken_for_agreement():
    with pytest.raises(RuntimeError, match="KeyError"):
        audit([[TIME]], None, "Traceback ... KeyError: 'x'").disagreements()


def test_a_difference_past_the_issues_kept_is_a_disagreement_too():
    """Both keep the same first issues, but GX counts one error more past them."""
    found = audit([[TIME]], [[TIME]], counted=([{"error": 4}], [{"error": 5}])).disagreements()
    assert found == ["f0.csv: past the issues kept, verdict {'error': 4}, GX {'error': 5}"]


def test_the_same_count_past_the_issues_kept_agrees():
    assert audit([[TIME]], [[TIME]], counted=([{"error": 4}], [{"error": 4}])).disagreements() == []


def test_the_worker_audits_a_batch_at_a_time_with_each_files_own_issues(
    schema, tmp_path, monkeypatch
):
    """With a budget of one byte every file is a batch of its own: GX's issues are still
    each file's, in the files' order, as the verdict of all files at once gives them."""
    texts = {
        "good.csv": incidents(GOOD_ROW),
        "bad_time.csv": incidents(GOOD_ROW, row(incident_id="X2", incident_time="25:00")),
        "bad_code.csv": incidents(row(incident_type="kick")),
    }
    files = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(AuditFile(name, str(tmp_path / name), "05", 2023))
    whole = validate_files(
        [SubmissionFile(f.name, Path(f.path).read_bytes(), "05", 2023) for f in files],
        schema,
        lang="en",
        today=TODAY,
    )
    monkeypatch.setattr(gx_audit, "BATCH_BYTES", 1)
    found = gx_audit._audit(files, schema, "en", TODAY, DEFAULT_LIMITS)
    assert [issues for issues, _ in found] == [v.issues for v in whole]
    assert [[i.rule for i in issues] for issues, _ in found] == [[], ["time_format"], ["code"]]
