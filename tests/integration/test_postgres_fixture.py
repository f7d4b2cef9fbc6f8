"""The `postgresql_url` fixture starts a real server, reachable only from this machine."""

import socket
from urllib.parse import urlsplit

import psycopg
import pytest

from tests import postgres


def test_a_table_written_is_read_back(postgresql_url: str):
    with psycopg.connect(postgresql_url) as con:
        con.execute("CREATE TABLE fixture_check (id serial PRIMARY KEY, region text, n integer)")
        con.execute("INSERT INTO fixture_check (region, n) VALUES (%s, %s)", ("05", 42))
        assert con.execute("SELECT region, n FROM fixture_check").fetchall() == [("05", 42)]
        version = con.execute("SHOW server_version_num").fetchone()
        con.execute("DROP TABLE fixture_check")
    assert version is not None and int(version[0]) >= 150000


def test_the_server_listens_on_127_0_0_1_only(postgresql_url: str):
    url = urlsplit(postgresql_url)
    assert (url.hostname, url.scheme) == ("127.0.0.1", "postgresql")
    with psycopg.connect(postgresql_url) as con:
        assert con.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert con.execute("SELECT host(inet_server_addr())").fetchone() == ("127.0.0.1",)
    # 127.0.0.2 is this machine too: only a server bound to all addresses would answer there.
    for other in ("127.0.0.2", "::1"):
        with pytest.raises(OSError):
            socket.create_connection((other, url.port), timeout=2).close()


def test_the_role_needs_its_password(postgresql_url: str):
    url = urlsplit(postgresql_url)
    wrong = postgresql_url.replace(f":{url.password}@", ":not-the-password@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()


def _install(root, version: str) -> None:
    (root / version / "bin").mkdir(parents=True)
    for name in ("initdb", "pg_ctl", "postgres"):
        (root / version / "bin" / name).touch()


def test_the_newest_debian_version_is_chosen(tmp_path, monkeypatch):
    for version in ("9.6", "15", "11"):
        _install(tmp_path, version)
    (tmp_path / "16" / "bin").mkdir(parents=True)  # client only: no server binaries
    monkeypatch.setattr(postgres, "DEBIAN_VERSIONS", tmp_path)
    monkeypatch.setattr(postgres.shutil, "which", lambda _: None)
    assert postgres.find_bindir() == tmp_path / "15" / "bin"


def test_missing_binaries_are_an_error_that_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(postgres, "DEBIAN_VERSIONS", tmp_path)
    monkeypatch.setattr(postgres.shutil, "which", lambda _: None)
    with pytest.raises(postgres.PostgresUnavailable, match="make test` installs"):
        postgres.find_bindir()
