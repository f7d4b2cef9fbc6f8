"""The portal's flow as data contacts and the analyst go through it (issue 20): a receipt
waiting for the statistics run, the release's confirmation step, the explanation form,
the set-password page, the analyst's review page and the decision's e-mail."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pipelines.portal.commands import add_user, sign_in_link
from pipelines.portal.models import User
from pipelines.portal.services import release as release_service
from pipelines.register import releases as register_releases
from pipelines.register import runs
from pipelines.register.models import Explanation, Release, Submission
from tests.unit.portal.conftest import BAD, FIXED, GOOD, earlier_year, signed_in
from tests.unit.portal.test_review import smtp  # noqa: F401 (the real SMTP server fixture)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible text, tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def send(user: User, data: bytes, name: str = "a.csv") -> Submission:
    signed_in(user).post(
        "/upload/", {"file": SimpleUploadedFile(name, data), "year": "2023", "action": "submit"}
    )
    return Submission.objects.get(file_name=name)


def test_a_file_just_accepted_waits_for_the_statistics_run_and_its_status_follows(
    contact, other_contact
):
    sub = send(contact, GOOD)
    client = signed_in(contact)
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    assert re.search(r'data-state="waiting"[^>]*>Odottaa tilastoajoa</dd>', page)
    assert 'src="/static/portal/receipt.js"' in page  # the script that asks again
    assert client.get(f"/submissions/{sub.pk}/status").json() == {
        "in_statistics": "waiting",
        "text": "Odottaa tilastoajoa",
    }
    runs.record_loaded([sub.pk], {})
    runs.record_published(2023, [sub.pk])
    assert client.get(f"/submissions/{sub.pk}/status", HTTP_ACCEPT_LANGUAGE="sv").json() == {
        "in_statistics": "yes",
        "text": "Ja",
    }
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    assert "receipt.js" not in page  # nothing left to wait for
    assert signed_in(other_contact).get(f"/submissions/{sub.pk}/status").status_code == 404
    rejected = send(contact, BAD, "huono.csv")
    assert client.get(f"/submissions/{rejected.pk}/status").json()["in_statistics"] == "no"


def accepted_regions(analyst, contact, other_contact) -> Client:
    send(contact, GOOD)
    send(other_contact, GOOD.replace(b",05,", b",06,"), "b.csv")
    client = signed_in(analyst)
    for region in ("05", "06"):
        client.post(f"/collection/2023/{region}/", {"state": "accepted", "message": ""})
    return client


def test_a_release_is_confirmed_on_a_page_that_says_what_it_will_hold(
    analyst, contact, other_contact, monkeypatch
):
    client = accepted_regions(analyst, contact, other_contact)
    collection = client.get("/collection/2023/").content.decode()
    assert 'href="/collection/2023/release">Tarkista ja julkaise v1</a>' in collection
    assert 'action="/collection/2023/release"' not in collection  # no one-click release

    monkeypatch.setattr(release_service, "finland_today", lambda: date(2024, 3, 1))
    page = text(client.get("/collection/2023/release"))
    assert "Vuoden 2023 julkaisu v1" in page and "Vuoden ensimmäinen julkaisu." in page
    assert "Mukana 2 alueen tiedot 05 Varsinais-Suomen hyvinvointialue 06 " in page
    assert "Tiedot puuttuvat 20 alueelta 01 Itä-Uudenmaan hyvinvointialue" in page
    assert "Alueiden määräpäivä 31. maaliskuuta 2024 ei ole vielä mennyt" in page
    assert Release.objects.count() == 0  # looking asks for nothing
    monkeypatch.undo()
    assert "Alueiden määräpäivä 31. maaliskuuta 2024 on mennyt." in text(
        client.get("/collection/2023/release")
    )

    done = client.post("/collection/2023/release", {"note": "", "number": "1"}, follow=True)
    assert "Julkaisu pyydetty" in done.content.decode()
    assert Release.objects.get().number == 1


def test_no_new_version_is_offered_until_something_changes(analyst, contact, other_contact):
    client = accepted_regions(analyst, contact, other_contact)
    client.post("/collection/2023/release", {"note": "", "number": "1"})
    register_releases.released(Release.objects.get(), "/releases/2023/v1")

    unchanged = "Mikään ei ole muuttunut julkaisun v1 jälkeen: uutta versiota ei tehdä."
    assert unchanged in text(client.get("/collection/2023/"))
    assert "julkaise v2" not in text(client.get("/collection/2023/"))
    refused = client.post("/collection/2023/release", {"note": "", "number": "2"}, follow=True)
    assert unchanged in text(refused)
    assert Release.objects.count() == 1

    send(contact, FIXED, "korjattu.csv")  # region 05 revises its file: a review again
    client.post("/collection/2023/05/", {"state": "accepted", "message": ""})
    assert "Tarkista ja julkaise v2" in text(client.get("/collection/2023/"))
    page = text(client.get("/collection/2023/release"))
    assert "Muuttunut julkaisun v1 jälkeen: 1 alue 05 Varsinais-Suomen hyvinvointialue" in page
    # A confirmation of a page that no longer holds (it showed v1) makes nothing.
    stale = client.post("/collection/2023/release", {"note": "", "number": "1"}, follow=True)
    assert "Tilanne muuttui: tarkista julkaisu uudelleen." in text(stale)
    client.post("/collection/2023/release", {"note": "Korjaus", "number": "2"})
    assert Release.objects.get(state="requested").number == 2


def doubled_for_explaining(contact) -> Submission:
    earlier_year(incidents=20)
    header, *rows = GOOD.decode().splitlines()
    lines = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    return send(contact, "\n".join([header, *lines]).encode(), "tuplat.csv")


def test_the_explanation_starts_with_no_reason_and_says_when_text_was_masked(contact):
    sub = doubled_for_explaining(contact)
    client = signed_in(contact)
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    select = re.search(r'<select id="reason-1" name="reason" required>(.*?)</select>', page)
    assert select and '<option value="" selected>– valitse syy –</option>' in select.group(1)
    assert select.group(1).count("selected") == 1

    unchosen = client.post(
        f"/submissions/{sub.pk}/explain",
        {"rule": "incidents_changed", "reason": "", "text": "x"},
        follow=True,
    )
    assert "Selitystä ei voitu tallentaa: valitse syy luettelosta." in text(unchosen)
    assert Explanation.objects.count() == 0

    saved = client.post(
        f"/submissions/{sub.pk}/explain",
        {"rule": "incidents_changed", "reason": "real_change", "text": "Soita 040 1234567."},
        follow=True,
    )
    shown = text(saved)
    assert "Selitys tallennettu." in shown
    assert "ne peitettiin ennen tallennusta: Soita 040 ****." in shown
    plain = client.post(
        f"/submissions/{sub.pk}/explain",
        {"rule": "incidents_changed", "reason": "real_change", "text": "Uusi kirjaustapa."},
        follow=True,
    )
    assert "peitettiin" not in text(plain)


def test_the_set_password_page_shows_the_rules_and_ends_on_sign_in():
    user = add_user("uusi@alue05.example", "05", User.SUBMITTER, None)
    path = sign_in_link(user, "http://portal.example").removeprefix("http://portal.example")
    client = Client()
    form_page = client.get(path, follow=True)
    html = form_page.content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert len(described) == 2
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in html  # every description the fields name exists
    rules = text(form_page).split("Uusi salasana")[1]
    assert "Vähintään 12 merkkiä. Ei yleisesti käytetty salasana." in rules  # the validators'
    assert "Kirjoita sama salasana uudelleen varmistukseksi." in text(form_page)

    short = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "lyhyt", "new_password2": "lyhyt"}
    )
    html = short.content.decode()
    assert 'aria-invalid="true"' in html
    for target in re.findall(r'aria-describedby="([^"]+)"', html)[0].split():
        assert f'id="{target}"' in html

    new = "uusi-vahva-salasana-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/login/"
    assert "Salasana on asetettu. Kirjaudu sisään" in text(done)
    assert not default_token_generator.check_token(User.objects.get(pk=user.pk), "x")


def test_the_review_page_shows_the_files_in_force_and_speaks_to_the_analyst(analyst, contact):
    send(contact, GOOD, "eka.csv")
    doubled = doubled_for_explaining(contact)
    page = text(signed_in(analyst).get("/collection/2023/05/"))
    in_force = page.split("Tilastoissa käytössä olevat tiedostot")[1].split("Kaikki vuoden")[0]
    assert "tuplat.csv" in in_force and "eka.csv" not in in_force
    assert "Odottaa tilastoajoa" in in_force
    assert "Kaikki vuoden 2023 tiedostot" in page and "Korvattu" in page
    assert "Poikkeamat ja alueen selitykset: tuplat.csv" in page
    assert "Alue ei ole vielä selittänyt tätä." in page
    assert "lähetä korjattu tiedosto" not in page.lower()  # the region's words, not here
    assert doubled.state == "in_force"


def test_the_decision_mail_is_framed_in_each_contacts_language_with_the_message_once(
    smtp,  # noqa: F811
    analyst,
    contact,
):
    swede = add_user("kontakt@alue05.example", "05", User.SUBMITTER, None)
    swede.lang = "sv"
    swede.save()
    send(contact, GOOD)
    message = "Mars saknas i uppdragen."
    signed_in(analyst).post("/collection/2023/05/", {"state": "returned", "message": message})
    mails = {m["X-Envelope-To"]: m for m in smtp.messages}
    assert sorted(mails) == ["kontakt@alue05.example", "kontakti@alue05.example"]
    sv = mails["kontakt@alue05.example"]
    assert str(sv["Subject"]).strip() == "Uppgifterna för 2023 returnerade för korrigering"
    body = sv.get_content()
    assert body.count(message) == 1
    assert body.startswith(
        "Egentliga Finlands välfärdsområde: uppgifterna för 2023 har returnerats"
    )
    order = [body.index(w) for w in ("Meddelande från", message, "Varsinais-Suomen", "the data")]
    assert order == sorted(order)  # Swedish frame and the message, then the others
    assert "Tilastojen tuottajan viesti on yllä." in body
    fi = mails["kontakti@alue05.example"]
    assert str(fi["Subject"]).strip() == "Vuoden 2023 tiedot palautettu korjattavaksi"
    assert fi.get_content().startswith("Varsinais-Suomen hyvinvointialue: vuoden 2023 tiedot")


def test_the_analyst_is_told_before_deciding_when_mail_is_not_configured(
    settings, analyst, contact
):
    send(contact, GOOD)
    settings.MAIL_CONFIGURED = False
    notice = "Sähköpostia ei ole määritetty (EVSTATS_SMTP_HOST puuttuu)"
    assert notice in text(signed_in(analyst).get("/collection/2023/05/"))
    settings.MAIL_CONFIGURED = True
    assert notice not in text(signed_in(analyst).get("/collection/2023/05/"))
