"""Issue 20's flow in a real browser on the production server: a receipt that updates
itself when the statistics run is done, the release's confirmation step, the
explanation form, the set-password page and the analyst's review page, each page
state checked with axe-core at a phone's and a desktop's width and for anything
sticking out of the phone's screen (`axe_violations`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.portal import Portal, new_person_link, running_portal
from tests.integration.test_portal_browser import (
    GOOD,
    axe_violations,
    csp_refusals,
    doubled_file,
    sign_in,
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with running_portal(tmp_path_factory.mktemp("flow"), ["05", "06"]) as running:
        yield running


def in_register(portal: Portal, change: Callable[[str], object]) -> None:
    """`change(db)` on the portal's own register, beside the server (Playwright's loop
    runs in this thread, where Django refuses its ORM: a thread of its own)."""
    from pipelines.register.db import connect
    from pipelines.settings import Settings

    def run() -> None:
        change(connect(Settings(data_dir=str(portal.data_dir))))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def upload(page: Page, portal: Portal, path: Path) -> None:
    page.goto(portal.url)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(path)
    page.get_by_role("button", name="Lähetä", exact=True).click()


def test_the_flow_of_a_year_from_receipt_to_release(browser: Browser, portal: Portal, tmp_path):
    from pipelines.register import runs
    from pipelines.register.models import Submission

    assert "sähköpostia ei ole määritetty" in portal.log.read_text()  # said at start
    pages: dict[str, object] = {}
    page = browser.new_context(locale="fi-FI").new_page()
    refused = csp_refusals(page)
    sign_in(page, portal, "kontakti@alue05.example")
    good = tmp_path / "tilanteet.csv"
    good.write_bytes(GOOD)
    upload(page, portal, good)
    shown = page.locator("#in-statistics")
    expect(shown).to_have_text("Odottaa tilastoajoa")
    pages["receipt waiting"] = axe_violations(page)
    url = page.url

    def published(db: str) -> None:
        [sub] = Submission.objects.using(db).filter(file_name="tilanteet.csv")
        runs.record_loaded([sub.pk], {}, db)
        runs.record_published(2023, [sub.pk], db)

    in_register(portal, published)
    expect(shown).to_have_text("Kyllä", timeout=20_000)  # without a reload
    assert page.url == url

    # A file against a history of 20 incidents: its warning to explain, no reason chosen.
    upload(page, portal, doubled_file(portal, tmp_path))
    reason = page.locator("#reason-1")
    expect(reason).to_have_value("")
    assert reason.evaluate("e => e.validity.valueMissing")  # the browser asks for one
    reason.select_option("real_change")
    page.locator("#text-1").fill("Uusi kirjaustapa, kysy 040 1234567")
    page.get_by_role("button", name="Tallenna selitys").click()
    expect(page.get_by_role("status").filter(has_text="peitettiin")).to_contain_text(
        "Uusi kirjaustapa, kysy 040 ****"
    )
    pages["explanation masked"] = axe_violations(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()

    sign_in(page, portal, "analyytikko@example.org")
    page.goto(f"{portal.url}/collection/2023/05/")
    in_force = page.locator("ul.in-force li")
    expect(in_force).to_have_count(1)
    expect(in_force).to_contain_text("kaksinkertainen.csv")
    expect(page.get_by_text("Sähköpostia ei ole määritetty")).to_be_visible()
    expect(page.get_by_role("heading", name="Poikkeamat ja alueen selitykset", exact=False))
    pages["review"] = axe_violations(page)
    page.get_by_role("button", name="Hyväksy").click()

    page.goto(f"{portal.url}/collection/2023/")
    page.get_by_role("link", name="Tarkista ja julkaise v1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vuoden 2023 julkaisu v1")
    expect(page.get_by_role("heading", name="Mukana 1 alueen tiedot")).to_be_visible()
    expect(page.get_by_role("heading", name="Tiedot puuttuvat 21 alueelta")).to_be_visible()
    pages["release confirmation"] = axe_violations(page)
    page.get_by_role("button", name="Vahvista ja julkaise v1").click()
    expect(page.get_by_role("status").first).to_contain_text("Julkaisu pyydetty")
    pages["collection after the request"] = axe_violations(page)
    page.context.close()

    assert {n: found for n, found in pages.items() if found} == {}
    assert refused == []


def test_a_new_password_is_set_with_its_rules_shown_and_ends_on_sign_in(
    browser: Browser, portal: Portal
):
    link = new_person_link(portal, "uusi@alue06.example", "06", "--lang", "sv")

    def language(db: str) -> None:
        from pipelines.portal.models import User

        assert User.objects.using(db).get(email="uusi@alue06.example").lang == "sv"

    in_register(portal, language)  # the account reads Swedish: its mail will be
    page = browser.new_context(locale="fi-FI").new_page()
    refused = csp_refusals(page)
    pages: dict[str, object] = {}
    page.goto(link)
    password = page.get_by_label("Uusi salasana", exact=True)
    expect(password).to_have_accessible_description(
        re.compile("Vähintään 12 merkkiä.*Ei yleisesti käytetty salasana")
    )
    password.fill("lyhyt")
    page.locator("#id_new_password2").fill("lyhyt")
    page.get_by_role("button", name="Aseta salasana").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    pages["set password refused"] = axe_violations(page)
    new = "kolme-isoa-karhua-2026"
    page.get_by_label("Uusi salasana", exact=True).fill(new)
    page.locator("#id_new_password2").fill(new)
    page.get_by_role("button", name="Aseta salasana").click()
    expect(page).to_have_url(f"{portal.url}/login/")
    expect(page.get_by_role("status")).to_contain_text("Salasana on asetettu.")
    pages["signed-in page after setting"] = axe_violations(page)
    page.get_by_label("Sähköposti").fill("uusi@alue06.example")
    page.get_by_label("Salasana").fill(new)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(06)")
    page.context.close()
    assert {n: found for n, found in pages.items() if found} == {}
    assert refused == []
