"""The SQL aggregation on a tiny warehouse filled by hand, with answers counted by hand."""

from datetime import date, datetime, time

import duckdb
import pytest

from pipelines.warehouse.aggregate import (
    build_breakdown_stats,
    build_national_year_stats,
    build_region_year_stats,
)
from pipelines.warehouse.store import ensure_schema


@pytest.fixture
def con(schema):
    con = duckdb.connect()
    ensure_schema(con, schema)
    subs = [  # id, region, kind
        (1, "01", "incidents"),
        (2, "01", "missions"),
        (3, "05", "incidents"),
        (4, "05", "missions"),
        (5, "07", "missions"),
        (6, "05", "incidents"),  # a later submission for 05 that was rejected
    ]
    for sid, region, kind in subs:
        status = "rejected" if sid == 6 else "accepted"
        con.execute(
            "INSERT INTO submissions (submission_id, year, region_code, file_name, sha256, "
            "size_bytes, received_at, archive_path, kind, status) "
            "VALUES (?, 2023, ?, 'f.csv', ?, 1, ?, 'x', ?, ?)",
            [sid, region, str(sid), datetime(2024, 1, 1), kind, status],
        )
        if status == "accepted":  # the register's files in force, as a run copies them
            con.execute("INSERT INTO register_in_force VALUES (2023, ?, ?, ?)", [region, kind, sid])

    def incident(sid, region, n, day, hour, kind):
        con.execute(
            "INSERT INTO staged_incidents (submission_id, row_number, incident_id, region_code, "
            "incident_date, incident_time, incident_type, perpetrator, intoxicants, location, "
            "advance_warning, police_contacted, reported_to_employer, staff_injury) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, 'patient', 'alcohol', 'home', 'no', 'no', 'yes', 'none')",
            [sid, n, f"{region}-{n}", region, day, hour, kind],
        )

    incident(1, "01", 2, date(2023, 1, 2), time(23, 59), "verbal")  # Monday
    incident(3, "05", 2, date(2023, 1, 3), None, "verbal")  # Tuesday
    incident(3, "05", 3, date(2023, 3, 5), time(8, 0), "physical_mild")  # Sunday
    missions = "INSERT INTO staged_missions VALUES (?, ?, ?, 2023, ?, ?)"
    for month in range(1, 13):
        con.execute(missions, [2, month, "01", month, 1000])
        con.execute(missions, [4, month, "05", month, 500])
    con.execute(missions, [5, 1, "07", 1, 50])
    return con


def test_region_statuses_counts_and_rates(con):
    assert build_region_year_stats(con, 2023) == 22
    rows = con.execute(
        "SELECT region_code, status, incidents, missions, months_reported, "
        "incidents_per_1000_missions, missions_per_incident FROM region_year_stats "
        "WHERE region_code IN ('01', '05', '07', '90') ORDER BY sort_order"
    ).fetchall()
    assert rows == [
        ("01", "complete", 1, 12000, 12, pytest.approx(1000 / 12000), 12000.0),
        ("05", "complete", 2, 6000, 12, pytest.approx(2000 / 6000), 3000.0),
        ("07", "incidents_missing", None, 50, 1, None, None),
        ("90", "not_submitted", None, None, None, None, None),
    ]


def test_national_covers_complete_regions_only(con):
    build_region_year_stats(con, 2023)
    national = build_national_year_stats(con, 2023)
    assert national["incidents"] == 3
    assert national["missions"] == 18000
    assert national["incidents_per_1000_missions"] == pytest.approx(3000 / 18000)
    assert national["missions_per_incident"] == pytest.approx(6000.0)
    assert (national["regions_reporting"], national["regions_total"]) == (4 - 2, 22)


def test_breakdowns_cover_every_category_and_derived_dimensions(con, schema):
    build_region_year_stats(con, 2023)
    build_breakdown_stats(con, schema.contracts["incidents"], 2023)

    def dim(name):
        return dict(
            con.execute(
                "SELECT category, incidents FROM breakdown_stats WHERE dimension = ? "
                "ORDER BY category_order",
                [name],
            ).fetchall()
        )

    assert dim("incident_type") == {
        "verbal": 2,
        "threat_with_weapon": 0,
        "physical_mild": 1,
        "physical_serious": 0,
        "sexual_harassment": 0,
        "other": 0,
    }
    assert dim("weekday") == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 1}
    assert {k: v for k, v in dim("month").items() if v} == {"1": 2, "3": 1}
    assert {k: v for k, v in dim("hour").items() if v} == {"8": 1, "23": 1, "unknown": 1}
    percent = con.execute(
        "SELECT round(percent, 4) FROM breakdown_stats WHERE dimension = 'incident_type' "
        "AND category = 'verbal'"
    ).fetchall()
    assert percent == [(66.6667,)]


def test_rebuilding_a_year_replaces_it(con):
    build_region_year_stats(con, 2023)
    build_region_year_stats(con, 2023)
    assert con.execute("SELECT count(*) FROM region_year_stats").fetchall() == [(22,)]
