"""Personal data in a file's name and headers: masked in every answer, page, receipt and copy."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pipelines.register.models import Submission
from tests.unit.portal.conftest import GOOD, signed_in

pytestmark = pytest.mark.django_db

NAME = "matti_131052-308T_matti@example.fi_040 1234567.csv"
# Region 05's incidents with an e-mail address as an extra column's header and an
# identity code under it.
HEADER, _, ROWS = GOOD.partition(b"\n")
LINES = ROWS.splitlines()
DATA = b"\n".join(
    [HEADER + b",matti@example.fi", LINES[0] + b",131052-308T", *(x + b"," for x in LINES[1:])]
)
RAW = ("308T", "matti@", "matti_131052-308T", "1234567")


def unmasked(text: str) -> list[str]:
    return [raw for raw in RAW if raw in text]


def test_the_api_answer_and_the_receipt_hold_only_masked_texts(token):
    client = Client(headers={"Authorization": f"Bearer {token}"})
    upload = SimpleUploadedFile(NAME, DATA, content_type="text/csv")
    response = client.post("/api/v1/submissions", {"file": upload, "year": "2023"})
    assert response.status_code == 201
    body = response.json()
    assert body["file"] == "matti_131052-****_***@example.fi_040 ****.csv"
    assert {(i["row"], i["column"], i["rule"]) for i in body["issues"]} == {
        (1, "***@example.fi", "personal_data_header"),
        (2, "***@example.fi", "personal_data"),
    }
    assert unmasked(response.content.decode()) == []
    receipt = Submission.objects.get()
    stored = json.dumps([receipt.file_name, receipt.issues, receipt.headers])
    assert unmasked(stored) == []
    # Kept as codes and parameters: the masked column and the kinds in every language.
    assert [sorted(i) for i in receipt.issues] == [
        ["column", "params", "row", "rule", "severity", "value"]
    ] * 2
    assert receipt.issues[0]["params"]["column"] == "***@example.fi"
    listed = client.get("/api/v1/submissions?year=2023")
    assert unmasked(listed.content.decode()) == []


def test_the_receipt_page_and_the_annotated_copy_hold_only_masked_texts(contact):
    client = signed_in(contact)
    upload = SimpleUploadedFile(NAME, DATA, content_type="text/csv")
    client.post("/upload/", {"file": upload, "year": "2023"})
    sub = Submission.objects.get()
    page = client.get(f"/submissions/{sub.pk}/")
    assert "***@example.fi" in page.content.decode()
    assert unmasked(page.content.decode()) == []
    response = client.get(f"/submissions/{sub.pk}/annotated.xlsx")
    assert unmasked(response["Content-Disposition"]) == []
    copy = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    xml = "".join(copy.read(name).decode() for name in copy.namelist())
    assert "***@example.fi" in xml
    assert unmasked(xml) == []
