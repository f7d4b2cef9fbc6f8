"""The pages: sign-in, a region's upload and receipts, the analyst's collection view."""

import base64
import csv
import errno
import hashlib
import io
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

from pipelines.portal.texts import t
from pipelines.register import receipts
from pipelines.register.models import RegionYear, Submission
from pipelines.register.runs import record_run
from tests.unit.portal.conftest import (
    BAD,
    FIXED,
    GOOD,
    PASSWORD,
    archived,
    earlier_year,
    signed_in,
)

pytestmark = pytest.mark.django_db


def send(client: Client, data: bytes, action: str = "submit", name: str = "tilanteet.csv", **extra):
    form = {"file": SimpleUploadedFile(name, data), "year": "2023", "action": action, **extra}
    return client.post("/upload/", form, follow=True)


def text(response) -> str:
    """The page's visible text, tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_pages_need_a_sign_in():
    client = Client()
    for path in ("/", "/submissions/1/", "/collection/2023/", "/templates/fi/template_fi.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_contact_signs_in_with_the_address_and_sees_their_region(contact):
    client = Client()
    page = client.get("/login/")
    assert "Sähköposti" in text(page) and 'lang="fi"' in page.content.decode()
    response = client.post(
        "/login/", {"username": contact.email, "password": PASSWORD}, follow=True
    )
    assert "Pirkanmaan hyvinvointialue (05)" in text(response) or "(05)" in text(response)
    assert "Lähetä tiedosto" in text(response)


def banner(client: Client, data: bytes, name: str = "tilanteet.csv") -> list[tuple[str, str]]:
    """The messages the receipt's page shows after an upload, with their levels."""
    response = send(client, data, name=name)
    assert response.redirect_chain[-1][0].startswith("/submissions/")
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def test_a_bad_file_gets_a_located_issue_and_a_receipt(contact, data_dir):
    response = send(signed_in(contact), BAD)
    page = text(response)
    assert "Vastaanottokuittaus" in page and "HYLÄTTY" in page
    # The banner says what the verdict says: rejected, not received.
    assert "Tiedosto tilanteet.csv hylättiin. Korjaa virheet ja lähetä uudelleen." in page
    assert "vastaanotettu" not in page
    # Row, the header as the file wrote it, the value and what to do.
    assert re.search(r"VIRHE 3 incident_type shouting Arvo ”shouting” ei ole sallittu", page)
    sub = Submission.objects.get()
    assert sub.sha256 in page and str(sub.pk) in page
    assert "korostettu" in page  # the link to the annotated copy
    assert "Tila Hylätty" in page  # its place in the lifecycle
    assert (sub.state, sub.channel) == ("rejected", "portal")


def test_the_banner_is_an_error_for_a_rejected_file_and_says_received_otherwise(contact):
    client = signed_in(contact)
    assert banner(client, BAD, "huono.csv") == [
        ("error", "Tiedosto huono.csv hylättiin. Korjaa virheet ja lähetä uudelleen.")
    ]
    assert banner(client, GOOD, "hyva.csv") == [("success", "Tiedosto hyva.csv vastaanotettu.")]
    held = Submission.objects.get(file_name="hyva.csv")
    assert banner(client, GOOD, "sama.csv") == [
        (
            "success",
            "Tiedosto sama.csv vastaanotettu. "
            f"Sama tiedosto on jo käytössä (lähetys {held.pk}): mikään ei muuttunut.",
        )
    ]
    assert banner(client, FIXED, "korjattu.csv")[0][0] == "success"
    assert banner(client, GOOD, "taas.csv") == [
        (
            "success",
            "Tiedosto taas.csv vastaanotettu. "
            f"Tiedosto on sama kuin lähetys {held.pk}: se on nyt jälleen käytössä.",
        )
    ]


def test_the_banner_is_amber_for_a_file_accepted_with_warnings(contact):
    """41 incidents against 20 in 2022, in the same shares: accepted, with the one
    plausibility warning incidents_changed to explain."""
    earlier_year(incidents=20)
    header, *rows = GOOD.decode().splitlines()
    lines = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    doubled = "\n".join([header, *lines]).encode()
    assert banner(signed_in(contact), doubled, "kaksi.csv") == [
        (
            "warning",
            "Tiedosto kaksi.csv vastaanotettu, mutta siinä on 1 varoitus: "
            "tarkista se alta ja korjaa tai selitä.",
        )
    ]
    sent = Submission.objects.get(file_name="kaksi.csv")
    assert [i["rule"] for i in sent.issues] == ["incidents_changed"]


