"""The JSON API: every status code of its contract, and one region never seeing another's."""

import errno
import hashlib
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

from pipelines.portal.models import ApiToken
from pipelines.portal.texts import t
from pipelines.register import receipts
from pipelines.register.models import RegionYear, Submission
from pipelines.register.runs import record_published
from tests.unit.portal.conftest import BAD, FIXED, GOOD, archived, earlier_year

pytestmark = pytest.mark.django_db


def post(path: str, token: str | None, **data: object):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(path, data, headers=headers)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_submission_is_received_with_its_verdict_and_receipt(token, data_dir):
    response = post("/api/v1/submissions", token, file=upload("tilanteet.csv", BAD), year="2023")
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {
        "submission_id", "file", "kind", "region_code", "year", "accepted", "status",
        "state", "repeats", "sha256", "received_at", "in_force", "issues",
    }  # fmt: skip
    assert (body["file"], body["kind"], body["region_code"], body["year"]) == (
        "tilanteet.csv", "incidents", "05", 2023,
    )  # fmt: skip
    assert (body["accepted"], body["status"], body["state"]) == (False, "rejected", "rejected")
    # Nothing repeated, and no run has looked at the file yet.
    assert (body["repeats"], body["in_force"]) == (None, None)
    assert body["sha256"] == hashlib.sha256(BAD).hexdigest()
    [issue] = body["issues"]
    assert (issue["row"], issue["column"], issue["value"], issue["rule"]) == (
        3, "incident_type", "shouting", "code",
    )  # fmt: skip
    # The file itself is in the content-addressed archive, read-only; never in the inbox.
    assert archived(data_dir) == [Path("2023", "05", f"{body['sha256']}.csv")]
    stored = data_dir / "archive" / "2023" / "05" / f"{body['sha256']}.csv"
    assert stored.read_bytes() == BAD
    assert stat.S_IMODE(stored.stat().st_mode) & 0o222 == 0
    assert not (data_dir / "inbox").exists()
    receipt = Submission.objects.get(pk=body["submission_id"])
    assert (receipt.errors, receipt.token.region_code) == (1, "05")
    assert (receipt.channel, receipt.seq, receipt.stored_name[-21:]) == (
        "api", 1, f"_{body['sha256'][:16]}.csv",
    )  # fmt: skip


def test_check_gives_the_verdict_and_stores_nothing(token, data_dir):
    response = post("/api/v1/check", token, file=upload("a.csv", GOOD), year="2023")
    assert response.status_code == 200
    assert response.json() == {
        "file": "a.csv", "kind": "incidents", "region_code": "05", "year": 2023,
        "accepted": True, "issues": [],
    }  # fmt: skip
    assert Submission.objects.count() == 0
    assert not (data_dir / "inbox").exists() and not (data_dir / "archive").exists()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer evs_wrong", "Token x", "Basic a"])
def test_no_or_a_bad_token_is_401_with_a_message(header):
    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/v1/submissions?year=2023", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_no_longer_opens(token):
    ApiToken.objects.update(revoked=True)
    assert post("/api/v1/check", token, file=upload("a.csv", GOOD), year="2023").status_code == 401


def test_only_the_hash_of_a_token_is_stored(token):
    stored = ApiToken.objects.get()
    assert token.startswith("evs_") and len(token) > 40
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values()))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"year": "2023"}, "file_missing"),
        ({"file": "FILE"}, "year_missing"),
        ({"file": "FILE", "year": "kaksi"}, "year_invalid"),
        ({"file": "FILE", "year": "2013"}, "year_invalid"),
        ({"file": "FILE", "year": "2999"}, "year_invalid"),
    ],
)
def test_a_missing_file_or_year_is_400(token, data, error):
    data = {k: upload("a.csv", GOOD) if v == "FILE" else v for k, v in data.items()}
    response = post("/api/v1/submissions", token, **data)
    assert (response.status_code, response.json()["error"]) == (400, error)
    assert response.json()["message"]
    assert Submission.objects.count() == 0


