"""The verdict given at receipt is the verdict: every file of the corpus received as
`evstats submit` receives it, then a run judges each again and must agree."""

from __future__ import annotations

import dagster as dg
import duckdb
import yaml

from pipelines.contract.schema import load_schema
from pipelines.definitions import JOB_NAME, build_defs
from pipelines.register.db import connect
from pipelines.settings import Settings
from pipelines.validate.receipt import judge, judged
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


def test_the_run_gives_every_corpus_file_the_verdict_of_its_receipt(tmp_path):
    settings = Settings(data_dir=str(tmp_path), report_languages=("fi",))
    db = connect(settings)
    from pipelines.register.receipts import receive

    schema = load_schema()
    given = {}
    for case in MANIFEST:
        data = (CORPUS / case["file"]).read_bytes()
        verdict = judge(
            case["file"], data, case["region"], case["year"], schema, settings, "fi", db=db
        )
        receipt = receive(
            settings,
            case["year"],
            case["region"],
            data,
            judged(verdict, schema, "fi"),
            "cli",
            db=db,
        )
        given[receipt.id] = (case["file"], case["accepted"], receipt.accepted)
    assert all(expected == received for _, expected, received in given.values())

    result = (
        build_defs(settings)
        .resolve_job_def(JOB_NAME)
        .execute_in_process(partition_key="2023", raise_on_error=False)
    )
    [agree] = [
        c for c in result.get_asset_check_evaluations()
        if c.check_name == "verdicts_agree_with_receipts"
    ]  # fmt: skip
    assert agree.passed, agree.metadata
    assert agree.severity == dg.AssetCheckSeverity.ERROR
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        statuses = dict(con.execute("SELECT submission_id, status FROM submissions").fetchall())
    assert statuses == {
        sid: "accepted" if accepted else "rejected" for sid, (_, _, accepted) in given.items()
    }


def test_a_receipt_whose_verdict_the_run_does_not_confirm_fails_the_run(tmp_path):
    """Should a receipt's stored verdict and the run's ever differ (a bug, a hand edit),
    the run stops before anything is published from it."""
    settings = Settings(data_dir=str(tmp_path), report_languages=("fi",))
    db = connect(settings)
    from pipelines.register.models import Submission
    from pipelines.register.receipts import receive

    schema = load_schema()
    data = (CORPUS / "canonical.csv").read_bytes()
    verdict = judge("canonical.csv", data, "05", 2023, schema, settings, "fi", db=db)
    receipt = receive(settings, 2023, "05", data, judged(verdict, schema, "fi"), "cli", db=db)
    Submission.objects.using(db).filter(id=receipt.id).update(issues=[
        {"severity": "warning", "rule": "made_up", "row": 2, "column": "x", "value": None,
         "message": "edited by hand"},
    ])  # fmt: skip
    result = (
        build_defs(settings)
        .resolve_job_def(JOB_NAME)
        .execute_in_process(partition_key="2023", raise_on_error=False)
    )
    [agree] = [
        c for c in result.get_asset_check_evaluations()
        if c.check_name == "verdicts_agree_with_receipts"
    ]  # fmt: skip
    assert not agree.passed
    assert not settings.tables_dir(2023).exists()  # the blocking check stopped the run
