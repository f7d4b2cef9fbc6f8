"""How the GX audit reports a disagreement (the worker itself runs in the integration tests)."""

import pytest

from pipelines.contract.issues import Issue
from pipelines.validate.gx_audit import Audit, Worker

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
