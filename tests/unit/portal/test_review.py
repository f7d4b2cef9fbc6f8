"""The analyst's sign-off: a year returned for correction with a message the region sees
on its page and receives by e-mail, sent over SMTP to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile

from pipelines.register.models import RegionYear, Release, Review, Submission
from tests.integration.portal import free_port
from tests.unit.portal.conftest import BAD, FIXED, GOOD, signed_in

pytestmark = pytest.mark.django_db


class Inbox:
    """An SMTP server's handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def upload(user, data: bytes, name: str = "a.csv") -> None:
    signed_in(user).post(
        "/upload/", {"file": SimpleUploadedFile(name, data), "year": "2023", "action": "submit"}
    )


def test_a_year_returned_for_correction_reaches_the_region(smtp, analyst, contact):
    region_client = signed_in(contact)
    region_client.post(
        "/upload/", {"file": SimpleUploadedFile("a.csv", GOOD), "year": "2023", "action": "submit"}
    )
    client = signed_in(analyst)
    page = client.get("/collection/2023/05/").content.decode()
    assert "a.csv" in page and "Vuotta ei ole vielä tarkastettu" in page
    assert (
        client.post("/collection/2023/05/", {"state": "returned", "message": ""}).status_code == 302
    )
    assert Review.objects.count() == 0  # returning needs a message
    response = client.post(
        "/collection/2023/05/",
        {
            "state": "returned",
            "message": "Maaliskuun tehtävämäärät puuttuvat, potilas 131052-308T.",
        },
        follow=True,
    )
    assert "viesti lähetettiin 1 yhteyshenkilölle" in response.content.decode()
    [mail] = smtp.messages
    assert mail["X-Envelope-To"] == "kontakti@alue05.example"
    assert str(mail["Subject"]).strip() == "Vuoden 2023 tiedot palautettu korjattavaksi"
    body = mail.get_content()
    assert body.count("Maaliskuun tehtävämäärät puuttuvat") == 1 and "308T" not in body
    assert "Returned for correction" not in body and "returned for correction" in body
    region_page = region_client.get("/?year=2023").content.decode()
    assert "Palautettu korjattavaksi" in region_page and "Maaliskuun" in region_page
    assert RegionYear.objects.get(year=2023, region_code="05").state == "returned"
    # A corrected file after the review: the year awaits a new review.
    region_client.post(
        "/upload/", {"file": SimpleUploadedFile("b.csv", FIXED), "year": "2023", "action": "submit"}
    )
    assert "Vuotta ei ole vielä tarkastettu" in client.get("/collection/2023/05/").content.decode()
    assert RegionYear.objects.get(year=2023, region_code="05").state == "awaiting_review"
    assert "Maaliskuun" not in region_client.get("/?year=2023").content.decode()


def test_a_mail_server_that_is_down_loses_no_decision(settings, analyst, contact):
    upload(contact, GOOD)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = signed_in(analyst).post(
        "/collection/2023/05/", {"state": "accepted", "message": ""}, follow=True
    )
    assert "sähköpostia ei voitu lähettää" in response.content.decode()
    assert Review.objects.get().state == "accepted"
    assert RegionYear.objects.get(year=2023, region_code="05").state == "accepted"


def test_a_region_with_nothing_in_force_cannot_be_accepted(analyst, contact):
    client = signed_in(analyst)
    accept = {"state": "accepted", "message": ""}
    page = client.post("/collection/2023/05/", accept, follow=True).content.decode()
    assert "Aluetta ei voi hyväksyä: sillä ei ole käytössä olevia tiedostoja." in page
    upload(contact, BAD)  # a rejected file puts nothing in force either
    client.post("/collection/2023/05/", accept)
    assert Review.objects.count() == 0
    assert RegionYear.objects.get(year=2023, region_code="05").state == "open"


def test_only_the_analyst_reviews(contact):
    assert signed_in(contact).post("/collection/2023/05/", {"state": "accepted"}).status_code == 403


def test_the_analyst_asks_for_a_release_once_every_region_is_accepted(
    analyst, contact, other_contact, data_dir
):
    client = signed_in(analyst)
    assert (
        "Vuodelta ei ole vielä käsiteltyjä tietoja"
        in client.get("/collection/2023/").content.decode()
    )
    upload(contact, GOOD)
    upload(other_contact, GOOD.replace(b",05,", b",06,"))
    assert "hyväksymättä alueet 05, 06" in client.get("/collection/2023/").content.decode()
    refused = client.post("/collection/2023/release", {"note": "x", "number": "1"}, follow=True)
    assert "hyväksymättä alueet 05, 06" in refused.content.decode()
    assert Release.objects.count() == 0  # refused: not signed off
    for region in ("05", "06"):
        client.post(f"/collection/2023/{region}/", {"state": "accepted", "message": ""})
    page = client.post(
        "/collection/2023/release", {"note": "Ensimmäinen", "number": "1"}, follow=True
    )
    assert "Julkaisu pyydetty: tilastoajo tekee sen" in page.content.decode()
    release = Release.objects.get()
    assert (release.year, release.number, release.state, release.note) == (
        2023, 1, "requested", "Ensimmäinen",
    )  # fmt: skip
    assert release.requested_by == analyst
    assert not (data_dir / "requests").exists()  # the register holds it, no file
    assert "odottaa tilastoajoa" in client.get("/collection/2023/").content.decode()
    # One request at a time: asking again is refused, and no second number is taken.
    again = client.post("/collection/2023/release", {"note": "Toinen", "number": "1"}, follow=True)
    assert "Vuoden 2023 julkaisu on jo pyydetty." in again.content.decode()
    assert Release.objects.count() == 1


def test_a_correction_after_acceptance_undoes_it_and_blocks_the_release(analyst, contact):
    upload(contact, GOOD)
    client = signed_in(analyst)
    client.post("/collection/2023/05/", {"state": "accepted", "message": "Kiitos"})
    region_year = RegionYear.objects.get(year=2023, region_code="05")
    assert region_year.state == "accepted"
    region = signed_in(contact)
    assert "Hyväksytty tarkastuksessa" in region.get("/?year=2023").content.decode()

    upload(contact, FIXED, "korjattu.csv")
    region_year.refresh_from_db()
    assert region_year.state == "awaiting_review"
    held = Submission.objects.get(state="in_force")
    assert held.file_name == "korjattu.csv"
    assert Submission.objects.get(file_name="a.csv").state == "superseded"
    # The acceptance no longer stands: the region's page no longer shows it, the
    # analyst's page asks for a new review, and the release is refused.
    page = region.get("/?year=2023").content.decode()
    assert "Hyväksytty tarkastuksessa" not in page and "Kiitos" not in page
    assert "Vuotta ei ole vielä tarkastettu" in client.get("/collection/2023/05/").content.decode()
    collection = client.get("/collection/2023/").content.decode()
    assert "hyväksymättä alueet 05" in collection and "Odottaa tarkastusta" in collection
    refused = client.post("/collection/2023/release", {"note": "", "number": "1"}, follow=True)
    assert "Vuotta ei voi vielä julkaista: hyväksymättä alueet 05." in refused.content.decode()
    assert Release.objects.count() == 0
    assert Review.objects.get().state == "accepted"  # kept as history, no longer standing
