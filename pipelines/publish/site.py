"""The readers' publication site: static pages of every release, in Finnish, Swedish
and English.

Statistical offices publish a release page with the main points and downloads, a
notice of each revision, a quality description and series a reader can follow per
area (Statistics Finland, THL, ONS). This module writes such a site from the
released folders only (`releases/<year>/v<n>/`: their manifest, tables and
revisions), never from the working state, so a page shows exactly what was
released, and a value the published tables hide is hidden here too: the site reads
those tables, with their suppression marks, and nothing else.

The site is plain files with relative links (it opens from the file system as from
any static host), every page once per language with `hreflang` alternates, the
area charts drawn by the report's own chart function as inline SVG, an Atom feed
per language, `sitemap.xml`, `robots.txt` and `releases.json` (the index a later
build compares with, so a run that released nothing, with the same code, does not
rebuild it). Nothing depends on the time of the build: the same releases give the
same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import posixpath
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.contract import i18n
from pipelines.contract.schema import SCHEMA_DIR, Schema, read_yaml
from pipelines.files import file_sha256
from pipelines.publish.numbers import NOT_AVAILABLE, SUPPRESSED, fmt_number
from pipelines.publish.release import (
    MANIFEST,
    OUTPUTS,
    REVISIONS,
    read_manifests,
    version_name,
)
from pipelines.publish.report_data import REPORTS_DIR, load_series_breaks
from pipelines.publish.texts import Texts, report_texts
from pipelines.publish.view import suffix

TEMPLATES = Path(__file__).resolve().parent / "site_templates"
REPORT_TEXTS = REPORTS_DIR / "texts.yaml"  # the words the site shares with the report
INDEX = "releases.json"
AREAS, QUALITY = "areas", "quality"
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
TABLES = ("national", "regions", "breakdowns")
# What a release page offers for download, in this order: the report and workbook of
# each language, the open tables and their descriptor, the PX files.
DOWNLOADS = (
    *(f"report{suffix(lang)}.{ext}" for lang in i18n.LANGUAGES for ext in ("html", "pdf")),
    *(f"tables{suffix(lang)}.xlsx" for lang in i18n.LANGUAGES),
    *(f"tables/{table}.csv" for table in TABLES),
    "tables/datapackage.json",
    *(f"px/{table}.px" for table in TABLES),
)


@dataclass(frozen=True)
class Released:
    """One release as its folder holds it: the manifest's facts and the published
    tables it needs (national and regions, rows as written: hidden cells empty)."""

    year: int
    number: int
    date: date
    note: str
    revised_cells: int
    folder: Path
    outputs: dict[str, dict[str, Any]]
    national: dict[str, str]
    regions: dict[str, dict[str, str]]
    revisions: list[dict[str, str]]
    settings: dict[str, Any]
    missing_regions: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return version_name(self.number)

    @property
    def previous(self) -> str:
        return version_name(self.number - 1)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_releases(releases_root: Path) -> list[Released]:
    """Every finished release under `releases/`, oldest year and number first."""
    found = []
    years = sorted(int(p.name) for p in releases_root.glob("*") if p.is_dir() and p.name.isdigit())
    for year in years:
        for m in read_manifests(releases_root / str(year)):
            folder = releases_root / str(year) / m["name"]
            tables = folder / OUTPUTS / "tables"
            national = _csv_rows(tables / "national.csv")
            found.append(
                Released(
                    year=int(m["year"]),
                    number=int(m["release"]),
                    date=date.fromisoformat(m["date"]),
                    note=m["note"],
                    revised_cells=int(m["revised_cells"]),
                    folder=folder,
                    outputs={f["path"]: f for f in m["outputs"]},
                    national=national[0] if national else {},
                    regions={r["region_code"]: r for r in _csv_rows(tables / "regions.csv")},
                    revisions=_csv_rows(folder / REVISIONS),
                    settings=m["settings"],
                    missing_regions=tuple(m.get("missing_regions", ())),
                )
            )
    return found


def latest_of_each_year(releases: list[Released]) -> list[Released]:
    """The release in force for each released year, oldest year first."""
    latest: dict[int, Released] = {}
    for r in releases:
        latest[r.year] = r
    return [latest[y] for y in sorted(latest)]


@cache
def site_texts() -> dict[str, i18n.Text]:
    return i18n.load_texts(read_yaml(SCHEMA_DIR / "site.yaml"))


class Words:
    """The site's texts in one language (`schemas/site.yaml`), and the report's where
    both say the same thing (the publisher, column names, flags, symbols)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        text = site_texts().get(key) or report_texts()[key]
        return text.format(self.lang, **params)

    def day(self, day: date) -> str:
        """A date as the report writes it: 15.3.2025 in Finnish and Swedish, ISO in English."""
        return day.isoformat() if self.lang == "en" else f"{day.day}.{day.month}.{day.year}"

    def number(self, value: str, decimals: int = 0, *, flag: str = "") -> str:
        """A published cell as the tables show it: an empty cell is `..` when disclosure
        control hid it (its row's flag says so), else `.` (not available)."""
        if value == "":
            return SUPPRESSED if flag == "suppressed" else NOT_AVAILABLE
        return fmt_number(float(value), self.lang, decimals)


