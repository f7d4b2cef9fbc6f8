"""The whole asset graph on a hand-made year (tests/fixtures/README.md has the hand count)."""

import csv
import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import frictionless
import openpyxl
import pytest
from pyaxis import pyaxis

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.register.db import connect
from pipelines.settings import Settings
from tests.conftest import FIXTURES, INCIDENT_HEADER

NOT_SUBMITTED = {f"{n:02d}" for n in [2, 3, 4, *range(8, 20), 21]}


def run(settings: Settings, year: str = "2023"):
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    return job.execute_in_process(partition_key=year, raise_on_error=False)


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(FIXTURES / "inbox", root / "inbox")
    settings = Settings(report_languages=("fi",), data_dir=str(root))
    assert run(settings).success
    return settings


def test_national_table_matches_the_hand_count(settings):
    assert read(settings.tables_dir(2023) / "national.csv") == [
        {
            "year": "2023",
            "incidents": "26",
            "missions": "75000",
            "incidents_per_1000_missions": "0.3467",
            "missions_per_incident": "2884.6",
            "regions_reporting": "4",
        }
    ]


def test_regions_table_with_suppression_flags_and_statuses(settings):
    rows = {r["region_code"]: r for r in read(settings.tables_dir(2023) / "regions.csv")}
    assert list(rows) == [f"{n:02d}" for n in range(1, 22)] + ["90"]

    def cells(code):
        r = rows[code]
        keys = ["incidents", "missions", "incidents_per_1000_missions", "missions_per_incident"]
        return [r[k] for k in keys] + [r["flag"]]

    assert cells("01") == ["", "6000", "", "", "suppressed"]  # 2 incidents
    assert cells("90") == ["", "33000", "", "", "suppressed"]  # complement of 01
    assert cells("05") == ["20", "24000", "0.8333", "1200.0", ""]
    assert cells("07") == ["0", "12000", "0.0000", "", "unreliable"]
    assert cells("06") == ["", "8400", "", "", "incidents_missing"]  # its file was rejected
    assert cells("20") == ["", "1200", "", "", "incidents_missing"]
    assert {c for c, r in rows.items() if r["flag"] == "not_submitted"} == NOT_SUBMITTED
    assert rows["05"]["region_name"] == "Varsinais-Suomen hyvinvointialue"


def test_breakdowns_match_the_hand_count(settings):
    rows = read(settings.tables_dir(2023) / "breakdowns.csv")
    table = {
        (r["dimension"], r["category"]): (r["incidents"], r["percent"], r["flag"]) for r in rows
    }
    assert [v for (d, _), v in table.items() if d == "incident_type"] == [
        ("10", "38.5", ""),
        ("", "", "suppressed"),  # threat_with_weapon: 2
        ("10", "38.5", ""),
        ("", "", "suppressed"),  # physical_serious: 4, the complement
        ("0", "0.0", ""),
        ("0", "0.0", ""),
    ]
    assert table[("month", "3")] == ("20", "76.9", "")
    assert table[("month", "1")][2] == table[("month", "12")][2] == "suppressed"
    # 05: 19 rows "none" and one "sick_leave"; 01 "minor"; 90 "treated".
    assert table[("staff_injury", "none")] == ("19", "73.1", "")
    assert table[("hour", "unknown")] == ("10", "38.5", "")
    dims = list(dict.fromkeys(r["dimension"] for r in rows))
    assert dims[-3:] == ["month", "weekday", "hour"]


def test_rejected_rows_never_reach_the_warehouse(settings):
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        status = con.execute(
            "SELECT region_code, kind, status FROM submissions WHERE region_code = '06' ORDER BY 2"
        ).fetchall()
        issues = con.execute(
            'SELECT "row", "column", rule FROM submission_issues i JOIN submissions s '
            "USING (submission_id) WHERE s.region_code = '06' ORDER BY 1, 2"
        ).fetchall()
        rows_06 = con.execute("SELECT count(*) FROM incidents WHERE region_code = '06'").fetchall()
    assert status == [("06", "incidents", "rejected"), ("06", "missions", "accepted")]
    assert issues == [
        (2, "incident_time", "time_format"),
        (3, "incident_type", "code"),
        (3, "region_code", "region_mismatch"),
    ]
    assert rows_06 == [(0,)]


def receipts(settings: Settings, year: int) -> list[dict]:
    """The register's receipts of a year, as the portal and the API read them."""
    from pipelines.register.models import Submission

    db = connect(settings)
    return list(
        Submission.objects.using(db)
        .filter(year=year)
        .order_by("region_code", "seq")
        .values(
            "id", "region_code", "kind", "file_name", "sha256", "state", "published",
            "accepted", "errors", "warnings", "rows", "channel", "repeats",
        )
    )  # fmt: skip


