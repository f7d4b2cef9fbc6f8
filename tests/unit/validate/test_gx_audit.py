"""What GX's audit is shown (the evidence of the verdicts' suite runs) and how it reports
a disagreement (the worker process itself runs in the integration tests)."""

import pytest

from pipelines.validate import gx_audit
from pipelines.validate.gx_audit import Audit, Worker
from pipelines.validate.suite import Evidence
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import GOOD_ROW, TODAY
from tests.unit.validate.test_validation import incidents, row

SECRET = "Matti Meikäläinen lyöty"


def verdicts(schema):
    """Three files of region 05, 2023: good, a time that is not one on row 3, an incident
    type that is not a code on row 2 (rows count the header as row 1)."""
    texts = {
        "good.csv": incidents(GOOD_ROW, row(incident_id="X2", description=SECRET)),
        "bad_time.csv": incidents(GOOD_ROW, row(incident_id="X2", incident_time="25:00")),
        "bad_code.csv": incidents(row(incident_type="kick")),
    }
    files = [SubmissionFile(name, text.encode(), "05", 2023) for name, text in texts.items()]
    return validate_files(
        files, schema, lang="en", today=TODAY, evaluator="polars", keep_evidence=True
    )


def expectation(evidence: Evidence, rule: str, column: str) -> int:
    [index] = [
        i
        for i, e in enumerate(evidence.expectations)
        if e.meta["rule"] == rule and e.meta["column"] == column
    ]
    return index


def test_the_files_of_a_batch_share_one_evidence_with_the_values_their_verdicts_failed(schema):
    judged = verdicts(schema)
    job = gx_audit.audit_job(judged)
    [evidence] = job.evidence
    assert job.files == 3 and evidence.files == ("good.csv", "bad_time.csv", "bad_code.csv")
    code = expectation(evidence, "code", "incident_type")
    # Two distinct types: "verbal" (first in good.csv) and "kick", which failed.
    assert evidence.domains[code].height == 2
    [failed] = evidence.failed[code]
    assert evidence.where(code, failed) == ("bad_code.csv", 2)
    time = expectation(evidence, "time_format", "incident_time")
    assert [evidence.where(time, r) for r in evidence.failed[time]] == [("bad_time.csv", 3)]


def test_a_rule_on_lengths_is_shown_a_stand_in_never_the_regions_words(schema):
    [evidence] = gx_audit.audit_job(verdicts(schema)).evidence
    values = [v for d in evidence.domains for c in d.columns for v in d.get_column(c).to_list()]
    assert SECRET not in values and "X1" not in values and "X2" not in values
    length = expectation(evidence, "text_too_long", "description")
    assert "x" * len(SECRET) in evidence.domains[length].get_column("description").to_list()


def test_gx_fails_the_same_values_as_the_verdicts(schema):
    """The audit itself, in this process: GX's verdict of every domain value."""
    from pipelines.validate.gx_suite import evaluate

    [evidence] = gx_audit.audit_job(verdicts(schema)).evidence
    found = evaluate(evidence.kind, list(evidence.expectations), list(evidence.domains))
    assert found == list(evidence.failed)
    assert sum(len(f) for f in found) == 2


def audit_of(schema, gx: list[tuple[int, ...]] | None, error: str | None = None) -> Audit:
    """An audit of the verdicts' evidence against a worker that answered `gx`."""
    job = gx_audit.audit_job(verdicts(schema))
    worker = Worker(process=None, conn=None, done={1: (None if gx is None else [gx], error)})
    return Audit(job.evidence, worker, 1)


def test_agreement_lists_nothing(schema):
    [evidence] = gx_audit.audit_job(verdicts(schema)).evidence
    assert audit_of(schema, list(evidence.failed)).disagreements() == []


def test_each_side_of_a_disagreement_is_named_by_file_row_and_column(schema):
    [evidence] = gx_audit.audit_job(verdicts(schema)).evidence
    gx = list(evidence.failed)
    code = expectation(evidence, "code", "incident_type")
    time = expectation(evidence, "time_format", "incident_time")
    gx[code] = ()  # GX passes "kick"
    gx[time] = (*gx[time], 0)  # and fails the first time, "07:05" of good.csv's row 2
    assert sorted(audit_of(schema, gx).disagreements()) == [
        "bad_code.csv: verdict only: row 2, incident_type, code",
        "good.csv: GX only: row 2, incident_time, time_format",
    ]


def test_an_error_in_the_worker_is_raised_not_taken_for_agreement(schema):
    with pytest.raises(RuntimeError, match="KeyError"):
        audit_of(schema, None, "Traceback ... KeyError: 'x'").disagreements()


def test_a_verdict_given_outside_a_run_keeps_no_evidence(schema):
    """The portal's and `evstats validate`'s verdicts are not audited: they skip it."""
    f = SubmissionFile("bad_code.csv", incidents(row(incident_type="kick")).encode(), "05", 2023)
    [verdict] = validate_files([f], schema, lang="en", today=TODAY, evaluator="polars")
    assert verdict.evidence is None and [i.rule for i in verdict.issues] == ["code"]


def test_a_file_rejected_whole_has_no_suite_run_to_audit(schema):
    unreadable = SubmissionFile("empty.csv", b"", "05", 2023)
    [verdict] = validate_files([unreadable], schema, lang="en", today=TODAY, evaluator="polars")
    job = gx_audit.audit_job([verdict])
    assert job.evidence == () and job.files == 0


def test_batches_of_one_suite_are_evaluated_in_one_gx_run(schema, monkeypatch):
    """The files judged in two batches, as the folder's are: two evidence of one suite,
    one GX run, and each gets back exactly the failures of its own values."""
    from pipelines.validate import gx_suite

    files = [
        SubmissionFile(
            "bad_time.csv",
            incidents(GOOD_ROW, row(incident_id="X2", incident_time="25:00")).encode(),
            "05",
            2023,
        ),
        SubmissionFile("bad_code.csv", incidents(row(incident_type="kick")).encode(), "05", 2023),
    ]
    judged = [
        v
        for f in files
        for v in validate_files(
            [f], schema, lang="en", today=TODAY, evaluator="polars", keep_evidence=True
        )
    ]
    evidence = gx_audit.audit_job(judged).evidence
    assert len(evidence) == 2
    runs = []
    evaluate = gx_suite.evaluate
    monkeypatch.setattr(gx_suite, "evaluate", lambda *a: runs.append(a) or evaluate(*a))
    assert gx_audit.evaluate_evidence(evidence) == [list(e.failed) for e in evidence]
    assert len(runs) == 1
    code = expectation(evidence[1], "code", "incident_type")
    assert [evidence[1].where(code, r) for r in evidence[1].failed[code]] == [("bad_code.csv", 2)]
    assert evidence[0].failed[code] == ()
