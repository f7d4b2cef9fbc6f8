"""The portal's defences as a deployment has them: files on disk, the access log of the
production server, the limits shared by its worker processes, and the headers it sends."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django_ratelimit.core import _get_window

from tests.conftest import FIXTURES
from tests.integration.portal import EVSTATS, Portal, environment, running_portal

GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_evstats_migrate_creates_the_register_owner_only(tmp_path):
    """The SQLite register holds password hashes and token digests: 0600 from the start,
    and its write-ahead log and shared memory with it, whatever the umask lets through."""
    data_dir = tmp_path / "data"
    env = environment(data_dir, None)
    subprocess.run(
        [str(EVSTATS), "migrate"],
        env=env,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    portal = data_dir / "portal"
    files = sorted(p.name for p in portal.iterdir() if p.name.startswith("portal.sqlite3"))
    assert files == ["portal.sqlite3", "portal.sqlite3-shm", "portal.sqlite3-wal"]
    assert {name: mode(portal / name) for name in files} == dict.fromkeys(files, 0o600)


PER_MINUTE = 5


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One production server (two gunicorn workers, four threads each), letting a token
    send PER_MINUTE files a minute."""
    settings = {"uploads_per_minute": PER_MINUTE}
    with running_portal(tmp_path_factory.mktemp("portal"), ["05"], settings=settings) as running:
        yield running


def logged(portal: Portal, seen: str, timeout: float = 10) -> list[str]:
    """The server's log lines once one holding `seen` is there (a worker writes its access
    line after the answer has gone)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = portal.log.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(seen in line for line in lines) or time.monotonic() > deadline:
            return lines


def test_the_access_log_has_one_escaped_line_per_request_and_no_sign_in_token(portal):
    forged = '/x%0a127.0.0.1 "GET /admin/" 200 0 1ms'
    colour = "/%1b[31mred%1b[0m%00nul"
    token = "/welcome/MQ/cf3k2a-0123456789abcdef0123456789abcdef/"
    answers = [requests.get(portal.url + path, timeout=10) for path in (forged, colour, token)]
    assert [a.status_code for a in answers] == [404, 404, 200]
    lines = logged(portal, '"GET /welcome/')
    access = [line for line in lines if line.startswith("127.0.0.1 ")]
    assert [line.split('"')[1] for line in access[-3:]] == [
        "GET /x%0A127.0.0.1%20%22GET%20/admin/%22%20200%200%201ms",
        "GET /%1B%5B31mred%1B%5B0m%00nul",
        "GET /welcome/MQ/[token]/",
    ]
    text = "\n".join(lines)
    assert "cf3k2a" not in text
    assert "\x1b" not in text and "\x00" not in text
    assert not any(line.startswith('127.0.0.1 "GET /admin/"') for line in lines)


def check(portal: Portal) -> requests.Response:
    return requests.post(
        f"{portal.url}/api/v1/check",
        headers={"Authorization": f"Bearer {portal.tokens['05']}"},
        files={"file": ("a.csv", GOOD)},
        data={"year": "2023"},
        timeout=60,
    )


def start_of_a_fresh_window(portal: Portal) -> None:
    """Wait, if need be, until the token's one-minute window has 20 s or more left, so
    that a burst falls in one window (django-ratelimit's windows end at a time of the
    minute of their own, from the key's CRC)."""
    with sqlite3.connect(portal.data_dir / "portal" / "portal.sqlite3") as con:
        [(pk,)] = con.execute("SELECT id FROM portal_apitoken WHERE region_code = '05'")
    left = _get_window(f"token:{pk}", 60) - time.time()
    if left < 20:
        time.sleep(left + 1)


def test_a_burst_on_both_workers_lets_exactly_the_limit_through(portal):
    """Sixteen checks at once from one token, over two worker processes and their
    threads: the counter is shared and its increments do not interleave."""
    start_of_a_fresh_window(portal)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: check(portal), range(16)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * PER_MINUTE + [429] * (16 - PER_MINUTE)
    waits = {int(a.headers["Retry-After"]) for a in answers if a.status_code == 429}
    assert len(waits) <= 2 and all(20 <= w <= 61 for w in waits)  # the window's end
    pids = {
        line.split()[-1]
        for line in portal.log.read_text().splitlines()
        if "Booting worker with pid" in line
    }
    assert len(pids) == 2


# Four threads, each with its own database connection as a worker process has, count to
# five each; a read of the counter is followed by 20 ms before its write, as when another
# worker's request arrives in between. Prints the count.
COUNT = """
import sys, threading, time
import django, dj_database_url
from django.conf import settings

backend, url, table = sys.argv[1:]
database = dj_database_url.parse(url)
if database["ENGINE"].endswith("sqlite3"):
    database["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
settings.configure(
    DATABASES={"default": database},
    CACHES={"default": {"BACKEND": backend, "LOCATION": table}},
    USE_TZ=True,
)
django.setup()
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connections

call_command("createcachetable", verbosity=0)
read = DatabaseCache.get

def slow(self, *args, **kwargs):
    value = read(self, *args, **kwargs)
    time.sleep(0.02)
    return value

DatabaseCache.get = slow
cache.add("n", 0, 60)

def count():
    for _ in range(5):
        cache.incr("n")
    connections.close_all()

threads = [threading.Thread(target=count) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(cache.get("n"))
"""


def counted(backend: str, url: str) -> int:
    table = backend.rsplit(".", 1)[-1].lower()
    done = subprocess.run(
        [sys.executable, "-c", COUNT, backend, url, table],
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_rate_counter_loses_no_increment_between_workers(database, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    if database == "postgresql":
        url = request.getfixturevalue("postgresql_database")
    # Django's own database cache reads and then writes: interleaved, counts go missing.
    assert counted("django.core.cache.backends.db.DatabaseCache", url) < 20
    assert counted("pipelines.portal.ratelimits.CounterCache", url) == 20