def test_a_year_holding_an_identity_code_is_not_echoed_back(token):
    response = post(
        "/api/v1/submissions?lang=en", token, file=upload("a.csv", GOOD), year="131052-308T"
    )
    assert (response.status_code, response.json()["error"]) == (400, "year_invalid")
    assert "308T" not in response.content.decode()
    assert "131052-****" in response.json()["message"]


def test_a_file_over_the_size_limit_is_413(token, settings):
    settings.EVSTATS = replace(settings.EVSTATS, max_file_mb=1)
    big = GOOD + b"x" * (1024 * 1024)
    response = post("/api/v1/submissions", token, file=upload("big.csv", big), year="2023")
    assert (response.status_code, response.json()["error"]) == (413, "upload_too_large")
    assert "1" in response.json()["message"]
    assert Submission.objects.count() == 0


def test_after_the_hard_close_uploads_are_409_but_checks_still_answer(token):
    # 2022 closed on 30 June 2023 (config/evstats.toml); only 2023 is reopened for tests.
    late = GOOD.replace(b"2023-", b"2022-")
    response = post("/api/v1/submissions", token, file=upload("a.csv", late), year="2022")
    assert (response.status_code, response.json()["error"]) == (409, "collection_closed")
    assert "30. kesäkuuta 2023" in response.json()["message"]
    assert post("/api/v1/check", token, file=upload("a.csv", late), year="2022").status_code == 200


def test_content_decides_the_type_not_the_name(token, data_dir):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = post("/api/v1/submissions", token, file=upload("kuva.csv", png), year="2023")
    assert (response.status_code, response.json()["error"]) == (415, "not_a_submission_file")
    assert not (data_dir / "inbox").exists() and not (data_dir / "archive").exists()
    assert Submission.objects.count() == 0


def test_hostile_wide_files_get_the_readers_verdict(token):
    """The portal judges with the reader `evstats validate` uses: a last row followed by a
    million commas is an error of that row, a header of a million names is too wide."""
    commas = GOOD.rstrip(b"\n") + b"," * 1_000_000 + b"\n"
    body = post("/api/v1/check?lang=en", token, file=upload("a.csv", commas), year="2023").json()
    assert body["accepted"] is False
    assert [(i["severity"], i["rule"], i["row"]) for i in body["issues"]] == [
        ("error", "row_too_wide", 21)
    ]
    header = b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n"
    body = post("/api/v1/check?lang=en", token, file=upload("b.csv", header), year="2023").json()
    assert [(i["rule"], i["message"]) for i in body["issues"]] == [
        ("too_many_columns", "The header has 1000000 columns; at most 60 are allowed.")
    ]


def test_a_region_lists_and_fetches_only_its_own_submissions(token, other_token):
    own = post("/api/v1/submissions", token, file=upload("a.csv", GOOD), year="2023").json()
    theirs_file = GOOD.replace(b",05,", b",06,")
    theirs = post(
        "/api/v1/submissions", other_token, file=upload("b.csv", theirs_file), year="2023"
    ).json()
    assert theirs["region_code"] == "06"
    client = Client(headers={"Authorization": f"Bearer {token}"})
    listed = client.get("/api/v1/submissions?year=2023").json()["submissions"]
    assert [s["submission_id"] for s in listed] == [own["submission_id"]]
    assert client.get(f"/api/v1/submissions/{own['submission_id']}").status_code == 200
    response = client.get(f"/api/v1/submissions/{theirs['submission_id']}")
    assert (response.status_code, response.json()["error"]) == (404, "submission_not_found")
    assert client.get("/api/v1/submissions/999999").status_code == 404