def page_path(lang: str, *parts: str) -> str:
    """A page's file from the site's root: Finnish at the root, the others under their
    language's folder; every page is a folder's `index.html`, so addresses are stable."""
    prefix = () if lang == "fi" else (lang,)
    return "/".join((*prefix, *parts, "index.html"))


def relative(start: str, target: str) -> str:
    """The link from the page `start` to the file `target`, both from the site's root:
    relative, so the site works from the file system and under any folder of a host."""
    return posixpath.relpath(target, posixpath.dirname(start) or ".")


def feed_path(lang: str) -> str:
    return ("" if lang == "fi" else f"{lang}/") + "feed.xml"


def public_url(site_url: str, path: str) -> str:
    """A page's address for the feed, the sitemap and Open Graph, which need absolute
    ones: the folder, without `index.html`."""
    return site_url.rstrip("/") + "/" + path.removesuffix("index.html")


@dataclass
class Page:
    """One page in one language: where it goes, its template and what it shows."""

    parts: tuple[str, ...]
    template: str
    title: str
    lang: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return page_path(self.lang, *self.parts)


def _key_figures(r: Released, w: Words, regions_total: int) -> list[tuple[str, str]]:
    """A release's headline figures from its national table, as published."""
    n = r.national
    if not n:
        return []
    return [
        (w("key_incidents"), w.number(n["incidents"])),
        (w("key_missions"), w.number(n["missions"])),
        (w("key_rate"), w.number(n["incidents_per_1000_missions"], 2)),
        (w("key_per_incident"), w.number(n["missions_per_incident"])),
        (
            w("key_regions"),
            w("key_regions_value", n=n["regions_reporting"], total=regions_total),
        ),
    ]


def _downloads(r: Released, w: Words) -> list[dict[str, str]]:
    """The release's files to download with their size and SHA-256 from the manifest;
    `revisions.csv` from v2."""
    names = {lang: Words(lang)("language_name") for lang in i18n.LANGUAGES}
    rows = []
    for name in DOWNLOADS:
        entry = r.outputs.get(f"{OUTPUTS}/{name}")
        if entry is None:
            continue
        rows.append(_download(entry, _content(name, w, names), w))
    if REVISIONS in r.outputs:
        rows.append(_download(r.outputs[REVISIONS], w("file_revisions"), w))
    return rows


def _content(name: str, w: Words, names: dict[str, str]) -> str:
    stem, ext = posixpath.splitext(posixpath.basename(name))
    lang = next((lang for lang in i18n.LANGUAGES if stem.endswith(f".{lang}")), "fi")
    if name.startswith("report"):
        return w("file_report", language=names[lang], format=ext[1:].upper())
    if name.endswith(".xlsx"):
        return w("file_workbook", language=names[lang])
    if name.endswith("datapackage.json"):
        return w("file_datapackage")
    key = "file_px" if ext == ".px" else "file_csv"
    return w(key, table=w(f"sheet_{stem}"))


