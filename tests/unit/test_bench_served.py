"""The served-path bench's arithmetic and reading, on hand-computed numbers: which
regions the published `regions.csv` lists as submitted, each upload's latency, the
percentiles reported, and how a run is kept in the summary."""

from __future__ import annotations

from benchmarks.served import (
    HEADING,
    Upload,
    latencies,
    record,
    submitted_regions,
    summarise,
)

REGIONS_CSV = (
    "year,region_code,region_name,incidents,missions,incidents_per_1000_missions,"
    "missions_per_incident,flag\n"
    "2023,01,Helsinki,12,3000,4.0000,250.0,\n"
    "2023,02,Vantaa ja Kerava,,,,,missions_missing\n"
    "2023,03,Länsi-Uusimaa,,,,,not_submitted\n"
    "2022,04,Itä-Uusimaa,5,2000,2.5000,400.0,\n"
)


def test_a_region_counts_as_in_the_tables_unless_flagged_not_submitted():
    # 01 complete and 02 without missions are in; 03 is not; 04 is another year.
    assert submitted_regions(REGIONS_CSV) == {"01", "02"}


def test_latency_runs_from_sending_to_being_seen_and_skips_the_unseen():
    uploads = [
        Upload("01", sent=10.0, submission_id=1, in_tables=22.5),
        Upload("02", sent=40.0, submission_id=2, in_tables=51.0),
        Upload("03", sent=70.0, submission_id=3),
    ]
    assert latencies(uploads, lambda u: u.in_tables) == [12.5, 11.0]


def test_percentiles_interpolate_between_the_sorted_latencies():
    # Sorted 11, 12.5, 14, 20, 30: p50 at position 0.50 × 4 = 2 → 14;
    # p95 at 0.95 × 4 = 3.8 → 20 + 0.8 × (30 − 20) = 28.
    assert summarise([12.5, 11.0, 20.0, 14.0, 30.0]) == {
        "count": 5,
        "p50": 14.0,
        "p95": 28.0,
        "max": 30.0,
    }
    assert summarise([7.0]) == {"count": 1, "p50": 7.0, "p95": 7.0, "max": 7.0}
    assert summarise([]) == {"count": 0}


def test_each_run_is_added_under_one_served_path_heading(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# Benchmarks\n\nstages\n", encoding="utf-8")
    record(summary, "### first run\n")
    record(summary, "### second run\n")
    served = (tmp_path / "served.md").read_text(encoding="utf-8")
    assert served.count(HEADING) == 1
    assert served.index("### first run") < served.index("### second run")
    text = summary.read_text(encoding="utf-8")
    assert text == "# Benchmarks\n\nstages\n\n" + served
