"""The regions' history for the plausibility checks, on a tiny warehouse filled by hand."""

import json
from datetime import UTC, datetime

import duckdb
import pytest

from pipelines.warehouse.history import build_history, read_history, write_history
from pipelines.warehouse.store import ensure_schema


@pytest.fixture
def con(schema):
    con = duckdb.connect()
    ensure_schema(con, schema)
    subs = [  # id, year, region, kind, status
        (1, 2022, "05", "incidents", "accepted"),
        (2, 2023, "05", "incidents", "accepted"),  # replaced by 4
        (3, 2023, "05", "missions", "accepted"),
        (4, 2023, "05", "incidents", "accepted"),
        (5, 2023, "06", "incidents", "rejected"),  # never in force
        (6, 2023, "07", "incidents", "accepted"),  # in force with no rows: zero
    ]
    for sid, year, region, kind, status in subs:
        con.execute(
            "INSERT INTO submissions (submission_id, year, region_code, file_name, sha256, "
            "size_bytes, received_at, archive_path, kind, status) "
            "VALUES (?, ?, ?, 'f.csv', ?, 1, '2024-01-01', 'a', ?, ?)",
            [sid, year, region, f"{sid:064x}", kind, status],
        )
    incidents = [  # submission, row, type
        (1, 2, "verbal"), (1, 3, "verbal"), (1, 4, "physical_mild"),
        (2, 2, "verbal"),
        (4, 2, "verbal"), (4, 3, "physical_mild"), (4, 4, "physical_mild"), (4, 5, "verbal"),
        (5, 2, "verbal"),
    ]  # fmt: skip
    for sid, row, kind in incidents:
        con.execute(
            "INSERT INTO staged_incidents (submission_id, row_number, incident_type) "
            "VALUES (?, ?, ?)",
            [sid, row, kind],
        )
    for month, n in [(1, 100), (2, 120), (3, 90)]:
        con.execute(
            "INSERT INTO staged_missions (submission_id, row_number, region_code, year, month, "
            "missions) VALUES (3, ?, '05', 2023, ?, ?)",
            [month + 1, month, n],
        )
    return con


HISTORY = {
    "05": {
        "2022": {"incidents": 3, "codes": {"incident_type": {"physical_mild": 1, "verbal": 2}}},
        "2023": {
            "incidents": 4,
            "codes": {"incident_type": {"physical_mild": 2, "verbal": 2}},
            "missions": 310,
            "monthly_missions": {"1": 100, "2": 120, "3": 90},
        },
    },
    "07": {"2023": {"incidents": 0, "codes": {"incident_type": {}}}},
}


def test_history_counts_the_files_in_force_only(con):
    assert build_history(con, ["incident_type"]) == HISTORY


def test_history_is_written_atomically_and_read_back(con, tmp_path):
    path = tmp_path / "status" / "history.json"
    assert read_history(path) is None
    write_history(path, build_history(con, ["incident_type"]), datetime(2026, 1, 2, tzinfo=UTC))
    assert json.loads(path.read_text())["written_at"] == "2026-01-02T00:00:00Z"
    assert read_history(path) == HISTORY
    assert [p.name for p in path.parent.iterdir()] == ["history.json"]
