"""The portal's defences against a browser or a client that misbehaves: the content
security policy, the lockout's view of the client's address, and the rate limits."""

import pytest
from django.test import Client

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
