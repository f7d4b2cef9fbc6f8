"""The analyst's sign-off: a year returned for correction with a message the region sees
on its page and receives by e-mail, sent over SMTP to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile

from pipelines.portal.models import Review
from tests.integration.portal import free_port
from tests.unit.portal.conftest import GOOD, signed_in

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
    assert str(mail["Subject"]).strip().startswith("Vuoden 2023 tiedot palautettu korjattavaksi / ")
    body = mail.get_content()
    assert "Maaliskuun tehtävämäärät puuttuvat" in body and "308T" not in body
    assert "Returned for correction" not in body and "returned for correction" in body
    region_page = region_client.get("/?year=2023").content.decode()
    assert "Palautettu korjattavaksi" in region_page and "Maaliskuun" in region_page
    # A new file after the review: the year awaits a new review.
    region_client.post(
        "/upload/", {"file": SimpleUploadedFile("b.csv", GOOD), "year": "2023", "action": "submit"}
    )
    assert "Vuotta ei ole vielä tarkastettu" in client.get("/collection/2023/05/").content.decode()


def test_a_mail_server_that_is_down_loses_no_decision(settings, analyst, contact):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = signed_in(analyst).post(
        "/collection/2023/05/", {"state": "accepted", "message": ""}, follow=True
    )
    assert "sähköpostia ei voitu lähettää" in response.content.decode()
    assert Review.objects.get().state == "accepted"


def test_only_the_analyst_reviews(contact):
    assert signed_in(contact).post("/collection/2023/05/", {"state": "accepted"}).status_code == 403


def test_the_analyst_asks_for_a_release_once_every_region_is_accepted(analyst, data_dir):
    import json

    from pipelines.warehouse.snapshot import write_status

    write_status(
        data_dir / "status" / "2023.json",
        {"year": 2023, "submissions": [], "in_force": {"05": {}, "06": {}}},
    )
    client = signed_in(analyst)
    assert "hyväksymättä alueet 05, 06" in client.get("/collection/2023/").content.decode()
    client.post("/collection/2023/release", {"note": "x"})
    assert not (data_dir / "requests").exists()  # refused: not signed off
    for region in ("05", "06"):
        client.post(f"/collection/2023/{region}/", {"state": "accepted", "message": ""})
    page = client.post("/collection/2023/release", {"note": "Ensimmäinen"}, follow=True)
    assert "Julkaisu pyydetty: tilastoajo tekee sen" in page.content.decode()
    request = json.loads((data_dir / "requests" / "release-2023.json").read_text())
    assert (request["year"], request["note"]) == (2023, "Ensimmäinen")
    assert "odottaa tilastoajoa" in client.get("/collection/2023/").content.decode()
