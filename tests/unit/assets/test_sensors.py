"""The sensors, evaluated as the daemon would: they look at the register and the inbox
folder and ask for runs, nothing more."""

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from pipelines.assets.resources import EvstatsConfig
from pipelines.assets.sensors import new_submissions, release_requests
from pipelines.register.db import connect
from pipelines.register.receipts_data import Judged
from pipelines.settings import Settings


@pytest.fixture(autouse=True)
def register_access(django_db_blocker):
    """The sensors open the register of the test's data directory, not the test database."""
    with django_db_blocker.unblock():
        yield


def put(root: Path, year: int, region: str, name: str, data: bytes) -> None:
    folder = root / "inbox" / str(year) / region
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def look(root: Path, cursor: str | None = None, instance: dg.DagsterInstance | None = None):
    """The sensor's evaluation, against an instance with no runs unless one is given."""
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"evstats": EvstatsConfig(data_dir=str(root))},
        instance=instance or dg.DagsterInstance.ephemeral(),
    )
    return new_submissions(context)


def queued(instance: dg.DagsterInstance, year: int, **tags: str) -> None:
    """A run of the year that has not begun (the queue's own state needs a code location's
    origin, which a unit test has not; the sensor treats both alike)."""
    instance.add_run(
        dg.DagsterRun(
            job_name="yearly_statistics",
            run_id=f"queued-{year}-{len(tags)}",
            status=dg.DagsterRunStatus.NOT_STARTED,
            tags={"dagster/partition": str(year), **tags},
        )
    )


def received(root: Path, region: str, data: bytes, year: int = 2023):
    """A receipt made as the portal makes one: in the register, not yet loaded by a run."""
    settings = Settings(data_dir=str(root))
    db = connect(settings)
    from pipelines.register.receipts import receive

    judged = Judged("a.csv", "incidents", True, 1, 0, 0, [], {}, "fi", ".csv", None)
    return receive(settings, year, region, data, judged, "api", db=db), db


def test_nothing_new_is_a_skip(tmp_path):
    assert look(tmp_path).skip_message == "nothing new in the register or the inbox"
    (tmp_path / "inbox" / "2023" / "05").mkdir(parents=True)
    (tmp_path / "inbox" / "2023" / "05" / "notes.txt").write_text("not a submission")
    assert isinstance(look(tmp_path), dg.SkipReason)


