"""The sensor that starts runs when files arrive, evaluated as the daemon would."""

import hashlib
from pathlib import Path

import dagster as dg
import pytest

from pipelines.assets.resources import EvstatsConfig
from pipelines.assets.sensors import new_submissions
from pipelines.warehouse.arrivals import Arrivals
from pipelines.warehouse.snapshot import write_status


def put(root: Path, year: int, region: str, name: str, data: bytes) -> str:
    folder = root / "inbox" / str(year) / region
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def look(root: Path, cursor: str | None = None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"evstats": EvstatsConfig(data_dir=str(root))}
    )
    return new_submissions(context)


def test_no_new_file_is_a_skip(tmp_path):
    assert isinstance(look(tmp_path), dg.SkipReason)
    (tmp_path / "inbox" / "2023" / "05").mkdir(parents=True)
    (tmp_path / "inbox" / "2023" / "05" / "notes.txt").write_text("not a submission")
    assert isinstance(look(tmp_path), dg.SkipReason)


def test_new_files_ask_for_one_run_per_year_and_never_twice(tmp_path):
    a = put(tmp_path, 2023, "05", "incidents.csv", b"a")
    b = put(tmp_path, 2023, "06", "incidents.csv", b"b")
    c = put(tmp_path, 2024, "05", "missions.csv", b"c")
    result = look(tmp_path)
    assert isinstance(result, dg.SensorResult)
    requests = {r.partition_key: r for r in result.run_requests}
    assert sorted(requests) == ["2023", "2024"]
    assert requests["2023"].run_key == Arrivals(2023, tuple(sorted([a, b]))).run_key
    assert requests["2024"].run_key == Arrivals(2024, (c,)).run_key
    assert requests["2023"].tags["evstats/warehouse"] == "writer"
    # The same state again: the runs are already asked for.
    again = look(tmp_path, result.cursor)
    assert isinstance(again, dg.SkipReason)
    # A third file for 2023 asks for 2023 again under a new key; 2024 stays asked for.
    put(tmp_path, 2023, "07", "incidents.csv", b"d")
    third = look(tmp_path, result.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2023"]
    assert third.run_requests[0].run_key != requests["2023"].run_key


def test_files_the_last_run_registered_are_not_new(tmp_path):
    a = put(tmp_path, 2023, "05", "incidents.csv", b"a")
    put(tmp_path, 2023, "05", ".incidents.csv.tmp", b"half a file")
    write_status(
        tmp_path / "status" / "2023.json",
        {"year": 2023, "submissions": [{"sha256": a}], "in_force": {}},
    )
    assert look(tmp_path).skip_message == "no new files"
    # A file missed while nothing watched is found at the next look, without a cursor.
    put(tmp_path, 2023, "05", "missions.csv", b"m")
    assert [r.partition_key for r in look(tmp_path).run_requests] == ["2023"]


@pytest.mark.parametrize("name", ["1999", "2999", "misc"])
def test_folders_outside_the_known_years_are_not_looked_at(tmp_path, name):
    folder = tmp_path / "inbox" / name / "05"
    folder.mkdir(parents=True)
    (folder / "incidents.csv").write_bytes(b"a")
    assert isinstance(look(tmp_path), dg.SkipReason)
