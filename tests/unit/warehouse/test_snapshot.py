"""The collection status snapshot on a tiny warehouse filled by hand."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.snapshot import build_status, read_status, write_status
from pipelines.warehouse.store import ensure_schema

SHA = {sid: f"{sid:064x}" for sid in range(1, 8)}
WRITTEN = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture
def con(schema):
    con = duckdb.connect()
    ensure_schema(con, schema)
    subs = [  # id, year, region, file, received, kind, status, rows, errors, warnings
        (1, 2023, "05", "inc.csv", (1, 10, 8, 0), "incidents", "accepted", 20, 0, 2),
        (2, 2023, "05", "mis.csv", (1, 10, 8, 0), "missions", "accepted", 12, 0, 0),
        (3, 2023, "06", "inc.csv", (1, 11, 9, 30), "incidents", "rejected", 3, 2, 1),
        (4, 2023, "05", "inc_v2.csv", (2, 1, 12, 0), "incidents", "accepted", 21, 0, 0),
        (5, 2023, "07", "photo.csv", (2, 2, 7, 15), None, "rejected", 0, 1, 0),
        (6, 2023, "01", "new.csv", (2, 3, 10, 0), None, "received", None, None, None),
        (7, 2022, "05", "old.csv", (1, 5, 8, 0), "incidents", "accepted", 30, 0, 0),
    ]
    for sid, year, region, name, (m, d, h, mi), kind, status, rows, errors, warnings in subs:
        con.execute(
            "INSERT INTO submissions (submission_id, year, region_code, file_name, sha256, "
            "size_bytes, received_at, archive_path, kind, status, rows, errors, warnings) "
            "VALUES (?, ?, ?, ?, ?, 100, ?, 'archive/x', ?, ?, ?, ?, ?)",
            [
                sid,
                year,
                region,
                name,
                SHA[sid],
                datetime(2024, m, d, h, mi, 5, 123456),
                kind,
                status,
                rows,
                errors,
                warnings,
            ],
        )
    return con


def entry(sid, region, kind, name, received, status, in_force, errors, warnings, rows):
    """`received` as month-day and hour:minute: every fixture file arrived in 2024 at :05."""
    return {
        "submission_id": sid,
        "region_code": region,
        "kind": kind,
        "file_name": name,
        "sha256": SHA[sid],
        "received_at": f"2024-{received}:05Z",
        "status": status,
        "in_force": in_force,
        "errors": errors,
        "warnings": warnings,
        "rows": rows,
    }


def test_status_lists_every_submission_of_the_year_and_what_is_in_force(con):
    assert build_status(con, 2023, WRITTEN) == {
        "year": 2023,
        "written_at": "2026-11-26T06:00:00Z",
        "submissions": [
            entry(6, "01", None, "new.csv", "02-03T10:00", "pending", False, None, None, None),
            entry(1, "05", "incidents", "inc.csv", "01-10T08:00", "accepted", False, 0, 2, 20),
            entry(2, "05", "missions", "mis.csv", "01-10T08:00", "accepted", True, 0, 0, 12),
            entry(4, "05", "incidents", "inc_v2.csv", "02-01T12:00", "accepted", True, 0, 0, 21),
            entry(3, "06", "incidents", "inc.csv", "01-11T09:30", "rejected", False, 2, 1, 3),
            entry(5, "07", None, "photo.csv", "02-02T07:15", "rejected", False, 1, 0, 0),
        ],
        "in_force": {
            "05": {
                "incidents": {"sha256": SHA[4], "submission_id": 4, "rows": 21},
                "missions": {"sha256": SHA[2], "submission_id": 2, "rows": 12},
            }
        },
    }


def test_a_year_without_submissions_has_empty_lists(con):
    status = build_status(con, 2019, WRITTEN)
    assert (status["submissions"], status["in_force"]) == ([], {})


def test_the_time_written_is_utc_whatever_zone_it_is_given_in(con):
    helsinki = datetime.fromisoformat("2026-11-26T08:00:00+02:00")
    assert build_status(con, 2019, helsinki)["written_at"] == "2026-11-26T06:00:00Z"


def test_written_status_reads_back_equal_and_json_has_the_portal_keys(con, tmp_path: Path):
    status = build_status(con, 2023, WRITTEN)
    path = tmp_path / "status" / "2023.json"
    assert write_status(path, status) == path
    assert read_status(path) == status
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert list(raw) == ["year", "written_at", "submissions", "in_force"]
    assert os.listdir(path.parent) == ["2023.json"]


def test_reading_before_the_first_run_gives_none(tmp_path: Path):
    assert read_status(tmp_path / "status" / "2023.json") is None


def test_a_write_that_fails_leaves_the_previous_snapshot_whole(con, tmp_path: Path):
    path = tmp_path / "2023.json"
    old = build_status(con, 2023, WRITTEN)
    write_status(path, old)
    # json.dump streams: the submissions are on disk when the last key fails.
    unserialisable = {**old, "in_force": {"05": object()}}
    with pytest.raises(TypeError):
        write_status(path, unserialisable)
    assert read_status(path) == old
    assert os.listdir(tmp_path) == ["2023.json"]
