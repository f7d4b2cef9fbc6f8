"""A region's data contact in a real browser, from sign-in to an accepted file, and
every page of the portal checked with axe-core (WCAG 2.1 A and AA) on a phone's and
a desktop's width. The portal runs on its production server (`evstats serve`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from pipelines.settings import TIME_ZONE as FINLAND
from tests.conftest import FIXTURES
from tests.integration.conftest import WCAG_21_AA, WIDTHS
from tests.integration.portal import PASSWORD, Portal, new_person_link, running_portal

GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()
BAD = GOOD.replace(b"05-02,05,2023-03-02,08:15,B,verbal", b"05-02,05,2023-03-02,08:15,B,shouting")
# A name as an incident system writes them: one word, longer than a phone is wide.
LONG_NAME = "uhka_ja_vakivaltatilanteet_varsinais-suomen_hyvinvointialue_2023_korjattu_v2.csv"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with running_portal(tmp_path_factory.mktemp("portal"), ["05"]) as running:
        yield running


def doubled_file(portal: Portal, tmp_path: Path) -> Path:
    """Region 05's fixture incidents twice and one more, against a history of 20."""
    from pipelines.register.db import connect
    from pipelines.register.receipts_data import Judged
    from pipelines.settings import Settings

    header, *rows = GOOD.decode().splitlines()
    settings = Settings(data_dir=str(portal.data_dir))
    earlier = Judged(
        "2022.csv", "incidents", True, 20, 0, 0, [], {}, "fi", ".csv", {"incidents": 20}
    )

    def received() -> None:
        """Region 05's 2022 in force in the portal's own register, beside the server."""
        db = connect(settings)
        from pipelines.register.receipts import receive

        receive(settings, 2022, "05", b"2022", earlier, "folder", db=db)

    # Playwright's event loop runs in this thread, where Django refuses its ORM: a thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(received).result()
    path = tmp_path / "kaksinkertainen.csv"
    lines = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    path.write_text("\n".join([header, *lines]))
    return path


# What sticks out of a phone's screen: the page's width past the viewport, and the
# elements whose right edge passes it (outside a scrolling region, which may be wider).
WIDER_THAN_THE_SCREEN = """() => {
    const width = window.innerWidth;
    const out = [...document.querySelectorAll("body *")]
        .filter(e => !e.closest(".scroll") && e.getBoundingClientRect().right > width + 0.5)
        .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                  + (e.className && typeof e.className === "string" ? "." + e.className : ""));
    return {excess: document.documentElement.scrollWidth - width, out: out.slice(0, 5)};
}"""


def axe_violations(page: Page) -> dict[str, dict[str, object]]:
    """axe's WCAG 2.1 A/AA violations of the page at each width: width -> rule -> nodes,
    and at a phone's width, what makes the page wider than the screen (`overflow`)."""
    found = {}
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        found[name] = {v["id"]: len(v["nodes"]) for v in result.response["violations"]}
        if name == "phone":
            wider = page.evaluate(WIDER_THAN_THE_SCREEN)
            if wider["excess"] > 0:
                found[name]["overflow"] = wider
    return {k: v for k, v in found.items() if v}


def csp_refusals(page: Page) -> list[str]:
    """What the browser refuses under the portal's Content-Security-Policy on this page
    from now on (Chromium says so on the console), filled as the page goes."""
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def sign_in(page: Page, portal: Portal, email: str) -> None:
    page.goto(f"{portal.url}/login/")
    page.get_by_label("Sähköposti").fill(email)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()


