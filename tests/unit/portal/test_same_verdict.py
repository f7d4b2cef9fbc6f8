"""The portal's verdict is `evstats validate`'s: the same JSON, on every corpus file."""

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pipelines import cli
from pipelines.portal.commands import create_token
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.mark.django_db
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_the_api_verdict_is_the_command_lines(entry, capsys):
    path = CORPUS / entry["file"]
    region, year = entry["region"], str(entry["year"])
    cli.main(["validate", str(path), "--region", region, "--year", year, "--format", "json",
              "--lang", "fi"])  # fmt: skip
    expected = capsys.readouterr().out
    token = create_token(region, "")
    response = Client().post(
        "/api/v1/check?lang=fi",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "year": year},
        headers={"Authorization": f"Bearer {token}"},
    )
    if any(i["rule"] == "binary_file" for i in json.loads(expected)["issues"]):
        # Neither text nor a workbook: the portal refuses it unjudged, and keeps nothing.
        assert (response.status_code, response.json()["error"]) == (415, "not_a_submission_file")
        return
    assert response.status_code == 200
    assert json.dumps(response.json(), ensure_ascii=False, indent=2) + "\n" == expected