def test_the_register_holds_the_hand_count(settings):
    """The folder's files are received through the register like any upload: each with a
    receipt, its verdict, its state and whether the run published it."""
    found = receipts(settings, 2023)
    regions = ["01", "01", "05", "05", "06", "06", "07", "07", "20", "90", "90"]
    assert [s["region_code"] for s in found] == regions
    assert {s["channel"] for s in found} == {"folder"}
    assert [s["accepted"] for s in found].count(True) == 10
    [rejected] = [s for s in found if not s["accepted"]]
    assert (rejected["region_code"], rejected["kind"], rejected["state"]) == (
        "06",
        "incidents",
        "rejected",
    )
    assert (rejected["errors"], rejected["warnings"], rejected["rows"]) == (3, 0, 2)
    assert rejected["published"] is False
    rows = {(s["region_code"], s["kind"]): s["rows"] for s in found if s["state"] == "in_force"}
    assert rows == {
        ("01", "incidents"): 2,
        ("01", "missions"): 12,
        ("05", "incidents"): 20,
        ("05", "missions"): 12,
        ("06", "missions"): 12,  # its incidents file was rejected
        ("07", "incidents"): 0,  # header only
        ("07", "missions"): 12,
        ("20", "missions"): 12,
        ("90", "incidents"): 4,
        ("90", "missions"): 11,
    }
    assert all(s["published"] for s in found if s["state"] == "in_force")
    source = (FIXTURES / "inbox" / "2023" / "05" / "incidents.csv").read_bytes()
    [held] = [s for s in found if (s["region_code"], s["kind"]) == ("05", "incidents")]
    assert held["sha256"] == hashlib.sha256(source).hexdigest()


def test_archive_keeps_every_file_unchanged_and_read_only(settings):
    archived = sorted((settings.archive / "2023").rglob("*.csv"))
    assert len(archived) == 11
    source = FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    copy = settings.archive / "2023" / "05" / f"{digest}.csv"  # content-addressed
    assert copy.read_bytes() == source.read_bytes()
    assert not copy.stat().st_mode & 0o222


def test_same_inputs_give_the_same_bytes(settings, tmp_path):
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    again = Settings(report_languages=("fi",), data_dir=str(tmp_path))
    assert run(again).success
    for name in ["national.csv", "regions.csv", "breakdowns.csv", "datapackage.json"]:
        first = (settings.tables_dir(2023) / name).read_bytes()
        assert (again.tables_dir(2023) / name).read_bytes() == first
    for name in ["national.px", "regions.px", "breakdowns.px"]:  # all but when files arrived
        first = (settings.px_dir(2023) / name).read_text(encoding="utf-8").splitlines()
        second = (again.px_dir(2023) / name).read_text(encoding="utf-8").splitlines()
        assert [line for line in second if not line.startswith("CREATION-DATE=")] == [
            line for line in first if not line.startswith("CREATION-DATE=")
        ]


def test_the_hand_counted_year_as_px_files_and_an_open_dataset(settings):
    """The real readers take the pipeline's files: pyaxis reads the hand count, and
    `frictionless validate` passes the tables against their datapackage.json."""
    national = pyaxis.parse(
        str(settings.px_dir(2023) / "national.px"), encoding="utf-8", lang="en"
    )["DATA"]
    assert dict(zip(national["Information"], national["DATA"], strict=True)) == {
        "Incidents": "26",
        "Missions": "75000",
        "Incidents per 1,000 missions": "0.3467",
        "Missions per incident": "2884.6",
        "Areas covered": "4",
    }
    regions = pyaxis.parse(str(settings.px_dir(2023) / "regions.px"), "utf-8", lang="sv")["DATA"]
    helsinki = regions[regions["Område"] == "Helsingfors stad"]
    assert helsinki["DATA"].isna().sum() == 3  # hidden: incidents and both rates
    assert frictionless.validate(str(settings.tables_dir(2023) / "datapackage.json")).valid