def test_a_contact_goes_from_a_bad_file_to_an_accepted_one(
    browser: Browser, portal: Portal, tmp_path: Path
):
    context = browser.new_context(accept_downloads=True, locale="fi-FI")
    page = context.new_page()
    sign_in(page, portal, "kontakti@alue05.example")
    expect(page.get_by_role("heading", level=1)).to_contain_text("(05)")
    bad = tmp_path / "tilanteet.csv"
    bad.write_bytes(BAD)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Lähetä", exact=True).click()

    expect(page.locator(".verdict")).to_contain_text("HYLÄTTY")
    row = page.locator("table.issues tbody tr").first
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("incident_type")
    expect(row.locator("td").nth(3)).to_have_text("shouting")
    expect(row.locator("td").nth(4)).to_contain_text("Sallitut arvot")

    with page.expect_download() as download:
        page.get_by_role("link", name="korostettu").click()
    copy = tmp_path / download.value.suggested_filename
    download.value.save_as(copy)
    assert copy.suffix == ".xlsx"
    workbook = load_workbook(copy)
    flagged = [
        cell
        for sheet in workbook.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.comment is not None
    ]
    assert [(c.row, c.value) for c in flagged] == [(3, "shouting")]
    assert "Sallitut arvot" in flagged[0].comment.text

    good = tmp_path / "tilanteet_korjattu.csv"
    good.write_bytes(GOOD)
    page.get_by_role("link", name="Takaisin").click()
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(good)
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.locator(".verdict")).to_contain_text("HYVÄKSYTTY")
    page.goto(f"{portal.url}/?year=2023")
    history = page.locator("table tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("tilanteet_korjattu.csv")
    context.close()


def test_every_page_passes_axe_in_every_language(browser: Browser, portal: Portal, tmp_path):
    """Every page state the walk reaches: axe finds nothing at a phone's and a desktop's
    width, and at the phone's nothing is wider than the screen (a table that must be
    wider scrolls inside its own labelled region)."""
    context = browser.new_context(locale="fi-FI")
    page = context.new_page()
    refused = csp_refusals(page)
    pages: dict[str, dict] = {}
    page.goto(f"{portal.url}/login/")
    pages["login"] = axe_violations(page)
    page.evaluate("document.querySelector('label[for=id_username]').remove()")
    assert "label" in axe_violations(page)["phone"]  # the check sees an unnamed field
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<pre>' + 'x'.repeat(99))")
    assert axe_violations(page)["phone"]["overflow"]["excess"] > 0  # and a page too wide
    page.goto(f"{portal.url}/login/")
    page.get_by_label("Sähköposti").fill("kontakti@alue05.example")
    page.get_by_label("Salasana").fill("väärä salasana")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("alert")).to_contain_text("Sähköpostiosoite tai salasana")
    pages["login refused"] = axe_violations(page)
    sign_in(page, portal, "kontakti@alue05.example")
    for lang in ("Svenska", "English", "Suomi"):
        page.get_by_role("button", name=lang).click()
        pages[f"region {lang}"] = axe_violations(page)
    bad = tmp_path / LONG_NAME
    bad.write_bytes(BAD)
    page.get_by_label("Tiedosto", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Tarkista lähettämättä").click()
    expect(page.locator(".verdict")).to_contain_text("HYLÄTTY")
    pages["check"] = axe_violations(page)
    page.goto(portal.url)
    page.get_by_label("Tiedosto", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(LONG_NAME)
    pages["receipt"] = axe_violations(page)
    page.goto(f"{portal.url}/?year=2026")
    pages["region with history"] = axe_violations(page)
    page.goto(portal.url)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(doubled_file(portal, tmp_path))
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.get_by_role("heading", name="Selitä poikkeamat", exact=False)).to_be_visible()
    pages["receipt with explanations"] = axe_violations(page)
    page.get_by_role("button", name="Svenska").click()
    pages["receipt with explanations sv"] = axe_violations(page)
    page.get_by_role("button", name="Suomi").click()
    image = tmp_path / "kuva.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    page.goto(portal.url)
    page.get_by_label("Tiedosto", exact=True).set_input_files(image)
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ei ole CSV-tiedosto")
    pages["refused"] = axe_violations(page)
    page.goto(f"{portal.url}/collection/2023/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ei käyttöoikeutta")
    pages["forbidden"] = axe_violations(page)
    page.goto(f"{portal.url}/ei-ole/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sivua ei löydy")
    pages["not found"] = axe_violations(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()

    sign_in(page, portal, "analyytikko@example.org")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tiedonkeruun tilanne")
    pages["collection 2026"] = axe_violations(page)
    page.goto(f"{portal.url}/collection/2023/")
    expect(page.locator("table.status tbody tr")).to_have_count(22)
    pages["collection"] = axe_violations(page)
    page.get_by_role("button", name="Svenska").click()
    pages["collection sv"] = axe_violations(page)
    page.get_by_role("button", name="English").click()
    pages["collection en"] = axe_violations(page)
    page.goto(f"{portal.url}/collection/2023/05/")
    expect(page.get_by_role("button", name="Return for correction")).to_be_visible()
    pages["review"] = axe_violations(page)
    page.get_by_role("button", name="Suomi").click()
    pages["review fi"] = axe_violations(page)

    link = new_person_link(portal, "uusi@alue05.example", "05")
    fresh = browser.new_context(locale="fi-FI").new_page()
    refused += csp_refusals(fresh)
    fresh.goto(link)
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Aseta salasana")
    pages["set password"] = axe_violations(fresh)
    for field in fresh.get_by_label("salasana", exact=False).all():
        field.fill("lyhyt")
    fresh.get_by_role("button", name="Aseta salasana").click()
    expect(fresh.get_by_role("alert").first).to_contain_text("liian lyhyt")
    pages["set password refused"] = axe_violations(fresh)
    context.close()
    assert {name: found for name, found in pages.items() if found} == {}
    assert len(pages) == 21
    assert refused == []  # nothing the pages need is blocked by the policy


def test_the_browser_enforces_the_content_security_policy(browser: Browser, portal: Portal):
    """Markup injected into a page can neither run an inline script nor style itself."""
    page = browser.new_context(locale="fi-FI").new_page()
    refused = csp_refusals(page)
    page.goto(f"{portal.url}/login/")
    page.evaluate(
        """() => {
            document.body.insertAdjacentHTML('beforeend', '<p id="s" style="color: red">s</p>');
            const script = document.createElement('script');
            script.textContent = 'document.title = "injected"';
            document.body.append(script);
        }"""
    )
    expect(page).not_to_have_title("injected")
    assert page.eval_on_selector("#s", "e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert [r.split(" violates ")[0] for r in refused] == [
        "Applying inline style",
        "Executing inline script",
    ]


def test_the_banner_matches_the_verdict_and_a_verdict_reads_in_the_readers_language(
    browser: Browser, portal: Portal, tmp_path: Path
):
    """A rejected file's banner is red as its verdict (it was a green 'received'), a
    file with warnings gets an amber one; the Finnish upload's receipt reads in Swedish
    on a Swedish page; a check offers its annotated copy, kept nowhere."""
    context = browser.new_context(accept_downloads=True, locale="fi-FI")
    page = context.new_page()
    sign_in(page, portal, "kontakti@alue05.example")
    bad = tmp_path / "huono.csv"
    bad.write_bytes(BAD)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Lähetä", exact=True).click()
    banner = page.locator(".messages")
    expect(banner).to_have_count(1)
    expect(banner).to_have_class("messages error")
    expect(banner).to_contain_text("Tiedosto huono.csv hylättiin.")
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(251, 238, 238)"
    expect(page.locator(".verdict")).to_contain_text("HYLÄTTY")

    page.get_by_role("button", name="Svenska").click()
    message = page.locator("table.issues tbody tr").first.locator("td").nth(4)
    expect(message).to_contain_text("Värdet ”shouting” är inte tillåtet i kolumnen incident_type.")
    expect(message).to_contain_text("Verbalt eller psykiskt våld (verbal)")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / "receipt-sv.png"), full_page=True)
    page.get_by_role("button", name="Suomi").click()

    page.goto(portal.url)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Tarkista lähettämättä").click()
    expect(page.locator(".verdict")).to_contain_text("HYLÄTTY")
    with page.expect_download() as download:
        page.get_by_role("link", name="korostettu").click()
    assert download.value.suggested_filename == "huono_tarkistettu.xlsx"
    copy = tmp_path / "tarkistettu.xlsx"
    download.value.save_as(copy)
    marked = [c for row in load_workbook(copy)["Tapahtumat"].iter_rows() for c in row if c.comment]
    assert [(c.coordinate, c.value) for c in marked] == [("F3", "shouting")]

    page.goto(portal.url)
    page.locator("#id_year").select_option("2023")
    page.get_by_label("Tiedosto", exact=True).set_input_files(doubled_file(portal, tmp_path))
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(banner).to_have_class("messages warning")
    expect(banner).to_contain_text("vastaanotettu, mutta siinä on 1 varoitus")
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(251, 243, 230)"
    expect(page.locator(".verdict")).to_contain_text("HYVÄKSYTTY")
    context.close()


def test_the_server_log_keeps_one_time_zone_finlands(portal: Portal):
    """Every time in the server's log (gunicorn's master and workers, the portal's own
    lines after a page that is not there) is written in Finland's zone."""
    assert requests.get(f"{portal.url}/ei-ole/", timeout=10).status_code == 404
    log = portal.log.read_text(encoding="utf-8")
    offsets = re.findall(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([+-]\d{4})\]", log, re.M)
    finland = datetime.now(FINLAND).strftime("%z")
    assert len(offsets) >= 5 and set(offsets) == {finland}
    assert any(line.endswith("Not Found: /ei-ole/") for line in log.splitlines())
