"""The portal's words exist in three languages for every key its pages name, and
accounts are made through the framework: Argon2 hashes, one-time links."""

import re
from pathlib import Path

import pytest
from django.test import Client

from pipelines.contract.i18n import LANGUAGES
from pipelines.portal import texts
from pipelines.portal.commands import add_user, sign_in_link
from pipelines.portal.models import User
from pipelines.register import lifecycle

TEMPLATES = Path(texts.__file__).parent / "templates" / "portal"
NAMED = re.compile(r"""\bT\.([a-z_0-9]+)|\{% t "([a-z_0-9]+)"(?!\|)""")


def test_every_text_a_page_names_exists_in_every_language():
    known = texts.texts()
    named = {a or b for f in TEMPLATES.glob("*.html") for a, b in NAMED.findall(f.read_text())}
    assert len(named) > 40
    assert named - set(known) == set()
    for key in named:
        assert all(known[key].forms[lang] for lang in LANGUAGES)


def test_composed_keys_exist_too():
    """Keys a page builds from a value: language buttons, collection states, a receipt's
    state in the lifecycle (a stored receipt is never merely `received`), a region-year's
    state, and the refusals of the lifecycle's rules."""
    known = texts.texts()
    reviews = [
        f"{prefix}_{state}"
        for prefix in ("review_state", "reviewed", "mail_subject", "mail_body")
        for state in ("accepted", "returned")
    ]
    stored = [s for s in lifecycle.FILE_STATES if s != lifecycle.RECEIVED]
    for key in (
        [f"language_{x}" for x in LANGUAGES]
        + reviews
        + [f"state_{s}" for s in ("accepted", "rejected", "missing")]
        + [f"state_{s}" for s in stored]
        + [f"region_state_{s}" for s in lifecycle.REGION_YEAR_STATES]
        + ["accept_nothing_in_force", "review_explanations_missing", "review_not_allowed"]
        + ["release_nothing", "release_blocked", "release_already_requested"]
        + ["register_unavailable", "storage_full", "receipt_rejected"]
        + ["receipt_unchanged", "receipt_repeats"]
    ):
        assert key in known
        assert all(known[key].forms[lang] for lang in LANGUAGES)


def test_dates_are_written_as_readers_in_finland_write_them():
    from datetime import date

    assert texts.day(date(2024, 6, 30), "fi") == "30. kesäkuuta 2024"
    assert texts.day(date(2024, 6, 30), "sv") == "30 juni 2024"
    assert texts.day(date(2024, 6, 30), "en") == "30 June 2024"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_and_checked_for_strength():
    user = add_user("a@example.org", "05", User.SUBMITTER, "pitkä-ja-vahva-salasana-42")
    assert user.password.startswith("argon2$")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add_user("b@example.org", "05", User.SUBMITTER, "salasana")
    with pytest.raises(ValueError, match="give --region"):
        add_user("c@example.org", None, User.SUBMITTER, "pitkä-ja-vahva-salasana-42")
    with pytest.raises(ValueError, match="already"):
        add_user("A@example.org", "06", User.SUBMITTER, "pitkä-ja-vahva-salasana-42")


@pytest.mark.django_db
def test_a_one_time_link_sets_the_password_once():
    user = add_user("uusi@alue05.example", "05", User.SUBMITTER, None)
    assert not user.has_usable_password()
    link = sign_in_link(user, "http://portal.example")
    path = link.removeprefix("http://portal.example")
    client = Client()
    form_page = client.get(path, follow=True)
    assert "Aseta salasana" in form_page.content.decode()
    new = "uusi-vahva-salasana-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    again = Client().get(path, follow=True)
    assert "vanhentunut tai jo käytetty" in again.content.decode()
