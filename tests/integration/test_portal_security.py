"""The portal's defences as a deployment has them: files on disk, the access log of the
production server, the limits shared by its worker processes, and the headers it sends."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.portal import EVSTATS, Portal, environment, running_portal


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


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One production server (two gunicorn workers) for the tests that only send to it."""
    with running_portal(tmp_path_factory.mktemp("portal"), ["05"]) as running:
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