def test_check_only_stores_nothing(contact, data_dir):
    page = text(send(signed_in(contact), GOOD, action="check"))
    assert "Tarkistuksen tulos" in page and "HYVÄKSYTTY" in page and "20 riviä" in page
    assert Submission.objects.count() == 0 and not (data_dir / "inbox").exists()
    assert not (data_dir / "archive").exists()


def test_a_checked_file_with_issues_offers_its_annotated_copy_and_keeps_nothing(contact, data_dir):
    response = send(signed_in(contact), BAD, action="check", name="huono.csv")
    [link] = re.findall(
        r'<a class="button" href="([^"]+)" download="([^"]+)"', response.content.decode()
    )
    href, name = link
    prefix = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
    assert href.startswith(prefix) and name == "huono_tarkistettu.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href.removeprefix(prefix))))
    marked = [c for row in book["Tapahtumat"].iter_rows() for c in row if c.comment]
    assert [(c.coordinate, c.value) for c in marked] == [("F3", "shouting")]
    assert "Sallitut arvot" in marked[0].comment.text
    assert Submission.objects.count() == 0
    assert not (data_dir / "archive").exists() and not (data_dir / "inbox").exists()
    # A file without issues has nothing to mark.
    clean = send(signed_in(contact), GOOD, action="check").content.decode()
    assert "data:application" not in clean


def test_a_checked_file_longer_than_the_bound_points_to_its_receipt_for_the_copy(
    contact, monkeypatch
):
    """BAD has 20 rows: with the bound at 19 the answer carries no copy, and says why."""
    monkeypatch.setattr("pipelines.portal.services.uploads.CHECKED_COPY_MAX_ROWS", 19)
    page = send(signed_in(contact), BAD, action="check").content.decode()
    assert "data:application" not in page
    assert "Tiedostossa on yli 19 riviä: korostettu kopio tehdään vain lähetetystä" in page


def test_a_contact_never_sees_another_regions_receipt(contact, other_contact):
    send(signed_in(other_contact), GOOD.replace(b",05,", b",06,"))
    theirs = Submission.objects.get()
    client = signed_in(contact)
    assert client.get(f"/submissions/{theirs.pk}/").status_code == 404
    assert client.get(f"/submissions/{theirs.pk}/annotated.xlsx").status_code == 404
    assert theirs.file_name not in client.get("/?year=2023").content.decode()
    assert client.get("/collection/2023/").status_code == 403


def test_a_contact_submits_for_their_own_region_only(contact, data_dir):
    send(signed_in(contact), GOOD, region="06")
    assert Submission.objects.get().region_code == "05"
    assert archived(data_dir) == [Path("2023", "05", f"{hashlib.sha256(GOOD).hexdigest()}.csv")]
    assert not (data_dir / "inbox").exists()


def test_the_history_shows_every_file_of_the_region_and_year(contact):
    client = signed_in(contact)
    send(client, BAD, name="eka.csv")
    send(client, GOOD, name="toka.csv")
    page = text(client.get("/?year=2023"))
    assert page.index("toka.csv") < page.index("eka.csv")  # newest first
    # No run yet: the accepted file waits for the statistics run, the rejected never will.
    assert page.count("Odottaa tilastoajoa") == 1
    assert re.search(r"eka\.csv Tapahtumat HYLÄTTY Ei ", page)


def test_the_language_switch_changes_every_text(contact):
    client = signed_in(contact)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    page = client.get("/?year=2023")
    assert 'lang="sv"' in page.content.decode()
    assert "Skicka en fil" in text(page)
    page = text(send(client, BAD))
    assert "AVVISAD" in page and "FEL" in page


def test_templates_download_in_the_language(contact):
    client = signed_in(contact)
    response = client.get("/templates/sv/incidents_template_sv.csv")
    assert response.status_code == 200
    assert b"incident_id" not in b"".join(response.streaming_content)
    assert client.get("/templates/fi/../../secret_key").status_code == 404
    assert client.get("/templates/de/template_de.xlsx").status_code == 404


