"""Every file of the corpus gets its expected verdict, with the rule that must fire."""

from pathlib import Path

import pytest
import yaml

from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import FIXTURES, TODAY

CORPUS = FIXTURES / "corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
ROW_RULES = {
    "ragged_row",
    "row_too_wide",
    "required",
    "code",
    "date_format",
    "date_nonexistent",
    "date_out_of_year",
    "date_in_future",
    "time_format",
    "integer_format",
    "out_of_range",
    "text_too_long",
    "duplicate_key",
    "region_mismatch",
    "year_mismatch",
    "only_when",
    "personal_data",
    "unterminated_quote",
}


def test_the_corpus_is_large_enough():
    assert len(MANIFEST) >= 40
    assert sum(1 for case in MANIFEST if not case["accepted"]) >= 40


@pytest.fixture(scope="module")
def verdicts(schema):
    files = [
        SubmissionFile(c["file"], (CORPUS / c["file"]).read_bytes(), c["region"], c["year"])
        for c in MANIFEST
    ]
    return dict(
        zip(
            [c["file"] for c in MANIFEST],
            validate_files(files, schema, lang="fi", today=TODAY),
            strict=True,
        )
    )


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_verdict(case, verdicts):
    verdict = verdicts[case["file"]]
    fired = {i.rule for i in verdict.issues}
    assert verdict.accepted == case["accepted"], [i.message for i in verdict.issues]
    assert set(case["rules"]) <= fired
    for issue in verdict.issues:
        assert issue.message and "{" not in issue.message
        if issue.rule in ROW_RULES:
            assert issue.row is not None and issue.row >= 2
        shown = f"{issue.column} {issue.value} {issue.message}"
        for raw in ("308T", "A123N", "matti.meikalainen", "123 4567", "1234 5678", "45 67"):
            assert raw not in shown
    assert "matti.meikalainen" not in str(verdict.headers)


def test_honest_forms_give_the_same_rows(verdicts):
    """The Finnish-Excel and Swedish files hold the same facts as the canonical one."""
    canonical = verdicts["canonical.csv"].frame.head(1)
    for name in [
        "fi_excel_cp1252.csv",
        "sv_headers_labels.csv",
        "utf8_bom.csv",
        "utf16_unicode_text.csv",
    ]:
        other = verdicts[name].frame.head(1)
        same = [c for c in canonical.columns if c not in ("advance_warning",)]
        assert other.select(same).equals(canonical.select(same)), name
    assert verdicts["sv_headers_labels.csv"].frame["advance_warning"][0] == "unknown"
    assert verdicts["missions_fi_excel.csv"].frame["missions"].to_list() == [1234] * 12
    assert verdicts["region_without_zero.csv"].frame["region_code"][0] == "05"
    assert verdicts["times_without_zero.csv"].frame["incident_time"].cast(str).to_list() == [
        "07:05:00",
        "07:05:00",
        "23:59:00",
    ]


def test_a_file_over_the_size_limit_is_refused_before_reading(schema):
    from pipelines.settings import Limits

    data = (CORPUS / "canonical.csv").read_bytes()
    [verdict] = validate_files(
        [SubmissionFile("big.csv", data, "05", 2023)],
        schema,
        lang="en",
        today=TODAY,
        limits=Limits(max_bytes=100),
    )
    assert [(i.severity, i.rule) for i in verdict.issues] == [("fatal", "file_too_large")]


def test_corpus_files_are_listed_in_the_manifest():
    listed = {c["file"] for c in MANIFEST}
    present = {p.name for p in Path(CORPUS).iterdir() if p.name != "manifest.yaml"}
    assert listed == present


def test_polars_evaluation_gives_gx_verdicts_issue_for_issue(schema, verdicts):
    """The quick verdict of `evstats validate` evaluates the same suite without GX; on
    every corpus file (all in one batch, as the pipeline runs them) it must list the
    same issues, with the same rows, values and messages."""
    files = [
        SubmissionFile(c["file"], (CORPUS / c["file"]).read_bytes(), c["region"], c["year"])
        for c in MANIFEST
    ]
    quick = validate_files(files, schema, lang="fi", today=TODAY, evaluator="polars")
    assert sum(len(v.issues) for v in quick) > 40
    for verdict in quick:
        assert verdict.issues == verdicts[verdict.file].issues, verdict.file
        assert verdict.accepted == verdicts[verdict.file].accepted


def test_the_size_limit_is_told_in_the_unit_it_is_set_in(schema):
    """50 MB in the settings is 50 × 2**20 bytes, and the message says 50, not 52."""
    data = b"x" * (50 * 1024 * 1024 + 1)
    [verdict] = validate_files(
        [SubmissionFile("big.csv", data, "05", 2023)], schema, lang="fi", today=TODAY
    )
    assert verdict.issues[0].message == "Tiedosto on liian suuri (50.0 Mt, enintään 50 Mt)."
