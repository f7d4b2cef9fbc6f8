"""The JSON API live on its production server (`evstats serve`, gunicorn): the server
refuses oversized request lines and headers itself; a body without a token is answered
before it is read."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest
import requests

from tests.integration.portal import Portal, running_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with running_portal(tmp_path_factory.mktemp("api"), ["05"]) as running:
        yield running


@pytest.mark.parametrize(
    ("headers", "params", "status", "reason"),
    [
        ({}, {"pad": "x" * 2100}, 414, "Request Line is too large"),
        ({f"X-Header-{i}": "1" for i in range(60)}, {}, 431, "limit request headers fields"),
        ({"X-Header": "x" * 5000}, {}, 431, "limit request headers fields size"),
    ],
)
def test_the_server_refuses_oversized_request_lines_and_headers(
    portal, headers, params, status, reason
):
    response = requests.get(
        f"{portal.url}/api/v1/submissions", headers=headers, params=params, timeout=10
    )
    assert response.status_code == status
    assert reason in response.text.replace("&#x27;", "'")


def raw_post(portal: Portal, headers: str, body: bytes) -> bytes:
    """A request sent as bytes: headers declaring 300 MB, then only the first bytes of
    the body; the answer must come while the rest has not been sent."""
    host, port = portal.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: sv\r\n"
            + headers.encode()
            + b"Content-Type: multipart/form-data; boundary=x\r\n"
            + b"Content-Length: 314572800\r\n\r\n"
            + body
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            head, _, content = answer.partition(b"\r\n\r\n")
            length = re.search(rb"\r\nContent-Length: (\d+)\r\n", head)
            if length and len(content) >= int(length[1]):
                break
        return answer


def test_a_declared_300_mb_is_answered_before_the_body_is_sent(portal):
    answer = raw_post(portal, "", b"x" * 1024)
    assert answer.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert b'"error": "token_invalid"' in answer
    assert "Token (Bearer) saknas" in answer.decode()
    token = f"Authorization: Bearer {portal.tokens['05']}\r\n"
    answer = raw_post(portal, token, b"x" * 1024)
    assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
    assert "Filen är för stor: högst 50 MB." in answer.decode()


def test_a_chunked_body_is_told_to_declare_its_length(portal):
    response = requests.post(
        f"{portal.url}/api/v1/check?lang=en",
        data=iter([b"--x\r\n", b"--x--\r\n"]),  # a generator: sent chunked
        headers={
            "Authorization": f"Bearer {portal.tokens['05']}",
            "Content-Type": "multipart/form-data; boundary=x",
        },
        timeout=10,
    )
    assert response.status_code == 411
    assert response.json()["error"] == "length_required"
    assert response.json()["message"].startswith("The body must be multipart/form-data with")
