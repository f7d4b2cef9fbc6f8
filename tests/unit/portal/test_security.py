"""The portal's defences against a browser or a client that misbehaves: the content
security policy, the lockout's view of the client's address, and the rate limits."""

from dataclasses import replace
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

from pipelines.portal import ratelimits
from pipelines.portal.clients import client_address
from pipelines.portal.models import User
from pipelines.portal.texts import t
from pipelines.register.models import Submission
from tests.unit.portal.conftest import FIXED, GOOD, PASSWORD, archived, signed_in

POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [("/login/", 200), ("/health", 200), ("/api/v1/submissions?year=2023", 401)],
)
def test_every_answer_carries_the_content_security_policy(path, status):
    response = Client().get(path)
    assert response.status_code == status
    assert directives(response["Content-Security-Policy"]) == POLICY


def sign_in_from(user: User, password: str, forwarded_for: str) -> int:
    """One sign-in through a proxy on this machine that forwarded `forwarded_for`."""
    response = Client().post(
        "/login/",
        {"username": user.email, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return response.status_code


def test_behind_a_trusted_proxy_one_persons_failures_lock_only_their_address(contact, settings):
    settings.TRUSTED_PROXIES = 1
    # The client may send a header of its own: the proxy appends the address it saw.
    failures = [sign_in_from(contact, "väärin", "10.9.9.9, 203.0.113.5") for _ in range(5)]
    assert failures == [200, 200, 200, 200, 429]  # the form again, then locked
    assert sign_in_from(contact, PASSWORD, "203.0.113.5") == 429
    assert sign_in_from(contact, PASSWORD, "198.51.100.7") == 302  # signed in


def test_without_trusted_proxies_the_forwarded_header_is_ignored(contact, settings):
    settings.TRUSTED_PROXIES = 0
    for _ in range(5):
        sign_in_from(contact, "väärin", "203.0.113.5")
    # Another forwarded address is the same client, 127.0.0.1: a client cannot escape
    # the lockout by naming addresses.
    assert sign_in_from(contact, PASSWORD, "198.51.100.7") == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (2, "203.0.113.5, 192.0.2.10", "203.0.113.5"),
        (2, "203.0.113.5", "127.0.0.1"),  # shorter than the chain: not through it
        (1, "not-an-address", "127.0.0.1"),
        (1, "", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_nearest_trusted_proxy_saw(
    proxies, forwarded, client, settings, rf
):
    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


@pytest.fixture
def per_minute(settings, monkeypatch) -> int:
    """Two files a minute, and the clock stopped: every request of a test falls in the
    same one-minute window of the rate limiter, wherever the minute stands."""
    settings.EVSTATS = replace(settings.EVSTATS, uploads_per_minute=2)
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_800_000_000))
    return 2


def api(path: str, token: str, data: bytes = GOOD, name: str = "a.csv", **extra: str):
    form = {"file": SimpleUploadedFile(name, data), "year": "2023"}
    return Client().post(path, form, headers={"Authorization": f"Bearer {token}"}, **extra)


def test_a_token_past_its_files_a_minute_is_answered_429_with_retry_after(
    per_minute, token, other_token, data_dir
):
    answers = [api("/api/v1/check", token) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    seconds = int(refused["Retry-After"])
    assert 1 <= seconds <= 60
    assert refused.json() == {
        "error": "rate_limited",
        "message": t("rate_limited", "fi", limit=2, seconds=seconds),
    }
    english = api("/api/v1/check?lang=en", token)
    assert english.status_code == 429
    assert english.json()["message"] == (
        f"Too many files in a short time: at most 2 a minute. Try again in {seconds} seconds."
    )
    # Another region's token has a minute of its own; reading is not limited.
    assert api("/api/v1/check", other_token).status_code == 200
    listed = Client().get(
        "/api/v1/submissions?year=2023", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.status_code == 200


def test_uploads_and_checks_share_the_limit_and_a_refused_file_is_not_kept(
    per_minute, token, data_dir
):
    assert api("/api/v1/check", token).status_code == 200
    assert api("/api/v1/submissions", token).status_code == 201
    assert api("/api/v1/submissions", token, FIXED, "b.csv").status_code == 429
    assert list(Submission.objects.values_list("file_name", flat=True)) == ["a.csv"]
    assert len(archived(data_dir)) == 1


def test_a_person_past_their_files_a_minute_gets_a_page_in_their_language(
    per_minute, contact, other_contact, data_dir
):
    client = signed_in(contact)
    client.post("/i18n/setlang/", {"language": "sv"})
    form = {"year": "2023", "action": "check"}
    answers = [
        client.post("/upload/", {**form, "file": SimpleUploadedFile("a.csv", GOOD)})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    seconds = int(answers[2]["Retry-After"])
    assert 1 <= seconds <= 60
    page = answers[2].content.decode()
    assert t("rate_limited", "sv", limit=2, seconds=seconds) in page
    assert '<html lang="sv">' in page
    # The limit is the person's, not the region's.
    other = signed_in(other_contact).post(
        "/upload/", {**form, "file": SimpleUploadedFile("a.csv", GOOD)}
    )
    assert other.status_code == 200


def test_a_register_that_cannot_count_is_503_not_a_rate_limit(
    per_minute, token, contact, monkeypatch
):
    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(ratelimits, "get_usage", locked)
    answer = api("/api/v1/check?lang=sv", token)
    assert (answer.status_code, answer.json()["error"]) == (503, "register_unavailable")
    client = signed_in(contact)
    client.post("/i18n/setlang/", {"language": "en"})
    form = {"year": "2023", "action": "check", "file": SimpleUploadedFile("a.csv", GOOD)}
    page = client.post("/upload/", form)
    assert page.status_code == 503
    assert t("register_unavailable", "en") in page.content.decode()
    assert "database is locked" not in page.content.decode()
