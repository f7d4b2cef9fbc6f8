"""No hidden count reaches any output: generated small years, every output searched.

With the threshold raised to 30, the counts disclosure control hides are
two-digit numbers that can be told apart from the report's structural numbers
(hours, months, page numbers, which stay below 25). The test counts every cell
itself from the rows it generated, asks the pipeline which cells it hid, and
searches the HTML text, the SVG text, the PDF text, every workbook cell of
every language, the PX files and the open dataset's descriptor for those
counts, and the same in the readers' site built from the year's release (its
pages, feeds and sitemap included). The year is built so that the number of
incidents with no time is hidden: that count was once printed in the heat map's
note.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines import __version__
from pipelines.assets.sensors import release_run_config
from pipelines.contract.schema import load_schema
from pipelines.definitions import JOB_NAME, build_defs
from pipelines.publish.report_data import gather
from pipelines.publish.tables import HOUR_BANDS, Disclosure
from pipelines.settings import Settings
from tests.conftest import INCIDENT_HEADER
from tests.integration.releases import sign_off

THRESHOLD = 30
STRUCTURAL = set(range(25))  # hours, bands, months, weekdays, pages, file counts
YEAR = 2023
# Region code -> incidents, and how many of them have no time (hidden: below 30).
REGIONS = {"01": (27, 9), "05": (64, 10), "06": (41, 7), "07": (96, 0)}
CODED = {
    "urgency": ["A", "B", "C", "D"],
    "incident_type": ["verbal", "threat_with_weapon", "physical_mild"],
    "perpetrator": ["patient", "relative", "bystander"],
    "intoxicants": ["alcohol", "drugs", "alcohol_and_drugs"],
    "location": ["ambulance", "home", "public_place"],
    "advance_warning": ["yes", "no", "unknown"],
    "police_contacted": ["yes", "no"],
    "reported_to_employer": ["yes", "no"],
    "staff_injury": ["none", "minor"],
}
WEIGHTS = [70, 25, 5, 2]  # skewed, so that some categories are small


def generate(inbox: Path, seed: int) -> list[dict[str, object]]:
    """Write one incidents and one missions file per region; return the rows written."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for region, (count, untimed) in REGIONS.items():
        folder = inbox / str(YEAR) / region
        folder.mkdir(parents=True)
        lines = [INCIDENT_HEADER]
        for i in range(count):
            day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
            hour = None if i < untimed else rng.randrange(24)
            codes = {k: rng.choices(v, WEIGHTS[: len(v)])[0] for k, v in CODED.items()}
            rows.append({"region": region, "date": day, "hour": hour, **codes})
            time = "" if hour is None else f"{hour:02d}:{rng.randrange(60):02d}"
            lines.append(
                f"{region}-{i},{region},{day.isoformat()},{time},{codes['urgency']},"
                f"{codes['incident_type']},{codes['perpetrator']},{codes['intoxicants']},"
                f"{codes['location']},{codes['advance_warning']},{codes['police_contacted']},"
                f"{codes['reported_to_employer']},{codes['staff_injury']},,2,"
            )
        (folder / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        missions = ["region_code,year,month,missions"]
        missions += [f"{region},{YEAR},{m},{1500 + 37 * m}" for m in range(1, 13)]
        (folder / "missions.csv").write_text("\n".join(missions) + "\n", encoding="utf-8")
    return rows


def hidden_counts(rows: list[dict[str, object]], root: Path) -> set[int]:
    """The true value of every cell the published tables and the report hide."""
    counted: dict[tuple[str, str], int] = Counter()
    for r in rows:
        counted["region", str(r["region"])] += 1
        counted["hour", "unknown" if r["hour"] is None else str(r["hour"])] += 1
        counted["month", str(r["date"].month)] += 1  # type: ignore[attr-defined]
        counted["weekday", str(r["date"].isoweekday())] += 1  # type: ignore[attr-defined]
        for dimension in CODED:
            counted[dimension, str(r[dimension])] += 1
    hidden = set()
    tables = root / "reports" / str(YEAR) / "tables"
    with open(tables / "regions.csv", encoding="utf-8") as f:
        hidden |= {
            counted["region", r["region_code"]]
            for r in csv.DictReader(f)
            if r["flag"] == "suppressed"
        }
    with open(tables / "breakdowns.csv", encoding="utf-8") as f:
        hidden |= {
            counted[r["dimension"], r["category"]]
            for r in csv.DictReader(f)
            if r["flag"] == "suppressed"
        }
    heat = Counter(
        (r["date"].isoweekday() - 1, r["hour"] // (24 // HOUR_BANDS))  # type: ignore[attr-defined, operator]
        for r in rows
        if r["hour"] is not None
    )
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    data = gather(con, YEAR, Disclosure(THRESHOLD), load_schema(), __version__)
    con.close()
    hidden |= {
        heat[d, b]
        for d, row in enumerate(data.heatmap)
        for b, value in enumerate(row)
        if value is None
    }
    return hidden


def published_counts(root: Path) -> set[int]:
    """Every whole number the published CSV tables show (a percentage of 25.0 counts as
    25, as a spreadsheet stores it): these may appear anywhere."""
    numbers = set()
    for table in (root / "reports" / str(YEAR) / "tables").glob("*.csv"):
        for token in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", table.read_text()):
            if float(token).is_integer():
                numbers.add(int(float(token)))
    return numbers


# Dates and times are not counts: ISO dates and PX's CREATION-DATE ("20261126 08:55").
DATES = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:]+)?|\b\d{8} \d{2}:\d{2}\b")
NUMBER = re.compile(r"(?<![\d.,])\d+(?:[\u00a0\u202f]\d{3})*(?:[.,]\d+)*(?![\d\u00a0 ]*%)")