def test_resubmissions(tmp_path):
    """The same bytes again change nothing; a rejected resubmission keeps the accepted data
    in force; an accepted one replaces it; the earlier bytes sent again come back into
    force, and the published tables follow each time."""
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    settings = Settings(report_languages=("fi",), data_dir=str(tmp_path))
    assert run(settings).success
    folder = settings.inbox / "2023" / "05"
    shutil.copy(folder / "incidents.csv", folder / "incidents_copy.csv")
    assert run(settings).success
    bad = INCIDENT_HEADER + "\n05-x,05,2023-13-01,,,verbal,patient,none,home,no,no,no,none,,,\n"
    (folder / "incidents_v2.csv").write_text(bad, encoding="utf-8")
    assert run(settings).success
    national = read(settings.tables_dir(2023) / "national.csv")[0]
    assert national["incidents"] == "26"

    good = INCIDENT_HEADER + "\n05-y,05,2023-06-01,,,verbal,patient,none,home,no,no,no,none,,,\n"
    (folder / "incidents_v3.csv").write_text(good, encoding="utf-8")
    assert run(settings).success
    assert read(settings.tables_dir(2023) / "national.csv")[0]["incidents"] == "7"

    # Back to the first file: its bytes again, under another name.
    shutil.copy(folder / "incidents.csv", folder / "incidents_again.csv")
    assert run(settings).success
    assert read(settings.tables_dir(2023) / "national.csv")[0]["incidents"] == "26"
    found = [
        (s["file_name"], s["state"], s["published"], s["repeats"])
        for s in receipts(settings, 2023)
        if (s["region_code"], s["kind"]) == ("05", "incidents")
    ]
    first = next(
        s["id"]
        for s in receipts(settings, 2023)
        if s["file_name"] == "incidents.csv" and s["region_code"] == "05"
    )
    assert found == [
        ("incidents.csv", "superseded", False, None),
        ("incidents_copy.csv", "unchanged", False, first),
        ("incidents_v2.csv", "rejected", False, None),
        ("incidents_v3.csv", "superseded", False, None),
        ("incidents_again.csv", "in_force", True, first),
    ]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        held = con.execute(
            "SELECT file_name FROM submissions_in_force WHERE region_code = '05' "
            "AND kind = 'incidents'"
        ).fetchall()
    assert held == [("incidents_again.csv",)]


def test_a_year_with_no_submissions_publishes_every_region_as_not_submitted(tmp_path):
    settings = Settings(report_languages=("fi",), data_dir=str(tmp_path))
    assert run(settings, "2019").success
    national = read(settings.tables_dir(2019) / "national.csv")[0]
    assert (national["incidents"], national["regions_reporting"]) == ("0", "0")
    regions = read(settings.tables_dir(2019) / "regions.csv")
    assert {r["flag"] for r in regions} == {"not_submitted"}
    assert receipts(settings, 2019) == []


def test_a_year_whose_every_file_was_rejected_has_its_receipts(tmp_path):
    folder = tmp_path / "inbox" / "2022" / "05"
    folder.mkdir(parents=True)
    (folder / "incidents.csv").write_bytes(b"\x00\x01binary\xff" * 10)
    bad = INCIDENT_HEADER + "\n05-x,05,2022-13-01,,,verbal,patient,none,home,no,no,no,none,,,\n"
    # A name holding a phone number is registered and shown masked.
    (folder / "incidents_v2_040 1234567.csv").write_text(bad, encoding="utf-8")
    settings = Settings(report_languages=("fi",), data_dir=str(tmp_path))
    assert run(settings, "2022").success
    found = receipts(settings, 2022)
    assert [(s["file_name"], s["kind"], s["state"], s["published"]) for s in found] == [
        ("incidents.csv", None, "rejected", False),
        ("incidents_v2_040 ****.csv", "incidents", "rejected", False),
    ]
    assert [s["errors"] > 0 for s in found] == [True, True]


def test_finnish_excel_and_excel_utf8_forms_publish_identical_tables(settings, tmp_path):
    """The hand-made year written as Finnish Excel's 'CSV' (Windows-1252, semicolons,
    Finnish headers and labels, 1.3.2023 dates, region 5 for 05) and as 'CSV UTF-8'
    (byte-order mark, semicolons) gives byte-identical tables to the canonical files."""
    for variant in ["fi_excel", "excel_utf8"]:
        shutil.copytree(FIXTURES / "dialects" / variant / "inbox", tmp_path / variant / "inbox")
        other = Settings(report_languages=("fi",), data_dir=str(tmp_path / variant))
        assert run(other).success
        for name in ["national.csv", "regions.csv", "breakdowns.csv"]:
            expected = (settings.tables_dir(2023) / name).read_bytes()
            assert (other.tables_dir(2023) / name).read_bytes() == expected, (variant, name)


