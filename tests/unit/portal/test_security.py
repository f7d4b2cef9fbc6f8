"""The portal's defences against a browser or a client that misbehaves: the content
security policy, the lockout's view of the client's address, and the rate limits."""

import pytest
from django.test import Client

from pipelines.portal.clients import client_address
from pipelines.portal.models import User
from tests.unit.portal.conftest import PASSWORD

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
