"""What the API refuses before or instead of reading a body: every refusal is JSON with
its key and a message in the language asked, and a client without a token never gets
its body read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pipelines.portal.texts import t
from pipelines.register.models import Submission
from tests.unit.portal.conftest import GOOD

pytestmark = pytest.mark.django_db

HUGE = str(300 * 1024 * 1024)
# A chunked body has no declared length: Django would read it as empty.
CHUNKED = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"}


class UnreadableBody:
    """A WSGI input that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args: object) -> bytes:
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.csv", GOOD, content_type="text/csv")


@pytest.mark.parametrize(
    ("authorized", "extra", "status", "key", "params"),
    [
        # 300 MB declared, no token: 401 before a byte of the body.
        (False, {"CONTENT_LENGTH": HUGE}, 401, "token_invalid", {}),
        # The same with a region's token: 413 by the declared length alone.
        (True, {"CONTENT_LENGTH": HUGE}, 413, "upload_too_large", {"limit": 50}),
        (True, CHUNKED, 411, "length_required", {}),
        # A length that is not a number (a superscript two passes str.isdigit).
        (True, {"CONTENT_LENGTH": "\u00b2"}, 411, "length_required", {}),
    ],
)  # fmt: skip
def test_a_body_is_not_read_before_the_token_and_its_length_are_checked(
    token, authorized, extra, status, key, params
):
    body = UnreadableBody()
    # The language by the header: `?lang=` spared the body even before.
    headers = {"Accept-Language": "en"}
    if authorized:
        headers["Authorization"] = f"Bearer {token}"
    response = Client().generic(
        "POST",
        "/api/v1/submissions",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        headers=headers,
        **{**extra, "wsgi.input": body},
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": key, "message": t(key, "en", **params)}
    assert body.reads == 0
    assert Submission.objects.count() == 0


FILE = object()  # a fresh upload of GOOD in its place


def send(token: str, method: str, path: str, lang: str, data: object = None, **extra: object):
    """As an incident system sends it, with the region's token and the language asked by
    Accept-Language (by `?lang=` where the path has it)."""
    client = Client(headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})
    if method == "POST" and isinstance(data, dict):
        data = {
            k: [upload() for _ in v] if isinstance(v, list) and FILE in v
            else upload() if v is FILE else v
            for k, v in data.items()
        }  # fmt: skip
    if method == "POST" and data is not None:
        return client.post(path, data, **extra)
    return client.generic(method, path, **extra)


MULTIPART_NO_BOUNDARY = (
    b'--x\r\nContent-Disposition: form-data; name="year"\r\n\r\n2023\r\n--x--\r\n'
)
CASES = [
    # (what, method, path, data, extra, lang, status, key, params)
    ("trailing slash", "GET", "/api/v1/submissions/?year=2023", None, {},
     "sv", 404, "api_not_found", {}),
    ("trailing slash on a POST", "POST", "/api/v1/check/", {"file": FILE, "year": "2023"}, {},
     "en", 404, "api_not_found", {}),
    ("negative id", "GET", "/api/v1/submissions/-1", None, {},
     "en", 404, "api_not_found", {}),
    ("id that is not a number", "GET", "/api/v1/submissions/abc?lang=sv", None, {},
     "sv", 404, "api_not_found", {}),
    ("unknown address", "GET", "/api/v2/submissions", None, {},
     "en", 404, "api_not_found", {}),
    ("unknown method", "DELETE", "/api/v1/submissions?lang=sv", None, {},
     "sv", 405, "method_not_allowed", {"allowed": "GET, POST"}),
    ("GET of a POST-only address", "GET", "/api/v1/check", None, {},
     "en", 405, "method_not_allowed", {"allowed": "POST"}),
    ("1,001 fields", "POST", "/api/v1/check",
     {"file": FILE, "year": "2023", **{f"f{i}": "x" for i in range(1001)}}, {},
     "sv", 400, "too_many_fields", {"fields": 200, "files": 5}),
    ("3 MB text field", "POST", "/api/v1/submissions",
     {"file": FILE, "year": "2023", "note": "x" * 3_000_000}, {},
     "en", 413, "field_too_large", {"limit": 256}),
    ("multipart without a boundary", "POST", "/api/v1/submissions?lang=sv", MULTIPART_NO_BOUNDARY,
     {"content_type": "multipart/form-data"},
     "sv", 400, "body_malformed", {}),
    ("JSON body", "POST", "/api/v1/submissions", '{"year": 2023, "file": "incidents.csv"}',
     {"content_type": "application/json"},
     "en", 415, "body_not_multipart", {}),
    ("form without a file part", "POST", "/api/v1/check", "year=2023",
     {"content_type": "application/x-www-form-urlencoded"},
     "sv", 415, "body_not_multipart", {}),
    ("chunked body", "POST", "/api/v1/submissions", None,
     {"CONTENT_TYPE": "multipart/form-data; boundary=x", **CHUNKED},
     "en", 411, "length_required", {}),
    ("two years", "POST", "/api/v1/submissions", {"file": FILE, "year": ["2023", "2024"]}, {},
     "sv", 400, "field_repeated", {"field": "year"}),
    ("two files", "POST", "/api/v1/submissions", {"file": [FILE, FILE], "year": "2023"}, {},
     "en", 400, "field_repeated", {"field": "file"}),
    ("two years in the query", "GET", "/api/v1/submissions?year=2023&year=2024", None, {},
     "sv", 400, "field_repeated", {"field": "year"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "data", "extra", "lang", "status", "key", "params"),
    [pytest.param(*case, id=what) for what, *case in CASES],
)
def test_every_refusal_is_json_in_the_language_asked(
    token, method, path, data, extra, lang, status, key, params
):
    response = send(token, method, path, lang, data, **extra)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": key, "message": t(key, lang, **params)}
    assert response.json()["message"] != t(key, "fi", **params)
    if status == 405:
        assert response["Allow"] == params["allowed"]
    assert Submission.objects.count() == 0
