"""The portal as it runs in production, for the integration tests: `evstats serve`
(gunicorn) on a free port of 127.0.0.1, on a data directory of the test's own, its
records in SQLite or in a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from pipelines.settings import DEFAULT_CONFIG

EVSTATS = Path(sys.executable).parent / "evstats"
PASSWORD = "kolme-pientä-porsasta-7"
SETUP = """
import json, sys
from pipelines.portal import commands
commands.setup()
regions = sys.argv[1].split(",")
tokens = {r: commands.create_token(r, "test") for r in regions}
for r in regions:
    commands.add_user(f"kontakti@alue{r}.example", r, "submitter", sys.argv[2])
commands.add_user("analyytikko@example.org", None, "analyst", sys.argv[2])
print(json.dumps(tokens))
"""


@dataclass
class Portal:
    url: str
    data_dir: Path
    env: dict[str, str]
    tokens: dict[str, str]
    log: Path
    # The gunicorn master's process id: its children are the workers.
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(
    data_dir: Path, database_url: str | None, settings: dict[str, int] | None = None
) -> dict[str, str]:
    """The data directory, a signing key, and the fixtures' year 2023 reopened; `settings`
    replace those of `config/evstats.toml` that have whole numbers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    for name, value in (settings or {}).items():
        text, found = re.subn(rf"(?m)^{name} = .*$", f"{name} = {value}", text)
        assert found == 1, f"{name} is not in {DEFAULT_CONFIG}"
    config = data_dir / "evstats.toml"
    config.write_text(
        text + '\n[evstats.close_overrides]\n"2023" = "2099-12-31"\n', encoding="utf-8"
    )
    env = {
        **os.environ,
        "EVSTATS_DATA_DIR": str(data_dir),
        "EVSTATS_CONFIG": str(config),
        "EVSTATS_SECRET_KEY": "integration-tests-only-" + "y" * 40,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if database_url:
        env["EVSTATS_DATABASE_URL"] = database_url
    return env


def prepare(
    data_dir: Path,
    regions: list[str],
    database_url: str | None = None,
    settings: dict[str, int] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment of a portal on `data_dir`, its people made: (env, region → token)."""
    env = environment(data_dir, database_url, settings)
    made = subprocess.run(
        [sys.executable, "-c", SETUP, ",".join(regions), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return env, json.loads(made.stdout.strip().splitlines()[-1])


@contextmanager
def running_portal(
    data_dir: Path,
    regions: list[str],
    database_url: str | None = None,
    workers: int = 2,
    settings: dict[str, int] | None = None,
) -> Iterator[Portal]:
    env, tokens = prepare(data_dir, regions, database_url, settings)
    port = free_port()
    log = data_dir / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(EVSTATS), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log)
        yield Portal(url, data_dir, env, tokens, log, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_healthy(
    url: str, server: subprocess.Popen, log: Path, timeout: float = 60, path: str = "/health"
) -> None:
    """Until `path` answers (the portal's /health: from a worker warmed by a first file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"evstats serve exited:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"evstats serve did not answer in {timeout} s:\n{log.read_text()}")


def new_person_link(portal: Portal, email: str, region: str, *options: str) -> str:
    """A data contact added with `evstats users add --link` (and `options`): their
    one-time link."""
    return subprocess.run(
        [str(EVSTATS), "users", "add", email, "--region", region, "--link",
         "--base-url", portal.url, *options],
        env=portal.env, capture_output=True, text=True, check=True,
    ).stdout.split()[-1]  # fmt: skip


def post_file(url: str, token: str, name: str, data: bytes) -> requests.Response:
    """A file of 2023 sent to the portal's API as a region's own system sends one."""
    return requests.post(
        f"{url}/api/v1/submissions",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, data)},
        data={"year": "2023"},
        timeout=60,
    )