def test_workbooks_in_the_inbox_publish_the_tables_of_their_csv_twins(settings, tmp_path):
    """Region 05 sends its two files as workbooks (cells typed by Excel: numbers as
    numbers); the portal names inbox files by content, so they end in `.xlsx`."""
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    for path in sorted((tmp_path / "inbox" / "2023" / "05").glob("*.csv")):
        book = openpyxl.Workbook()
        for record in csv.reader(path.read_text(encoding="utf-8").splitlines()):
            book.active.append([int(v) if v.isdigit() and v[0] != "0" else v for v in record])
        book.save(path.with_suffix(".xlsx"))
        path.unlink()
    other = Settings(report_languages=("fi",), data_dir=str(tmp_path))
    assert run(other).success
    with duckdb.connect(str(other.warehouse), read_only=True) as con:
        kinds = con.execute(
            "SELECT kind, file_name FROM submissions "
            "WHERE region_code = '05' AND status = 'accepted' ORDER BY kind"
        ).fetchall()
    assert kinds == [("incidents", "incidents.xlsx"), ("missions", "missions.xlsx")]
    for name in ["national.csv", "regions.csv", "breakdowns.csv"]:
        expected = (settings.tables_dir(2023) / name).read_bytes()
        assert (other.tables_dir(2023) / name).read_bytes() == expected, name


def test_zero_missions_beside_incidents_is_warned_and_folder_5_means_05(tmp_path):
    folder = tmp_path / "inbox" / "2023" / "5"  # a folder named by Excel habits
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "inbox" / "2023" / "05" / "incidents.csv", folder)
    zero = "region_code,year,month,missions\n" + "".join(f"05,2023,{m},0\n" for m in range(1, 13))
    (folder / "missions.csv").write_text(zero, encoding="utf-8")
    settings = Settings(report_languages=("fi",), data_dir=str(tmp_path), lang="en")
    assert run(settings).success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        warnings = con.execute(
            "SELECT s.region_code, s.kind, i.message FROM submission_issues i "
            "JOIN submissions s USING (submission_id) WHERE i.rule = 'missions_zero_with_incidents'"
        ).fetchall()
    assert warnings == [
        (
            "05",
            "missions",
            "The region's mission total for 2023 is 0 although it has 20 incidents. "
            "No rate can be computed: check the missions file.",
        )
    ]
    row = {r["region_code"]: r for r in read(settings.tables_dir(2023) / "regions.csv")}["05"]
    assert (row["incidents"], row["missions"], row["incidents_per_1000_missions"]) == (
        "20",
        "0",
        "",
    )
    assert run(settings).success  # a second run does not repeat the warning
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        count = con.execute(
            "SELECT count(*) FROM submission_issues WHERE rule = 'missions_zero_with_incidents'"
        ).fetchall()
    assert count == [(1,)]


def _audit(result):
    [evaluation] = [
        c for c in result.get_asset_check_evaluations() if c.check_name == "verdicts_agree_with_gx"
    ]
    return evaluation


def _fixture_year(tmp_path: Path) -> Settings:
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    return Settings(report_languages=("fi",), data_dir=str(tmp_path))


def test_gx_audits_every_new_file_and_agrees(tmp_path):
    result = run(_fixture_year(tmp_path))
    audit = _audit(result)
    assert result.success and audit.passed
    assert audit.metadata["audited_files"].value == 11


def _blind_polars_to_codes(monkeypatch) -> None:
    """The quick evaluator made to miss the rule that values are codes."""
    from pipelines.validate import polars_suite

    original = polars_suite._unexpected

    def blind_to_codes(e):
        if e.type == "ExpectColumnValuesToBeInSet" and e.meta["rule"] == "code":
            return polars_suite.pl.lit(False)
        return original(e)

    monkeypatch.setattr(polars_suite, "_unexpected", blind_to_codes)


def test_a_verdict_gx_disagrees_with_fails_the_run(tmp_path, monkeypatch):
    """If the quick evaluator ever missed a rule, the GX audit must catch it."""
    _blind_polars_to_codes(monkeypatch)
    result = run(_fixture_year(tmp_path))
    audit = _audit(result)
    assert not audit.passed
    assert not result.success  # the check is blocking: the run fails, in the UI too
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "gx_audit"
    # 06's file has an unknown incident type on row 3 (tests/fixtures/README.md).
    assert "incidents.csv: GX only: row 3, incident_type, code" in (
        audit.metadata["disagreements"].value
    )


def _materialise_alone(settings: Settings, instance):
    """`gx_audit` on its own, as from the UI: in a process (here, a state) with no audit
    under way, so that it finds its files in its input only."""
    import dagster as dg

    from pipelines.validate import gx_audit

    gx_audit.stop_worker()
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    return job.execute_in_process(
        partition_key="2023",
        instance=instance,
        raise_on_error=False,
        asset_selection=[dg.AssetKey("gx_audit")],
    )


