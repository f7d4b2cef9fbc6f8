"""A real PostgreSQL server for the tests, started from the machine's own binaries.

The portal and, later, the Dagster instance are tested against PostgreSQL as it
runs in production, not an imitation. `initdb` refuses to run as root, and the
tests run as root here and in CI: the server then runs as the `postgres` system
user, in a directory it owns, directly under the system's temporary folder
(pytest's own temporary folders are private to the user running pytest, and a
Unix socket path may not exceed about 100 bytes).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_USER = "postgres"
DEBIAN_VERSIONS = Path("/usr/lib/postgresql")
DATABASE = "evstats_test"
ROLE = "evstats"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in `pg_config --bindir`, "
    f"{DEBIAN_VERSIONS}/<version>/bin or on PATH: `make test` installs Debian's postgresql "
    "package; elsewhere install PostgreSQL's server package."
)


class PostgresUnavailable(RuntimeError):
    """The suite cannot start a server: a missing package, not a test to skip."""


def _is_server_bindir(path: Path) -> bool:
    return all((path / name).is_file() for name in ("initdb", "pg_ctl", "postgres"))


def _version(bindir: Path) -> tuple[int, ...]:
    name = bindir.parent.name
    return tuple(int(p) for p in name.split(".")) if name.replace(".", "").isdigit() else ()


def find_bindir() -> Path:
    """pg_config's bindir, else the newest Debian version directory, else initdb on PATH."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.strip():
            candidates.append(Path(answer.stdout.strip()))
    candidates += sorted(DEBIAN_VERSIONS.glob("*/bin"), key=_version, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for candidate in candidates:
        if _is_server_bindir(candidate):
            return candidate
    raise PostgresUnavailable(MISSING)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """Runs the server's commands as the user allowed to run them."""

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir = bindir
        self.base = base
        self.data = base / "data"
        self.log = base / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root, and initdb refuses root: no {SERVER_USER!r} user to run "
                    "the server as (Debian's postgresql package creates it)"
                ) from None
            os.chown(base, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", SERVER_USER, "--"]

    def run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.prefix, str(self.bindir / args[0]), *args[1:]],
            cwd=self.base,  # the caller's directory may be closed to the server's user
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{args[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}{log}"
            )


@contextmanager
def running_server() -> Iterator[str]:
    """A fresh cluster listening on 127.0.0.1 only, with a database owned by a password
    role; yields its URL and stops the server (and removes its files) afterwards."""
    import psycopg

    bindir = find_bindir()
    base = Path(tempfile.mkdtemp(prefix="evstats-pg-"))
    try:
        server = _Server(bindir, base)
        server.run(
            "initdb",
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--no-locale",
            "-E",
            "UTF8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
        )
        port = _free_port()
        with open(server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"port = {port}\n"
                f"unix_socket_directories = '{base}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        server.run("pg_ctl", "-D", str(server.data), "-l", str(server.log), "-w", "start")
        try:
            password = os.urandom(16).hex()
            with psycopg.connect(
                host=str(base), port=port, user="postgres", dbname="postgres", autocommit=True
            ) as con:
                # CREATEDB: each test that counts rows makes a database of its own.
                con.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{password}'")
                con.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
            yield f"postgresql://{ROLE}:{password}@127.0.0.1:{port}/{DATABASE}"
        finally:
            server.run("pg_ctl", "-D", str(server.data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)