def _download(entry: dict[str, Any], content: str, w: Words) -> dict[str, str]:
    size = int(entry["bytes"])
    return {
        "path": str(entry["path"]),
        "name": posixpath.basename(str(entry["path"])),
        "content": content,
        "size": w("size_kb", n=fmt_number(max(size / 1024, 0.1), w.lang, 1)),
        "bytes": str(size),
        "sha256": str(entry["sha256"]),
    }


def _revision_rows(r: Released, w: Words) -> list[list[str]]:
    """`revisions.csv` in the reader's words: a hidden value (an empty cell) is `..`."""
    return [
        [
            w(f"sheet_{c['table']}"),
            c["keys"].replace(";", ", "),
            c["column"],
            c["old"] or SUPPRESSED,
            c["new"] or SUPPRESSED,
            w(f"change_{c['change']}"),
        ]
        for c in r.revisions
    ]


@dataclass(frozen=True)
class AreaYear:
    """One area's row of one year's release in force, as published."""

    year: int
    release: str
    incidents: str
    missions: str
    rate: str
    flag: str

    def count(self) -> int | None:
        return int(self.incidents) if self.incidents else None

    def rate_value(self) -> float | None:
        return float(self.rate) if self.rate else None


def area_series(latest: list[Released], code: str) -> list[AreaYear]:
    """An area across every released year (each year's release in force). A year whose
    release has no row for the area shows it as not available."""
    series = []
    for r in latest:
        row = r.regions.get(code, {})
        series.append(
            AreaYear(
                r.year,
                r.name,
                row.get("incidents", ""),
                row.get("missions", ""),
                row.get("incidents_per_1000_missions", ""),
                row.get("flag", "not_submitted" if not row else ""),
            )
        )
    return series


