"""A NUL character in the texts people type (a region's explanation, the analyst's
message) is refused with a message in the reader's language, alike on SQLite and on
PostgreSQL, which cannot store one: the portal on its production server, on both."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg
import pytest
import requests

from tests.conftest import FIXTURES
from tests.integration.portal import PASSWORD, Portal, post_file, running_portal

GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()


def signed_in(portal: Portal, email: str, lang: str) -> requests.Session:
    """A browser's session: the sign-in form with its CSRF token, the language asked."""
    session = requests.Session()
    session.headers["Accept-Language"] = lang
    session.get(f"{portal.url}/login/", timeout=10)
    answer = session.post(
        f"{portal.url}/login/",
        {
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
    )
    assert answer.ok and not answer.url.endswith("/login/")
    return session


def form_post(session: requests.Session, url: str, data: dict[str, str]) -> str:
    """The page the browser lands on after sending the form."""
    answer = session.post(
        url, {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}, timeout=10
    )
    assert answer.status_code == 200
    return answer.text


def rows(portal: Portal, database_url: str | None, table: str) -> int:
    query = f"SELECT count(*) FROM {table}"
    if database_url:
        with psycopg.connect(database_url) as con:
            return con.execute(query).fetchone()[0]
    with closing(sqlite3.connect(portal.data_dir / "portal" / "portal.sqlite3")) as con:
        return con.execute(query).fetchone()[0]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_nul_in_an_explanation_or_a_review_is_refused_in_the_readers_language(
    database, tmp_path, request
):
    database_url = (
        request.getfixturevalue("postgresql_database") if database == "postgresql" else None
    )
    with running_portal(tmp_path, ["05"], database_url) as portal:
        sent = post_file(portal.url, portal.tokens["05"], "a.csv", GOOD)
        assert sent.status_code == 201
        pk = sent.json()["submission_id"]

        region = signed_in(portal, "kontakti@alue05.example", "sv")
        page = form_post(
            region,
            f"{portal.url}/submissions/{pk}/explain",
            {"rule": "incidents_changed", "reason": "recording_practice", "text": "Ny\x00rutin"},
        )
        assert "Null-tecken är inte tillåtna." in page
        assert "välj en orsak i listan" not in page  # the reason was not at fault

        analyst = signed_in(portal, "analyytikko@example.org", "en")
        page = form_post(
            analyst,
            f"{portal.url}/collection/2023/05/",
            {"state": "returned", "message": "Fix\x00 January"},
        )
        assert "Null characters are not allowed." in page
        assert "Say in the message what the area must correct." not in page  # it was said

        assert (rows(portal, database_url, "portal_explanation"),
                rows(portal, database_url, "portal_review")) == (0, 0)  # fmt: skip
        assert "Traceback" not in portal.log.read_text()