def whole_numbers(text: str) -> set[int]:
    """Whole numbers as a reader sees them: `1 753` is one number; `0,35`, `1,753.0`,
    percentages and dates are not counts."""
    found = set()
    for token in NUMBER.findall(DATES.sub(" ", text)):
        if not re.search(r"[.,]", token):
            found.add(int(re.sub(r"\D", "", token)))
    return found


TICK = re.compile(r"[xy]tick_\d+$")


class TextOnly(HTMLParser):
    """The text a reader or a screen reader gets: no CSS, no drawing coordinates."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.in_hash = False
        self.groups: list[bool] = []  # each open SVG group: whether it is an axis tick
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        # A file's SHA-256 on a release page is hex digits, which would read as numbers.
        self.in_hash = self.in_hash or (tag == "code" and ("class", "hash") in attrs)
        if tag in ("style", "script", "metadata") or self.in_hash:
            self.skip += 1
        if tag == "g":
            # An axis tick's label is the chart's scale (0, 20, 40, 60), not a count.
            self.groups.append(bool(TICK.search(dict(attrs).get("id") or "")))
            self.skip += self.groups[-1]
        self.parts.extend(v for k, v in attrs if k in ("aria-label", "alt", "title") and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "metadata") or (tag == "code" and self.in_hash):
            self.skip -= 1
            self.in_hash = False
        if tag == "g" and self.groups:
            self.skip -= self.groups.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of_markup(path: Path) -> str:
    parser = TextOnly()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def texts(report_dir: Path) -> dict[str, str]:
    """Every output's text by its path under `report_dir`."""
    found = {}
    for path in sorted(report_dir.rglob("*")):
        name = path.relative_to(report_dir).as_posix()
        if path.suffix in (".html", ".svg", ".xml"):
            found[name] = text_of_markup(path)
        elif path.suffix == ".pdf":
            found[name] = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        elif path.suffix == ".xlsx":
            book = load_workbook(path)
            cells = [
                str(v)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for v in row
                if v is not None
            ]
            found[name] = "\n".join(cells)
        elif path.suffix == ".px":
            found[name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            found[name] = "\n".join(descriptor_texts(json.loads(path.read_text("utf-8"))))
    return found


def descriptor_texts(node: object) -> list[str]:
    """Every value of a JSON descriptor but the files' hashes, whose hex digits would
    read as numbers."""
    if isinstance(node, dict):
        hashes = ("hash", "manifest_sha256")
        return [t for k, v in node.items() if k not in hashes for t in descriptor_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in descriptor_texts(v)]
    return [str(node)]


@pytest.fixture(scope="module", params=[7, 11])
def small_year(request, tmp_path_factory):
    """The year run, signed off and released through the register's request and a run
    made for it, whose last step builds the readers' site from the release."""
    root = tmp_path_factory.mktemp(f"small{request.param}")
    rows = generate(root / "inbox", request.param)
    settings = Settings(data_dir=str(root), suppression_threshold=THRESHOLD)
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key=str(YEAR)).success
    sign_off(root, YEAR)
    from pipelines.register.db import connect

    db = connect(settings)
    from pipelines.register.releases import request_release

    asked = request_release(YEAR, "", date(2024, 3, 15), 0, db=db)
    config = release_run_config(asked.id, asked.number, asked.date.isoformat(), asked.note)
    assert job.execute_in_process(partition_key=str(YEAR), run_config=config).success
    assert (root / "site" / "areas" / "01" / "index.html").is_file()
    return root, rows


def test_no_hidden_count_appears_in_any_output(small_year):
    root, rows = small_year
    untimed = sum(u for _, u in REGIONS.values())
    secret = hidden_counts(rows, root) - published_counts(root) - STRUCTURAL
    assert untimed in secret  # the number of incidents with no time is hidden and testable
    outputs = texts(root / "reports" / str(YEAR))
    published = {"report.html", "report.sv.html", "report.en.pdf", "tables.xlsx"}
    published |= {"tables/datapackage.json", "px/national.px", "px/regions.px", "px/breakdowns.px"}
    assert published <= set(outputs)
    site = {f"site/{name}": text for name, text in texts(root / "site").items()}
    pages = {"site/index.html", "site/sv/2023/v1/index.html", "site/en/areas/05/index.html"}
    pages |= {"site/quality/index.html", "site/feed.xml", "site/sitemap.xml", "site/releases.json"}
    assert pages <= set(site)
    assert "2023/v1/outputs/report.sv.pdf" in {name.removeprefix("site/") for name in site}
    outputs |= site
    leaks = {name: sorted(whole_numbers(text) & secret) for name, text in outputs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_the_search_would_find_a_leak():
    """The search itself: a note with a hidden count is found, a rate or a date is not."""
    assert whole_numbers("Kellonaika puuttuu 26 tilanteesta.") == {26}
    assert whole_numbers("0,26 · 1,753.0 · 29\u00a0% · 29 % · 29% · 2026-11-26T03:00:00") == set()
    assert whole_numbers("26\u00a0000 tehtävää") == {26000}
    assert whole_numbers('".." 26 6000 "." 0.3467') == {26, 6000}  # a PX data line


def test_the_search_reads_a_chart_but_not_its_scale_nor_a_files_hash():
    parser = TextOnly()
    parser.feed(
        '<svg><g id="area05-ytick_3"><g id="text_3"><text>60</text></g></g>'
        '<g id="text_9"><text>26</text></g></svg>'
        '<td><code class="hash">9f27a1</code></td><td>27</td>'
    )
    assert whole_numbers(" ".join(parser.parts)) == {26, 27}