def test_messages_come_in_the_language_asked_for(token):
    for lang, word in (("sv", "Statistikåret"), ("en", "statistics year")):
        response = post(f"/api/v1/check?lang={lang}", token, file=upload("a.csv", GOOD))
        assert word in response.json()["message"]
    response = Client().post(
        "/api/v1/check",
        {"file": upload("a.csv", BAD), "year": "2023"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.json()["issues"][0]["message"].startswith("The value “shouting” is not allowed")


def test_a_user_given_file_name_never_becomes_a_path(token, data_dir):
    response = post(
        "/api/v1/submissions", token, file=upload("../../../etc/cron.d/x.csv", GOOD), year="2023"
    )
    assert response.status_code == 201
    assert archived(data_dir) == [Path("2023", "05", f"{hashlib.sha256(GOOD).hexdigest()}.csv")]
    assert sorted(p.name for p in data_dir.iterdir()) == ["archive"]
    receipt = Submission.objects.get()
    assert ".." not in receipt.stored_name and "cron" not in receipt.stored_name


def test_personal_data_is_masked_in_the_answer(token):
    hetu = "131052-308T"
    first = b"05-01,05,2023-03-01,08:15,B,verbal,patient,alcohol,ambulance,no,no,yes,none,,2,"
    data = GOOD.replace(first, first + f"potilas {hetu}".encode())
    response = post("/api/v1/submissions", token, file=upload(f"{hetu}.csv", data), year="2023")
    assert hetu not in response.content.decode()
    assert "308T" not in response.content.decode()
    assert any(i["rule"].startswith("personal") for i in response.json()["issues"])


def test_check_warns_of_a_doubling_against_the_registers_history(token, data_dir):
    """Region 05 had 20 incidents in 2022 by the file in force in the register; its 2023
    file holds the fixture's 20 twice under other ids, and one more."""
    earlier_year(incidents=20)  # the same shares of incident types as the file's
    types = {"verbal": 10, "physical_mild": 10}
    assert receipts.history() == {
        "05": {"2022": {"incidents": 20, "codes": {"incident_type": types}}}
    }
    header, *rows = GOOD.decode().splitlines()
    doubled = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    data = "\n".join([header, *doubled]).encode()
    body = post("/api/v1/check?lang=en", token, file=upload("a.csv", data), year="2023").json()
    assert body["accepted"] is True
    assert [(i["rule"], i["severity"], i["row"], i["value"]) for i in body["issues"]] == [
        ("incidents_changed", "warning", None, "41")
    ]
    assert body["issues"][0]["message"].startswith("The file has 41 incidents, against 20 in 2022.")


def sent(token: str, data: bytes, name: str = "a.csv", lang: str = "fi") -> dict:
    response = post(f"/api/v1/submissions?lang={lang}", token, file=upload(name, data), year="2023")
    assert response.status_code == 201, response.content
    return response.json()


def test_earlier_bytes_sent_again_take_force_again_and_name_the_receipt_they_repeat(
    token, data_dir
):
    first = sent(token, GOOD, "eka.csv")
    fixed = sent(token, FIXED, "korjattu.csv")
    again = sent(token, GOOD, "eka_uudelleen.csv")
    assert [(r["state"], r["repeats"], r["in_force"]) for r in (first, fixed, again)] == [
        ("in_force", None, None),
        ("in_force", None, None),
        ("in_force", first["submission_id"], None),
    ]
    # Each receipt as the register keeps it now: one file in force, the others replaced.
    client = Client(headers={"Authorization": f"Bearer {token}"})
    states = {
        s["submission_id"]: (s["state"], s["repeats"])
        for s in client.get("/api/v1/submissions?year=2023").json()["submissions"]
    }
    assert states == {
        first["submission_id"]: ("superseded", None),
        fixed["submission_id"]: ("superseded", None),
        again["submission_id"]: ("in_force", first["submission_id"]),
    }
    got = client.get(f"/api/v1/submissions/{first['submission_id']}").json()
    assert got["state"] == "superseded"
    assert list(Submission.objects.order_by("seq").values_list("seq", "file_name")) == [
        (1, "eka.csv"), (2, "korjattu.csv"), (3, "eka_uudelleen.csv"),
    ]  # fmt: skip
    region_year = RegionYear.objects.get(year=2023, region_code="05")
    assert (region_year.state, region_year.next_seq) == ("awaiting_review", 4)
    # The same bytes are one archived file, however often they came.
    assert archived(data_dir) == sorted(
        Path("2023", "05", f"{hashlib.sha256(d).hexdigest()}.csv") for d in (GOOD, FIXED)
    )


def test_the_bytes_in_force_sent_again_change_nothing(token, analyst, data_dir):
    from pipelines.portal.services.review import current_review, decide
    from pipelines.register.runs import record_loaded

    first = sent(token, GOOD)
    held = Submission.objects.get(pk=first["submission_id"])
    record_loaded([held.pk], {})
    record_published(2023, [held.pk])
    decide("05", 2023, "accepted", "", analyst)
    before = RegionYear.objects.get(year=2023, region_code="05")
    assert before.state == "accepted"

    again = sent(token, GOOD, "sama.csv", lang="en")
    assert (again["accepted"], again["state"], again["repeats"]) == (
        True, "unchanged", first["submission_id"],
    )  # fmt: skip
    assert again["in_force"] is None  # no run has looked at the new receipt
    # The file in force stays the one in force, published as before; the year stays
    # accepted, with its review, and no change was recorded.
    held.refresh_from_db()
    assert (held.state, held.published, held.repeats_id) == ("in_force", True, None)
    after = RegionYear.objects.get(year=2023, region_code="05")
    assert (after.state, after.changed_at, after.next_seq) == ("accepted", before.changed_at, 3)
    assert current_review("05", 2023).state == "accepted"
    assert Submission.objects.filter(state="in_force").get().pk == held.pk
    assert archived(data_dir) == [Path("2023", "05", f"{first['sha256']}.csv")]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get(f"/api/v1/submissions/{held.pk}").json()["in_force"] is True


def test_a_full_disk_is_507_in_the_language_asked_and_leaves_no_file_and_no_receipt(
    token, data_dir, monkeypatch
):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # the archive's write, half done
    response = post("/api/v1/submissions?lang=sv", token, file=upload("a.csv", GOOD), year="2023")
    assert response.status_code == 507
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "storage_full", "message": t("storage_full", "sv")}
    assert "diskutrymme" in response.json()["message"]
    assert Submission.objects.count() == 0 and RegionYear.objects.count() == 0
    assert archived(data_dir) == []  # not even the temporary file


def test_a_register_that_does_not_answer_is_503_in_the_language_asked(token, data_dir, monkeypatch):
    def locked(*args: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(receipts, "lock_region_year", locked)
    response = Client().post(
        "/api/v1/submissions",
        {"file": upload("a.csv", GOOD), "year": "2023"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": "register_unavailable",
        "message": t("register_unavailable", "en"),
    }
    assert response.json()["message"].startswith("The portal cannot answer now")
    assert Submission.objects.count() == 0
    # The archived bytes no receipt names are found in place when the region sends again.
    digest = hashlib.sha256(GOOD).hexdigest()
    assert archived(data_dir) == [Path("2023", "05", f"{digest}.csv")]
    monkeypatch.undo()
    assert sent(token, GOOD)["state"] == "in_force"
    assert archived(data_dir) == [Path("2023", "05", f"{digest}.csv")]


def test_a_register_that_cannot_give_the_history_is_503_before_anything_is_kept(
    token, data_dir, monkeypatch
):
    def locked(*args: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(receipts, "history", locked)
    for path in ("/api/v1/submissions?lang=sv", "/api/v1/check?lang=sv"):
        response = post(path, token, file=upload("a.csv", GOOD), year="2023")
        assert (response.status_code, response.json()) == (
            503,
            {"error": "register_unavailable", "message": t("register_unavailable", "sv")},
        )
    assert Submission.objects.count() == 0
    assert not (data_dir / "archive").exists()
