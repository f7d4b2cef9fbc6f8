"""The path as the access log writes it: one line per request, no sign-in token."""

import pytest

from pipelines.portal.server import loggable_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/v1/submissions/17", "/api/v1/submissions/17"),
        # A WSGI path is bytes read as Latin-1: "ä" arrived as the two bytes of UTF-8.
        ("/tiedosto/\u00c3\u00a4 100%", "/tiedosto/%C3%A4%20100%25"),
        ('/x\r\n127.0.0.1 "GET /" 200', "/x%0D%0A127.0.0.1%20%22GET%20/%22%20200"),
        ("/\x1b[2J\x00", "/%1B%5B2J%00"),
        ("/welcome/MQ/cf3k2a-0123456789abcdef/", "/welcome/MQ/[token]/"),
        ("/welcome/MQ/cf3k2a-0123456789abcdef", "/welcome/MQ/[token]"),
        # Django's second step keeps the token in the session, not in the path.
        ("/welcome/MQ/set-password/", "/welcome/MQ/set-password/"),
    ],
)
def test_a_path_is_logged_percent_encoded_and_without_the_sign_in_token(path, logged):
    assert loggable_path(path) == logged
