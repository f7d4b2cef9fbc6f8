"""The API's OpenAPI description is a valid OpenAPI 3.1 document and says what the code
does: the same addresses and methods, the fields the code writes, the values it can
give, and every refusal's status and key (with its words in three languages).
tests/integration/test_api_live.py runs schemathesis against a live portal with it."""

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import OpenAPIV31SpecValidator

from pipelines.contract.issues import Issue
from pipelines.contract.schema import load_schema
from pipelines.portal.texts import texts
from pipelines.register import lifecycle
from pipelines.settings import FIRST_YEAR
from pipelines.settings import today as finland_today
from tests.unit.portal.conftest import BAD

pytestmark = pytest.mark.django_db

PORTAL = Path(__file__).resolve().parents[3] / "pipelines" / "portal"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A method no operation has: it is answered outside every documented operation.
OUTSIDE_OPERATIONS = {("405", "method_not_allowed")}
# Its message is the reader's own, in the language asked; not a text of the portal.
READERS_MESSAGE = "not_a_submission_file"


@pytest.fixture
def spec() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")  # no token: it is open to anyone
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def resolved(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A node with its local `$ref` followed (the siblings of a `$ref` kept)."""
    if "$ref" not in node:
        return node
    target: Any = spec
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**resolved(spec, target), **{k: v for k, v in node.items() if k != "$ref"}}


def documented_refusals(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (status, error key) the description names under any operation."""
    found = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                content = resolved(spec, response).get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                error = schema.get("properties", {}).get("error", {})
                keys = [error["const"]] if "const" in error else error.get("enum", [])
                found |= {(status, key) for key in keys}
    return found


def refusals_in_code() -> set[tuple[str, str]]:
    """Every (status, key) the API's code and the services it calls answer with."""
    sources = [PORTAL / "api.py", PORTAL / "ratelimits.py"]
    sources += sorted((PORTAL / "services").glob("*.py"))
    pattern = re.compile(r'(?:Refused|error)\(\s*(\d{3}),\s*"(\w+)"')
    return {m for path in sources for m in pattern.findall(path.read_text(encoding="utf-8"))}


def test_the_description_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(spec).validate()


def test_the_description_has_the_apis_addresses_and_methods(spec):
    routes = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern))
        for p in get_resolver().url_patterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith("api/v1/")
    }
    assert routes == set(spec["paths"])
    client = Client()
    for path, operations in spec["paths"].items():
        documented = {m.upper() for m in operations}
        for method in METHODS:
            status = client.generic(method, path.replace("{submission_id}", "1")).status_code
            assert (status != 405) == (method in documented), (method, path, status)


def test_the_description_has_the_fields_and_values_the_code_gives(spec, token):
    schemas = spec["components"]["schemas"]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    sent = client.post(
        "/api/v1/submissions",
        {"file": SimpleUploadedFile("a.csv", BAD), "year": "2023"},
    ).json()
    assert set(schemas["Submission"]["properties"]) == set(sent)
    assert set(schemas["Submission"]["required"]) == set(sent)
    checked = client.post(
        "/api/v1/check", {"file": SimpleUploadedFile("a.csv", BAD), "year": "2023"}
    ).json()
    assert (
        set(schemas["Verdict"]["properties"]) == set(checked) == set(schemas["Verdict"]["required"])
    )
    assert set(schemas["Issue"]["properties"]) == {f.name for f in fields(Issue)}
    assert set(sent["issues"][0]) == set(schemas["Issue"]["required"])
    listed = client.get("/api/v1/submissions?year=2023").json()
    assert set(schemas["SubmissionList"]["properties"]) == set(listed)

    schema = load_schema()
    assert schemas["Submission"]["properties"]["state"]["enum"] == list(lifecycle.FILE_STATES)
    severities = {r.severity for r in schema.rules.values()}
    assert set(schemas["Issue"]["properties"]["severity"]["enum"]) == severities
    assert schemas["Kind"]["enum"] == [*schema.contracts, None]
    assert schemas["Year"]["minimum"] == FIRST_YEAR
    assert schemas["Year"]["maximum"] == finland_today().year  # filled in when served


def test_every_refusal_of_the_code_is_documented_with_its_words(spec):
    documented = documented_refusals(spec)
    assert documented | OUTSIDE_OPERATIONS == refusals_in_code()
    for _, key in documented - {(s, READERS_MESSAGE) for s, _ in documented}:
        assert set(texts()[key].forms) == {"fi", "sv", "en"}, key
