"""The portal's defences as a deployment has them: files on disk, the access log of the
production server, the limits shared by its worker processes, and the headers it sends."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.integration.portal import EVSTATS, environment


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
