"""The register on both of its databases, SQLite and a real PostgreSQL: the order of
receipts under concurrent arrivals, and the lifecycle of files and region-years."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from pipelines.register.db import connect
from pipelines.register.receipts_data import Judged
from pipelines.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def register(request, tmp_path, monkeypatch) -> tuple[Settings, str]:
    if request.param == "postgresql":
        monkeypatch.setenv("EVSTATS_DATABASE_URL", request.getfixturevalue("postgresql_database"))
    settings = Settings(data_dir=str(tmp_path))
    return settings, connect(settings)


def judged(kind: str = "incidents", accepted: bool = True) -> Judged:
    figures = {"incidents": 3, "codes": {}} if accepted else None
    return Judged(
        "f.csv", kind, accepted, 3, 0 if accepted else 1, 0, [], {}, "fi", ".csv", figures
    )


def test_the_lifecycle_of_a_regions_files_and_year(register):
    settings, db = register
    from pipelines.register import lifecycle
    from pipelines.register.models import Submission
    from pipelines.register.receipts import history, receive
    from pipelines.register.releases import request_release
    from pipelines.register.review import decide, state_of

    def send(data: bytes, **kw):
        return receive(settings, 2023, "05", data, judged(**kw), "cli", db=db)

    a = send(b"a")
    assert (a.seq, a.state, a.repeats_id) == (1, "in_force", None)
    assert state_of(2023, "05", db) == "awaiting_review"
    decide("05", 2023, "accepted", "", None, set(), db)
    retry = send(b"a")  # an API retry: a receipt, nothing changes
    assert (retry.seq, retry.state, retry.repeats_id) == (2, "unchanged", a.id)
    assert state_of(2023, "05", db) == "accepted"
    rejected = send(b"x", accepted=False)
    assert rejected.state == "rejected" and state_of(2023, "05", db) == "accepted"
    b = send(b"b")  # a correction after acceptance: back to review, release blocked
    assert state_of(2023, "05", db) == "awaiting_review"
    with pytest.raises(lifecycle.Blocked) as blocked:
        request_release(2023, "", date(2024, 3, 1), 0, db=db)
    assert blocked.value.params == {"regions": "05"}
    again = send(b"a")  # back to the first file
    assert (again.state, again.repeats_id) == ("in_force", a.id)
    states = dict(Submission.objects.using(db).values_list("seq", "state"))
    assert states == {
        1: "superseded",
        2: "unchanged",
        3: "rejected",
        4: "superseded",
        5: "in_force",
    }
    assert b.id in Submission.objects.using(db).filter(state="superseded").values_list(
        "id", flat=True
    )
    assert history(db) == {"05": {"2023": {"incidents": 3, "codes": {}}}}
    decide("05", 2023, "returned", "Tarkista tammikuu", None, set(), db)
    with pytest.raises(lifecycle.IllegalTransition):
        decide("05", 2023, "returned", "again", None, set(), db)  # returned twice: no
    decide("05", 2023, "accepted", "", None, set(), db)  # the analyst changes their mind
    release = request_release(2023, "", date(2024, 3, 1), 0, db=db)
    assert (release.number, release.state) == (1, "requested")
    with pytest.raises(lifecycle.Blocked):
        request_release(2023, "", date(2024, 3, 1), 0, db=db)  # one open request at a time


def test_receipts_arriving_at_once_are_ordered_and_one_is_in_force(register):
    settings, db = register
    from django.db import connections

    from pipelines.register.models import Submission
    from pipelines.register.receipts import receive

    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def send(n: int) -> None:
        try:
            start.wait()
            receive(settings, 2023, "05", f"file {n}".encode(), judged(), "api", db=db)
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Submission.objects.using(db).order_by("seq").values_list("seq", "state"))
    assert [seq for seq, _ in rows] == [1, 2, 3, 4, 5, 6]
    assert [state for _, state in rows] == ["superseded"] * 5 + ["in_force"]


def test_sensors_and_assets_set_django_up_themselves_in_a_fresh_process(tmp_path):
    """The daemon's code server and `evstats report` import nothing of the portal's: each
    sensor and asset that reads the register sets Django up first, lazily."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import sys
        import dagster as dg
        from django.conf import settings as django_settings
        from pipelines.assets.resources import EvstatsConfig
        from pipelines.assets.sensors import new_submissions, release_requests
        assert not django_settings.configured  # importing the definitions set up nothing
        resources = {"evstats": EvstatsConfig(data_dir=sys.argv[1])}
        print(release_requests(dg.build_sensor_context(resources=resources)).skip_message)
        with dg.DagsterInstance.ephemeral() as instance:  # the daemon always gives one
            context = dg.build_sensor_context(resources=resources, instance=instance)
            print(new_submissions(context).skip_message)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "no release requested",
        "nothing new in the register or the inbox",
    ]