def test_gx_audit_materialised_alone_audits_the_files_of_its_input(tmp_path):
    """It audited a list kept in the memory of the process that judged the files: alone
    (from the UI, or under another executor) it audited 0 files and passed."""
    import dagster as dg

    settings = _fixture_year(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023", instance=instance).success
    result = _materialise_alone(settings, instance)
    audit = _audit(result)
    assert result.success and audit.passed
    assert audit.metadata["audited_files"].value == 11


def test_gx_audit_materialised_alone_still_finds_a_disagreement(tmp_path, monkeypatch):
    import dagster as dg

    settings = _fixture_year(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    with monkeypatch.context() as patched:
        _blind_polars_to_codes(patched)
        assert not job.execute_in_process(
            partition_key="2023", instance=instance, raise_on_error=False
        ).success
    result = _materialise_alone(settings, instance)
    audit = _audit(result)
    assert not audit.passed and not result.success
    assert "incidents.csv: GX only: row 3, incident_type, code" in (
        audit.metadata["disagreements"].value
    )


def test_gx_audit_alone_with_no_run_before_it_fails(tmp_path):
    """With nothing judged, there is no input to audit: an error, never a pass."""
    import dagster as dg

    result = _materialise_alone(_fixture_year(tmp_path), dg.DagsterInstance.ephemeral())
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "gx_audit"


def test_gx_audit_has_a_group_of_its_own_after_publication():
    """In the UI's collapsed lineage the audit read as "publish → validate"."""
    import dagster as dg

    defs = build_defs(Settings())
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("gx_audit")).group_name == "audit"
    upstream = {key.to_user_string() for key in graph.get(dg.AssetKey("gx_audit")).parent_keys}
    assert upstream == {"submission_verdicts", "yearly_report", "collection_status"}


def test_each_check_is_recorded_once_per_run_with_its_year(tmp_path):
    """A check planned with the year and evaluated without it showed twice in the UI,
    once as never run."""
    import dagster as dg

    instance = dg.DagsterInstance.ephemeral()
    job = build_defs(_fixture_year(tmp_path)).resolve_job_def(JOB_NAME)
    result = job.execute_in_process(partition_key="2023", instance=instance)
    checks = {
        ("submission_verdicts", "all_submissions_accepted"): "FAILED",  # 06's file is rejected
        ("submission_verdicts", "verdicts_agree_with_receipts"): "SUCCEEDED",
        ("incidents", "incidents_conform_to_contract"): "SUCCEEDED",
        ("missions", "missions_conform_to_contract"): "SUCCEEDED",
        ("gx_audit", "verdicts_agree_with_gx"): "SUCCEEDED",
    }
    for (asset, name), status in checks.items():
        key = dg.AssetCheckKey(dg.AssetKey(asset), name)
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        assert [(r.run_id, r.status.value, r.partition) for r in records] == [
            (result.run_id, status, "2023")
        ]


def doubled_next_year() -> bytes:
    """Region 05's 2023 incidents as a 2024 file that holds each twice under new ids, and
    one more: 41 against 20 (exactly twice, 40, would not be flagged)."""
    lines = (FIXTURES / "inbox/2023/05/incidents.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.replace("2023-", "2024-") for line in lines[1:]]
    copies = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    return ("\n".join([lines[0], *copies]) + "\n").encode()


def test_a_hidden_doubling_is_warned_with_both_figures_and_still_accepted(tmp_path):
    settings = replace(_fixture_year(tmp_path), lang="en")
    assert run(settings).success
    from pipelines.register.receipts import history

    db = connect(settings)
    assert history(db)["05"]["2023"]["incidents"] == 20
    folder = tmp_path / "inbox" / "2024" / "05"
    folder.mkdir(parents=True)
    (folder / "incidents.csv").write_bytes(doubled_next_year())
    result = run(settings, "2024")
    assert result.success and _audit(result).passed  # GX does not judge plausibility
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        found = con.execute(
            "SELECT s.status, i.severity, i.value, i.message FROM submission_issues i "
            "JOIN submissions s USING (submission_id) WHERE s.year = 2024"
        ).fetchall()
    assert found == [
        (
            "accepted",
            "warning",
            "41",
            "The file has 41 incidents, against 20 in 2023. A change this large is unusual: "
            "check that no incidents are missing or counted twice, or explain the change.",
        )
    ]
    assert history(db)["05"]["2024"]["incidents"] == 41