def area_chart(
    series: list[AreaYear], code: str, area: str, w: Words, breaks: list[int], source: str
) -> str:
    """The area's incidents (bars) and rate (line) by year, series breaks marked: the
    report's trend chart, drawn as inline SVG named and described for screen readers.
    Hidden values are not drawn; the table after the chart shows them as `..`."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    from pipelines.publish import charts

    fig = charts.trend(
        [s.year for s in series],
        [s.count() for s in series],
        [s.rate_value() for s in series],
        breaks,
        title=w("area_chart_title", area=area),
        count_axis=w("count"),
        rate_axis=w("rate_axis"),
        break_label=w("series_break"),
        source=source,
        lang=w.lang,
    )
    text = io.StringIO()
    with plt.rc_context(charts.STYLE):
        FigureCanvasSVG(fig).print_svg(text, metadata={"Date": None, "Creator": None})
    svg = charts.accessible_svg(
        text.getvalue(),
        f"area{code}",
        w("area_chart_title", area=area),
        chart_description(series, w, breaks),
    )
    # Inline in HTML: no XML prolog, doctype or RDF metadata, which HTML does not take.
    svg = svg[svg.index("<svg") :]
    start, end = svg.find("<metadata>"), svg.find("</metadata>")
    if start >= 0:
        svg = svg[:start] + svg[end + len("</metadata>") :]
    return svg


def chart_description(series: list[AreaYear], w: Words, breaks: list[int]) -> str:
    """What the chart shows, for readers who do not see it, in the report's words: each
    published year's figures, how many years are hidden or not available, the series
    breaks, and where the table of the same numbers is. Only published values are named."""
    points = [
        w("desc_trend_point", year=s.year, count=w.number(s.incidents), rate=w.number(s.rate, 2))
        for s in series
        if s.incidents
    ]
    hidden = sum(s.flag == "suppressed" for s in series)
    missing = sum(not s.incidents and s.flag != "suppressed" for s in series)
    return " ".join(
        [
            w("desc_trend"),
            w("desc_trend_points", points="; ".join(points)) if points else w("desc_none"),
            *([w("desc_hidden", n=hidden)] if hidden else []),
            *([w("desc_missing", n=missing)] if missing else []),
            *([f"{w('series_break')}: {', '.join(map(str, breaks))}."] if breaks else []),
            w("area_chart_desc"),
        ]
    )


def area_rows(series: list[AreaYear], w: Words, breaks: list[int]) -> list[list[str]]:
    """The chart's numbers as a table: each year's cells as published, the row's flag in
    words (as the report's tables say it) and a series break where one starts."""
    flags = Texts(w.lang).flags()
    rows = []
    for s in series:
        notes = [flags[s.flag]] if s.flag else []
        if s.year in breaks:
            notes.append(w("series_break"))
        rows.append(
            [
                str(s.year),
                w.number(s.incidents, flag=s.flag),
                w.number(s.missions),
                w.number(s.rate, 2, flag=s.flag),
                "; ".join(notes),
            ]
        )
    return rows


class Builder:
    """The site's pages in every language, each with what it shows, from the releases."""

    def __init__(
        self, releases: list[Released], schema: Schema, site_url: str, next_release: str
    ) -> None:
        self.releases = releases
        self.latest = latest_of_each_year(releases)
        self.schema = schema
        self.site_url = site_url
        self.next_release = date.fromisoformat(next_release) if next_release else None
        self.regions = list(schema.codelists["regions"].codes)
        years = {r.year for r in self.latest}
        self.breaks = sorted(
            y for y in load_series_breaks() if min(years, default=0) < y <= max(years, default=0)
        )

    def current(self, year: int) -> Released:
        return next(r for r in self.latest if r.year == year)

    def build_pages(self) -> list[Page]:
        pages = []
        for lang in i18n.LANGUAGES:
            w = Words(lang)
            pages.append(Page((), "front.html.j2", w("site_name"), lang, self._front(w)))
            for year in sorted({r.year for r in self.releases}):
                of_year = [r for r in self.releases if r.year == year]
                pages.append(
                    Page(
                        (str(year),),
                        "year.html.j2",
                        w("year_title", year=year),
                        lang,
                        {"year": year, "current": self.current(year), "releases": of_year},
                    )
                )
                pages += [self._release_page(r, w) for r in of_year]
            pages.append(
                Page((AREAS,), "areas.html.j2", w("areas_title"), lang, {"areas": self._areas(w)})
            )
            pages += [self._area_page(code, w) for code in self.regions]
            pages.append(
                Page((QUALITY,), "quality.html.j2", w("quality_title"), lang, self._quality(w))
            )
        return pages

    def _areas(self, w: Words) -> list[tuple[str, str]]:
        names = self.schema.codelists["regions"]
        return [
            (names.label(code, w.lang), page_path(w.lang, AREAS, code)) for code in self.regions
        ]

    def _front(self, w: Words) -> dict[str, Any]:
        latest = max(self.latest, key=lambda r: r.year, default=None)
        return {
            "latest": latest,
            "figures": _key_figures(latest, w, len(self.regions)) if latest else [],
            "releases": sorted(self.releases, key=lambda r: (-r.year, -r.number)),
            "current": {(r.year, r.number) for r in self.latest},
            "next_release": self.next_release,
            "areas": self._areas(w),
        }

    def _release_page(self, r: Released, w: Words) -> Page:
        title = w("release_title", year=r.year, name=r.name)
        report = w("title", year=r.year)
        cite = w(
            "cite_text",
            publisher=w("publisher"),
            title=report,
            name=r.name,
            date=w.day(r.date),
            url=public_url(self.site_url, page_path(w.lang, str(r.year), r.name)),
        )
        return Page(
            (str(r.year), r.name),
            "release.html.j2",
            title,
            w.lang,
            {
                "r": r,
                "report_title": report,
                "current": self.current(r.year),
                "figures": _key_figures(r, w, len(self.regions)),
                "files": f"{r.year}/{r.name}",
                "report": f"{OUTPUTS}/report{suffix(w.lang)}",
                "downloads": _downloads(r, w),
                "cite": cite,
                "revisions": _revision_rows(r, w),
            },
        )

    def _area_page(self, code: str, w: Words) -> Page:
        area = self.schema.codelists["regions"].label(code, w.lang)
        series = area_series(self.latest, code)
        releases = ", ".join(f"{s.year} {s.release}" for s in series)
        source = w("area_source", publisher=w("publisher"), releases=releases)
        breaks = load_series_breaks()
        return Page(
            (AREAS, code),
            "area.html.j2",
            area,
            w.lang,
            {
                "area": area,
                "chart": area_chart(series, code, area, w, self.breaks, source) if series else "",
                "rows": area_rows(series, w, self.breaks),
                "breaks": [w("break_mark", year=y, text=breaks[y][w.lang]) for y in self.breaks],
                "source": source,
            },
        )

    def _quality(self, w: Words) -> dict[str, Any]:
        newest = self.latest[-1] if self.latest else None
        settings = newest.settings if newest else {}
        thresholds = settings.get("plausibility", {})
        contract = self.schema.contracts["incidents"]
        reasons = self.schema.codelists["explanation_reasons"]
        breaks = load_series_breaks()
        names = self.schema.codelists["region_short"]
        return {
            "coverage": [
                (
                    r.year,
                    r.name,
                    w.number(r.national.get("regions_reporting", "")),
                    ", ".join(names.label(c, w.lang) for c in r.missing_regions) or "–",
                )
                for r in self.latest
            ],
            "variables": [
                f"{c.labels[w.lang]}: {c.description[w.lang]}"
                for c in contract.columns
                if c.breakdown or c.name in ("incident_date", "incident_time")
            ],
            "suppression": w(
                "methods_suppression",
                threshold=settings.get("suppression_threshold", 3),
                unreliable=settings.get("unreliable_below", 20),
            )
            if settings
            else "",
            "checks": [
                (
                    rule.labels[w.lang],
                    ", ".join(
                        f"{key} = {thresholds[key]}"
                        for key in rule.thresholds.values()
                        if key in thresholds
                    ),
                )
                for rule in self.schema.plausibility.values()
            ],
            "reasons": [reasons.label(code, w.lang) for code in reasons.codes],
            "reports": [(r.year, f"{r.year}/{r.name}") for r in self.latest],
            "breaks": [(y, breaks[y][w.lang]) for y in sorted(breaks)],
        }


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render(builder: Builder) -> Iterator[tuple[str, str]]:
    """Every page's HTML by its path from the site's root."""
    from markupsafe import Markup

    env = _environment()
    pages = builder.build_pages()
    by_parts: dict[tuple[str, ...], dict[str, Page]] = {}
    for page in pages:
        by_parts.setdefault(page.parts, {})[page.lang] = page
    for page in pages:
        w = Words(page.lang)

        def link(target: str, start: str = page.path) -> str:
            return relative(start, target)

        context = {
            **page.context,
            "w": w,
            "page": page,
            "link": link,
            "page_path": page_path,
            "svg": Markup,
            "alternates": [
                (lang, link(other.path), Words(lang)("language_name"))
                for lang, other in by_parts[page.parts].items()
            ],
            "canonical": public_url(builder.site_url, page.path),
            "locale": LOCALES[page.lang],
            "other_locales": [LOCALES[lang] for lang in i18n.LANGUAGES if lang != page.lang],
            "site_url": builder.site_url,
            "description": w("site_description"),
            "feed": feed_path(page.lang),
            "report_suffix": suffix(page.lang),
        }
        yield page.path, env.get_template(page.template).render(**context)


def atom_feed(builder: Builder, lang: str) -> str:
    """The releases as an Atom feed (RFC 4287), newest first: each release an entry with
    its date, its page and, from v2, what it revised and why."""
    from xml.sax.saxutils import escape, quoteattr

    w = Words(lang)
    releases = sorted(builder.releases, key=lambda r: (r.date, r.year, r.number), reverse=True)
    updated = f"{releases[0].date.isoformat()}T00:00:00Z" if releases else "1970-01-01T00:00:00Z"
    feed, front = feed_path(lang), public_url(builder.site_url, page_path(lang))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
        f"  <title>{escape(w('feed_title'))}</title>",
        f"  <id>{escape(public_url(builder.site_url, feed))}</id>",
        f'  <link rel="self" href={quoteattr(public_url(builder.site_url, feed))}/>',
        f'  <link rel="alternate" href={quoteattr(front)}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(w('publisher'))}</name></author>",
    ]
    for r in releases:
        url = public_url(builder.site_url, page_path(lang, str(r.year), r.name))
        summary = w("release_published", date=w.day(r.date))
        if r.number > 1:
            reason = w("revision_why", reason=r.note) if r.note else ""
            summary = w("feed_entry_revised", n=r.revised_cells, previous=r.previous, reason=reason)
        stamp = f"{r.date.isoformat()}T00:00:00Z"
        lines += [
            "  <entry>",
            f"    <title>{escape(w('release_title', year=r.year, name=r.name))}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <published>{stamp}</published>",
            f"    <updated>{stamp}</updated>",
            f"    <summary>{escape(summary.strip())}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(builder: Builder, paths: list[str]) -> str:
    from xml.sax.saxutils import escape

    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"  <url><loc>{escape(public_url(builder.site_url, p))}</loc></url>" for p in paths]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def generator() -> dict[str, str]:
    """What made the pages: the tool's version and one SHA-256 of this module, its
    templates and its words, so that the asset rebuilds a site whose look or wording
    changed even when the releases did not."""
    from pipelines import __version__

    templates = sorted(p for p in TEMPLATES.iterdir() if p.is_file())
    sources = [Path(__file__), *templates, SCHEMA_DIR / "site.yaml"]
    sources.append(REPORT_TEXTS)
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"evstats": __version__, "sha256": digest.hexdigest()}