def test_folder_changes_ask_for_one_run_per_year_and_never_twice(tmp_path):
    put(tmp_path, 2023, "05", "incidents.csv", b"a")
    put(tmp_path, 2023, "06", "incidents.csv", b"b")
    put(tmp_path, 2024, "05", "missions.csv", b"c")
    result = look(tmp_path)
    requests = {r.partition_key: r for r in result.run_requests}
    assert sorted(requests) == ["2023", "2024"]
    assert requests["2023"].tags["evstats/warehouse"] == "writer"
    assert requests["2023"].run_key.startswith("2023-r0-f")
    # The same state again: the runs are already asked for.
    assert isinstance(look(tmp_path, result.cursor), dg.SkipReason)
    # A third file for 2023 asks for 2023 again under a new key; 2024 stays asked for.
    put(tmp_path, 2023, "07", "incidents.csv", b"d")
    third = look(tmp_path, result.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2023"]
    assert third.run_requests[0].run_key != requests["2023"].run_key


def test_receipts_no_run_has_loaded_ask_for_a_run_until_one_loads_them(tmp_path):
    first, db = received(tmp_path, "05", b"a")
    second, _ = received(tmp_path, "06", b"b")
    result = look(tmp_path)
    [request] = result.run_requests
    assert (request.partition_key, request.run_key) == ("2023", f"2023-r{second.id}-fnone")
    assert request.tags["evstats/last_receipt"] == str(second.id)
    from pipelines.register.runs import record_loaded

    record_loaded([first.id, second.id], {}, db)
    assert isinstance(look(tmp_path), dg.SkipReason)


def test_a_loaded_receipt_does_not_start_another_run_of_a_year_with_a_folder(tmp_path):
    put(tmp_path, 2023, "05", "missions.csv", b"m")
    folder_run = look(tmp_path)
    [request] = folder_run.run_requests
    sent, db = received(tmp_path, "06", b"b")
    receipt_run = look(tmp_path, folder_run.cursor)
    assert [r.run_key for r in receipt_run.run_requests] == [
        request.run_key.replace("-r0-", f"-r{sent.id}-")
    ]
    from pipelines.register.runs import record_loaded

    record_loaded([sent.id], {}, db)  # the run loaded it: nothing new for the next look
    assert isinstance(look(tmp_path, receipt_run.cursor), dg.SkipReason)


def test_files_arriving_while_a_run_of_their_year_is_queued_are_left_to_that_run(tmp_path):
    with dg.DagsterInstance.ephemeral() as instance:
        queued(instance, 2023)
        queued(instance, 2024, **{"evstats/release": "7"})  # a release's run takes none
        put(tmp_path, 2023, "05", "incidents.csv", b"a")
        put(tmp_path, 2024, "05", "incidents.csv", b"b")
        result = look(tmp_path, instance=instance)
        assert [r.partition_key for r in result.run_requests] == ["2024"]
    # The cursor moved past 2023's files too: once the queued run has started (no run
    # waits any more), no second run is asked for them.
    assert isinstance(look(tmp_path, result.cursor), dg.SkipReason)


def test_with_only_a_queued_run_to_merge_into_the_sensor_skips_and_moves_its_cursor(tmp_path):
    with dg.DagsterInstance.ephemeral() as instance:
        queued(instance, 2023)
        put(tmp_path, 2023, "05", "incidents.csv", b"a")
        result = look(tmp_path, instance=instance)
        assert result.run_requests == []
        assert result.skip_reason.skip_message == "a run of 2023 is queued and will load them"
    assert isinstance(look(tmp_path, result.cursor), dg.SkipReason)


def test_a_run_already_under_way_gets_a_new_run_after_it(tmp_path):
    """A started run may have read the register before the file came: no merging."""
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_run(
            dg.DagsterRun(
                job_name="yearly_statistics",
                run_id="started-2023",
                status=dg.DagsterRunStatus.STARTED,
                tags={"dagster/partition": "2023"},
            )
        )
        put(tmp_path, 2023, "05", "incidents.csv", b"a")
        assert [r.partition_key for r in look(tmp_path, instance=instance).run_requests] == ["2023"]


@pytest.mark.parametrize("name", ["1999", "2999", "misc"])
def test_folders_outside_the_known_years_are_not_looked_at(tmp_path, name):
    folder = tmp_path / "inbox" / name / "05"
    folder.mkdir(parents=True)
    (folder / "incidents.csv").write_bytes(b"a")
    assert isinstance(look(tmp_path), dg.SkipReason)


def look_for_releases(root: Path):
    context = dg.build_sensor_context(resources={"evstats": EvstatsConfig(data_dir=str(root))})
    return release_requests(context)


def test_a_release_request_asks_for_one_run_made_for_it(tmp_path):
    assert look_for_releases(tmp_path).skip_message == "no release requested"
    _, db = received(tmp_path, "05", b"a")
    from pipelines.register.releases import refused, request_release
    from pipelines.register.review import decide

    decide("05", 2023, "accepted", "", None, set(), db)
    asked = request_release(2023, "Ensimmäinen julkaisu", date(2025, 3, 15), 0, db=db)
    [request] = look_for_releases(tmp_path).run_requests
    assert (request.partition_key, request.run_key) == ("2023", f"release-{asked.id}")
    assert request.tags == {"evstats/warehouse": "writer", "evstats/release": str(asked.id)}
    assert request.run_config["ops"] == {
        "yearly_report": {
            "config": {
                "release": 1,
                "release_date": "2025-03-15",
                "release_note": "Ensimmäinen julkaisu",
            }
        },
        "release": {"config": {"request": asked.id}},
    }
    refused(asked, "the run failed", db)  # closed: no run is asked for it any more
    assert isinstance(look_for_releases(tmp_path), dg.SkipReason)
