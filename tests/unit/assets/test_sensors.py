"""The sensor that starts runs when files arrive, evaluated as the daemon would."""

import hashlib
import json
from pathlib import Path

import dagster as dg
import pytest

from pipelines.assets.resources import EvstatsConfig
from pipelines.assets.sensors import new_submissions, release_requests
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


def ask_release(root: Path, note: str = "Ensimmäinen julkaisu") -> None:
    (root / "requests").mkdir(parents=True, exist_ok=True)
    request = {"year": 2023, "note": note, "date": "2025-03-15", "requested_at": "x"}
    (root / "requests" / "release-2023.json").write_text(json.dumps(request))


def in_force(root: Path, regions: list[str], accepted: list[str]) -> None:
    write_status(
        root / "status" / "2023.json",
        {"year": 2023, "submissions": [], "in_force": {r: {} for r in regions}},
    )
    reviews = {r: {"state": "accepted"} for r in accepted}
    (root / "signoff").mkdir(exist_ok=True)
    (root / "signoff" / "2023.json").write_text(json.dumps({"year": 2023, "reviews": reviews}))


def look_for_releases(root: Path):
    context = dg.build_sensor_context(resources={"evstats": EvstatsConfig(data_dir=str(root))})
    return release_requests(context)


def test_a_release_request_asks_for_a_run_made_for_the_next_release(tmp_path):
    assert look_for_releases(tmp_path).skip_message == "no release requested"
    in_force(tmp_path, ["05", "06"], accepted=["05", "06"])
    ask_release(tmp_path)
    [request] = look_for_releases(tmp_path).run_requests
    assert request.partition_key == "2023"
    assert request.tags == {"evstats/warehouse": "writer", "evstats/release": "1"}
    config = request.run_config["ops"]["yearly_report"]["config"]
    assert config == {
        "release": 1,
        "release_date": "2025-03-15",
        "release_note": "Ensimmäinen julkaisu",
    }
    ask_release(tmp_path, note="toinen pyyntö")  # asked again: another key, not the same run
    [again] = look_for_releases(tmp_path).run_requests
    assert again.run_key != request.run_key


def test_a_request_for_a_year_not_signed_off_is_refused_without_a_run(tmp_path):
    in_force(tmp_path, ["05", "06"], accepted=["05"])
    ask_release(tmp_path)
    assert isinstance(look_for_releases(tmp_path), dg.SkipReason)
    outcome = json.loads((tmp_path / "status" / "2023.release.json").read_text())
    assert outcome == {
        "year": 2023, "outcome": "refused", "release": "v1",
        "reason": "not signed off for regions 06",
    }  # fmt: skip
    assert not (tmp_path / "requests" / "release-2023.json").exists()