def release_index(releases: list[Released], site_url: str, next_release: str) -> str:
    """`releases.json`: the site's address, the next release date and every release the
    site was built from, for machines, and for the next build to see whether anything
    it shows has changed since."""
    return (
        json.dumps(
            {
                "site_url": site_url,
                "next_release": next_release or None,
                "generator": generator(),
                "releases": [
                    {
                        "year": r.year,
                        "release": r.number,
                        "name": r.name,
                        "date": r.date.isoformat(),
                        "note": r.note,
                        "revised_cells": r.revised_cells,
                        "page": page_path("fi", str(r.year), r.name),
                        "manifest_sha256": file_sha256(r.folder / MANIFEST),
                    }
                    for r in releases
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_site(
    releases_root: Path,
    out: Path,
    schema: Schema,
    *,
    site_url: str,
    next_release: str = "",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The whole site in `out`, from the finished releases under `releases_root`.

    Written beside `out` first and put in its place at the end, so a host serving `out`
    never sees half a site. An existing `out` is replaced only when it is a site this
    function wrote (it holds `releases.json`) or empty: never another folder."""
    if out.exists() and any(out.iterdir()) and not (out / INDEX).is_file():
        raise ValueError(f"{out} is not empty and holds no site ({INDEX}); nothing was written")
    releases = read_releases(releases_root)
    builder = Builder(releases, schema, site_url, next_release)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        paths = []
        for path, html in render(builder):
            _write(tmp / path, html)
            paths.append(path)
            if progress:
                progress(path)
        for r in releases:
            target = tmp / str(r.year) / r.name
            for entry in r.outputs.values():
                source = r.folder / str(entry["path"])
                (target / str(entry["path"])).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target / str(entry["path"]))
        shutil.copyfile(TEMPLATES / "style.css", tmp / "style.css")
        for lang in i18n.LANGUAGES:
            _write(tmp / feed_path(lang), atom_feed(builder, lang))
        _write(tmp / "sitemap.xml", sitemap(builder, paths))
        _write(
            tmp / "robots.txt",
            f"User-agent: *\nAllow: /\nSitemap: {public_url(site_url, 'sitemap.xml')}\n",
        )
        _write(tmp / INDEX, release_index(releases, site_url, next_release))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def is_current(releases_root: Path, out: Path, site_url: str, next_release: str) -> bool:
    """Whether the site in `out` was built from exactly the releases now on disk, for
    the same address and next release date."""
    index = out / INDEX
    if not index.is_file():
        return False
    now = release_index(read_releases(releases_root), site_url, next_release)
    return index.read_text(encoding="utf-8") == now
