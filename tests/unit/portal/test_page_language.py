"""No English on Finnish and Swedish pages: every page state the portal shows (sign-in
and its refusal, a region's page, a check, a receipt, a refused file, the analyst's
collection and review, setting a password, the admin, and the error pages) is rendered
in Finnish and in Swedish and searched for English words, and the account command
answers in the command's language. Region names follow the page's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pipelines.cli import main
from pipelines.portal import errors
from pipelines.portal.commands import add_user
from pipelines.portal.models import User
from tests.unit.portal.conftest import BAD, PASSWORD

pytestmark = pytest.mark.django_db

# English a Finnish or Swedish reader met on the portal's pages and commands.
ENGLISH = [
    "password",
    "Not Found",
    "Forbidden",
    "Bad Request",
    "Server Error",
    "email",
    "positional arguments",
    "Submissions",
    "Submission",
    "Api tokens",
    "Access attempts",
    "This field",
    "This password",
    "CSRF",
    "EMS",
]
FOUND = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in ENGLISH), re.IGNORECASE)


class Shown(HTMLParser):
    """What a reader meets on a page: its text and the attributes read out or shown
    (titles, labels, placeholders), never scripts, styles or the markup's own names."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [v for k, v in attrs if k in self.SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def shown(content: bytes) -> str:
    parser = Shown()
    parser.feed(content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def client_in(lang: str, user: User | None = None, **kwargs: object) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = lang
    if user is not None:
        client.force_login(user)
    return client


def upload(client: Client, data: bytes, action: str, name: str = "tilanteet.csv"):
    form = {"file": SimpleUploadedFile(name, data), "year": "2023", "action": action}
    return client.post("/upload/", form, follow=True)


def page_states(lang: str, contact: User, analyst: User) -> dict[str, Callable]:
    """Each page state as a request in `lang`, with the status it must answer."""
    anonymous, region, producer = (
        client_in(lang),
        client_in(lang, contact),
        client_in(lang, analyst),
    )
    newcomer = add_user(f"uusi-{lang}@alue05.example", "05", User.SUBMITTER, None)
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    link = f"/welcome/{uid}/{default_token_generator.make_token(newcomer)}/"
    welcome = client_in(lang)
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    return {
        "sign-in": lambda: (200, anonymous.get("/login/")),
        "sign-in refused": lambda: (
            200,
            anonymous.post("/login/", {"username": contact.email, "password": "väärin"}),
        ),
        "region": lambda: (200, region.get("/?year=2023")),
        "check": lambda: (200, upload(region, BAD, "check")),
        "receipt": lambda: (200, upload(region, BAD, "submit")),
        "refused file": lambda: (415, upload(region, image, "submit", "kuva.csv")),
        "collection": lambda: (200, producer.get("/collection/2023/")),
        "review": lambda: (200, producer.get("/collection/2023/05/")),
        "set password": lambda: (200, welcome.get(link, follow=True)),
        "set password refused": lambda: (
            200,
            welcome.post(
                welcome.get(link, follow=True).redirect_chain[-1][0],
                {"new_password1": "lyhyt", "new_password2": "lyhyt"},
            ),
        ),
        "admin": lambda: (200, producer.get("/admin/")),
        "not found": lambda: (404, region.get("/ei-ole/")),
        "not found signed out": lambda: (404, anonymous.get("/ei-ole/")),
        "another region's receipt": lambda: (404, region.get("/submissions/999999/")),
        "forbidden": lambda: (403, region.get("/collection/2023/")),
        "bad request": lambda: (400, anonymous.get("/login/", HTTP_HOST="muu.example")),
        "expired form": lambda: (
            403,
            client_in(lang, enforce_csrf_checks=True).post("/login/", {"username": "x"}),
        ),
    }


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_page_state_speaks_english(lang, contact, analyst):
    found = {}
    for name, state in page_states(lang, contact, analyst).items():
        status, response = state()
        assert response.status_code == status, name
        assert f'lang="{lang}"' in response.content.decode(), name
        text = shown(response.content)
        found[name] = sorted(set(FOUND.findall(text)))
    assert {name: words for name, words in found.items() if words} == {}
    assert len(found) == 17


@pytest.mark.parametrize(
    ("lang", "title", "back"),
    [
        ("fi", "Palvelussa tapahtui virhe", "Etusivulle"),
        ("sv", "Ett fel inträffade", "Till startsidan"),
    ],
)
def test_the_server_error_page_is_the_portals_own(lang, title, back):
    request = RequestFactory().get("/")
    with translation.override(lang):
        response = errors.server_error(request)
    assert response.status_code == 500
    text = shown(response.content)
    assert title in text and back in text
    assert FOUND.findall(text) == []


def test_the_error_pages_say_what_happened_and_lead_back(contact):
    response = client_in("fi", contact).get("/collection/2023/")
    text = shown(response.content)
    assert "Ei käyttöoikeutta" in text and "Etusivulle" in text
    assert '<a href="/">Etusivulle</a>' in response.content.decode()
    assert "Sidan hittades inte" in shown(client_in("sv").get("/ei-ole/").content)


def test_the_password_rules_speak_the_readers_language():
    user = User(email="kontakti@alue05.example")
    with translation.override("fi"), pytest.raises(ValidationError) as short:
        add_user("a@alue05.example", "05", User.SUBMITTER, "lyhyt-7")
    assert short.value.messages == [
        "Salasana on liian lyhyt: siinä pitää olla vähintään 12 merkkiä."
    ]
    from django.contrib.auth.password_validation import (
        password_validators_help_texts,
        validate_password,
    )

    with translation.override("sv"), pytest.raises(ValidationError) as common:
        validate_password("password1234", user)
    assert common.value.messages == ["Lösenordet är för vanligt: välj ett ovanligare."]
    with translation.override("sv"):
        assert password_validators_help_texts() == [
            "Inte för likt din e-postadress.",
            "Minst 12 tecken.",
            "Inte ett vanligt lösenord.",
        ]


def test_a_failed_sign_in_names_the_address_not_the_field(contact):
    response = client_in("fi").post("/login/", {"username": contact.email, "password": "x"})
    assert "Sähköpostiosoite tai salasana on väärin" in shown(response.content)
    assert PASSWORD not in response.content.decode()


def test_the_admin_names_its_records_in_the_analysts_language(analyst):
    fi = shown(client_in("fi", analyst).get("/admin/").content)
    assert "Vastaanotetut tiedostot" in fi and "API-tunnisteet" in fi
    assert "Epäonnistuneet kirjautumisyritykset" in fi and "Kirjautumisten seuranta" in fi
    sv = shown(client_in("sv", analyst).get("/admin/register/submission/").content)
    assert "mottagen fil" in sv and "Datainsamlingens administration" in sv


def test_the_admin_names_our_records_fields_in_the_analysts_language(analyst, contact):
    """Column heads, filters and form labels of people, tokens and receipts; Django's
    own words around them come from its catalogues."""
    english = re.compile(
        r"\b(region code|file name|received at|last used at|email|role|digest|evstats|status)\b",
        re.IGNORECASE,
    )
    client = client_in("fi", analyst)
    pages = {
        path: shown(client.get(path).content)
        for path in (
            "/admin/register/submission/",
            "/admin/portal/apitoken/add/",
            "/admin/portal/user/",
            f"/admin/portal/user/{contact.pk}/change/",
        )
    }
    assert {
        path: english.findall(text) for path, text in pages.items() if english.findall(text)
    } == {}
    assert "Aluekoodi" in pages["/admin/register/submission/"]
    assert "Sähköpostiosoite" in pages["/admin/portal/user/"]
    assert "Rooli ja alue" in pages[f"/admin/portal/user/{contact.pk}/change/"]


@pytest.mark.parametrize(
    ("lang", "region", "helsinki"),
    [
        ("fi", "Varsinais-Suomen hyvinvointialue", "Helsingin kaupunki"),
        ("sv", "Egentliga Finlands välfärdsområde", "Helsingfors stad"),
        ("en", "Southwest Finland wellbeing services county", "City of Helsinki"),
    ],
)
def test_regions_are_named_in_the_pages_language(lang, region, helsinki, contact, analyst):
    assert f"{region} (05)" in shown(client_in(lang, contact).get("/?year=2023").content)
    collection = shown(client_in(lang, analyst).get("/collection/2023/").content)
    assert f"05 {region}" in collection and f"90 {helsinki}" in collection
    receipt = upload(client_in(lang, contact), BAD, "submit")
    assert f"05 {region}" in shown(receipt.content)


@pytest.mark.parametrize(("lang", "commands"), [("fi", "komennot:"), ("sv", "kommandon:")])
def test_the_account_commands_help_has_no_english_titles(lang, commands, capsys):
    with pytest.raises(SystemExit):
        main(["--lang", lang, "users", "--help"])
    out = capsys.readouterr().out
    assert commands in out
    assert FOUND.findall(out) == []


def test_the_account_commands_refusals_are_in_the_commands_language(contact):
    with translation.override("sv"):
        with pytest.raises(ValueError, match="har redan ett konto"):
            add_user(contact.email, "05", User.SUBMITTER, None)
        with pytest.raises(ValueError, match="behöver ett område"):
            add_user("ny@alue05.example", None, User.SUBMITTER, None)