def test_the_analyst_sees_all_regions_at_a_glance(analyst, contact):
    send(signed_in(contact), BAD)
    send(signed_in(contact), GOOD.replace(b"incident_id", b"incident_id"), name="ok.csv")
    client = signed_in(analyst)
    assert client.get("/", follow=True).redirect_chain[-1][0].startswith("/collection/")
    page = text(client.get("/collection/2023/"))
    # 22 areas: 05 has incidents accepted, nothing else received.
    assert page.count("Puuttuu") == 43
    assert "Tapahtumat: 1 hyväksytty, 0 hylättyä, 21 puuttuu" in page


def test_non_submitters_are_listed_with_their_contacts(analyst, contact, other_contact):
    send(signed_in(contact), GOOD)
    response = signed_in(analyst).get("/collection/2023/missing.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Aluekoodi", "Alue", "Puuttuvat tiedostot", "Yhteyshenkilöt"]
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == 22  # 05 still lacks its missions
    assert by_code["05"][2] == "Ensihoitotehtävät"
    assert by_code["06"][3] == "kontakti@alue06.example"


def test_session_cookies_are_http_only_and_same_site(contact):
    response = Client().post("/login/", {"username": contact.email, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_sign_in_is_locked_after_five_failures(contact):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": contact.email, "password": "väärin"})
    response = client.post("/login/", {"username": contact.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "15 minuutin" in text(response)


def test_health_answers_for_a_process_manager_and_tells_nothing_else(contact):
    send(signed_in(contact), GOOD)
    assert Client().get("/health").json() == {"status": "ok"}


def test_a_failed_run_is_shown_to_the_analyst(analyst):
    client = signed_in(analyst)
    page = text(client.get("/collection/2023/"))
    assert "epäonnistui" not in page
    assert "Tälle vuodelle ei ole vielä tilastoajoa." in page
    record_run(2023, "abc123", "failure", at=datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    page = text(client.get("/collection/2023/"))
    # In Helsinki time, as every time on the pages.
    assert "Tilastoajo viimeksi: 26.11.2026 klo 7.00." in page
    assert "tilastoajo epäonnistui (26.11.2026 klo 7.00, ajo abc123)" in page
    record_run(2023, "def456", "success", at=datetime(2026, 11, 27, 5, 0, tzinfo=UTC))
    page = text(client.get("/collection/2023/"))
    assert "epäonnistui" not in page and "Tilastoajo viimeksi: 27.11.2026 klo 7.00." in page


def test_the_filled_template_is_taken_and_its_annotated_copy_comes_back(contact, data_dir, schema):
    from openpyxl import load_workbook

    from tests.workbooks import filled_template

    row = ["X1", "05", "2023-03-01", "07:05", "A", "shouting", "patient", "alcohol", "ambulance"]
    row += ["no", "no", "yes", "none", None, "2", None]
    book = filled_template(schema, "fi", {"incidents": [row]})
    client = signed_in(contact)
    page = text(send(client, book, name="pohja.xlsx"))
    assert "HYLÄTTY – Tapahtumat, 1 rivi; 1 virhe" in page
    sub = Submission.objects.get()
    assert sub.stored_name.endswith(".xlsx")
    assert archived(data_dir) == [Path("2023", "05", f"{sub.sha256}.xlsx")]
    response = client.get(f"/submissions/{sub.pk}/annotated.xlsx")
    assert response["Content-Disposition"].endswith('pohja_tarkistettu.xlsx"')
    copy = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    marked = [c for s in copy.worksheets for r in s.iter_rows() for c in r if c.comment]
    assert [(c.row, c.value) for c in marked] == [(2, "shouting")]


def at(monkeypatch, when: datetime) -> None:
    """The register receives the next files at `when` (UTC)."""
    monkeypatch.setattr(receipts, "timezone", SimpleNamespace(now=lambda: when))


def cells(page: str, region: str) -> list[tuple[str, str]]:
    """(class, html) of a region's row of the collection table: incidents, missions."""
    row = re.search(rf'<th scope="row">{region} [^<]*</th>(.*?)</tr>', page, re.S)
    assert row, region
    return re.findall(r'<td class="([a-z]+)">(.*?)</td>', row.group(1), re.S)


def test_a_cell_shows_the_latest_files_own_verdict_and_the_file_in_force_apart(
    analyst, contact, other_contact, monkeypatch
):
    region = signed_in(contact)
    at(monkeypatch, datetime(2026, 3, 2, 8, 15, tzinfo=UTC))
    send(region, GOOD, name="hyva.csv")
    at(monkeypatch, datetime(2026, 3, 5, 12, 40, tzinfo=UTC))
    send(region, BAD, name="huono.csv")
    at(monkeypatch, datetime(2026, 3, 6, 9, 0, tzinfo=UTC))
    send(signed_in(other_contact), BAD.replace(b",05,", b",06,"), name="huono06.csv")
    good = Submission.objects.get(file_name="hyva.csv")
    bad = Submission.objects.get(file_name="huono.csv")
    assert (good.state, bad.state) == ("in_force", "rejected")

    html = signed_in(analyst).get("/collection/2023/").content.decode()
    (state, incidents), (missing_state, missions) = cells(html, "05")
    # The latest upload with its own verdict and time, linked to its receipt ...
    assert state == "accepted"  # a file is in force: the region's incidents are in
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", incidents)).strip()
    assert shown.startswith("Hylätty 5.3.2026 klo 14.40 ")
    assert f'href="/submissions/{bad.pk}/">5.3.2026 klo 14.40</a>' in incidents
    # ... and apart from it, the file in force, which no run has processed yet.
    assert "Käytössä oleva tiedosto: 2.3.2026 klo 10.15 Odottaa tilastoajoa" in shown
    assert f'href="/submissions/{good.pk}/">2.3.2026 klo 10.15</a>' in incidents
    assert "Hyväksytty" not in shown
    assert missing_state == "missing" and "Puuttuu" in missions
    # A region with only a rejected file: its verdict and time, and nothing in force.
    (state, only_rejected), _ = cells(html, "06")
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", only_rejected)).strip()
    assert (state, shown) == ("rejected", "Hylätty 6.3.2026 klo 11.00")
    page = text(signed_in(analyst).get("/collection/2023/"))
    assert "Tapahtumat: 1 hyväksytty, 1 hylätty, 20 puuttuu" in page


def test_a_full_disk_is_told_in_the_readers_language_and_nothing_is_kept(
    contact, data_dir, monkeypatch
):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    client = signed_in(contact)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    monkeypatch.setattr(os, "fsync", full)
    response = send(client, GOOD)
    assert response.status_code == 507
    assert t("storage_full", "sv") in text(response)
    assert 'lang="sv"' in response.content.decode()
    assert Submission.objects.count() == 0 and RegionYear.objects.count() == 0
    assert archived(data_dir) == []


def test_a_register_that_does_not_answer_is_told_in_the_readers_language(
    contact, data_dir, monkeypatch
):
    def locked(*args: object) -> None:
        raise OperationalError("database is locked")

    client = signed_in(contact)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    monkeypatch.setattr(receipts, "lock_region_year", locked)
    response = send(client, GOOD)
    assert response.status_code == 503
    assert t("register_unavailable", "en") in text(response)
    assert "database is locked" not in text(response)
    assert Submission.objects.count() == 0


def test_a_finnish_uploads_verdict_reads_in_the_readers_language(contact, token):
    """The register keeps codes and parameters: the same receipt reads in Swedish on a
    Swedish page and in English from the API, whatever language it was sent in."""
    client = signed_in(contact)
    send(client, BAD)
    sub = Submission.objects.get()
    assert sub.lang == "fi"
    [issue] = sub.issues
    assert "message" not in issue
    assert issue["params"]["expected"]["sv"].startswith("Verbalt eller psykiskt våld (verbal)")
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    page = text(client.get(f"/submissions/{sub.pk}/"))
    assert "Värdet ”shouting” är inte tillåtet i kolumnen incident_type." in page
    assert "ei ole sallittu" not in page
    api = Client(headers={"Authorization": f"Bearer {token}"})
    [shown] = api.get(f"/api/v1/submissions/{sub.pk}?lang=en").json()["issues"]
    assert shown["message"].startswith("The value “shouting” is not allowed in column")
    assert "Verbal or mental violence (verbal)" in shown["message"]
