"""The pages: sign-in, a region's upload and receipts, the analyst's collection view."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pipelines.portal.models import Submission
from tests.unit.portal.conftest import BAD, GOOD, PASSWORD, signed_in

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


def test_a_bad_file_gets_a_located_issue_and_a_receipt(contact, data_dir):
    response = send(signed_in(contact), BAD)
    page = text(response)
    assert "Vastaanottokuittaus" in page and "HYLÄTTY" in page
    # Row, the header as the file wrote it, the value and what to do.
    assert re.search(r"VIRHE 3 incident_type shouting Arvo ”shouting” ei ole sallittu", page)
    sub = Submission.objects.get()
    assert sub.sha256 in page and str(sub.pk) in page
    assert "korostettu" in page  # the link to the annotated copy


def test_check_only_stores_nothing(contact, data_dir):
    page = text(send(signed_in(contact), GOOD, action="check"))
    assert "Tarkistuksen tulos" in page and "HYVÄKSYTTY" in page and "20 riviä" in page
    assert Submission.objects.count() == 0 and not (data_dir / "inbox").exists()


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
    assert (data_dir / "inbox" / "2023" / "05").is_dir()
    assert not (data_dir / "inbox" / "2023" / "06").exists()


def test_the_history_shows_every_file_of_the_region_and_year(contact):
    client = signed_in(contact)
    send(client, BAD, name="eka.csv")
    send(client, GOOD, name="toka.csv")
    page = text(client.get("/?year=2023"))
    assert page.index("toka.csv") < page.index("eka.csv")  # newest first
    assert page.count("Ei vielä käsitelty") == 2  # no pipeline run yet


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


def test_health_answers_for_a_process_manager(db):
    assert Client().get("/health").json() == {"status": "ok", "submissions": 0}


def test_a_failed_run_is_shown_to_the_analyst(analyst, data_dir):
    from pipelines.warehouse.snapshot import write_status

    client = signed_in(analyst)
    assert "epäonnistui" not in text(client.get("/collection/2023/"))
    write_status(
        data_dir / "status" / "2023.run.json",
        {"year": 2023, "run_id": "abc123", "outcome": "failure", "at": "2026-11-26T05:00:00Z"},
    )
    page = text(client.get("/collection/2023/"))
    assert "tilastoajo epäonnistui (2026-11-26T05:00:00Z, ajo abc123)" in page


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
    response = client.get(f"/submissions/{sub.pk}/annotated.xlsx")
    assert response["Content-Disposition"].endswith('pohja_tarkistettu.xlsx"')
    copy = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    marked = [c for s in copy.worksheets for r in s.iter_rows() for c in r if c.comment]
    assert [(c.row, c.value) for c in marked] == [(2, "shouting")]
