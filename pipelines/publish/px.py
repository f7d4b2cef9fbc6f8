"""PC-Axis (PX) files of the published tables, for PxWeb and the Nordic statistical databases.

One file per table holds Finnish (the main language), Swedish and English. The cells
are the CSV tables' cells (`tables.yearly_tables`, formatted by `tables.csv_value`), so
the two cannot disagree; a count hidden by disclosure control is `".."` and a figure
that does not exist `"."`, Statistics Finland's symbols, which PX reserves for missing
values and the NOTE explains. Layout follows Statistics Sweden's PX file format
specification (2013): its keyword order, each language-dependent keyword repeated as
KEYWORD[sv] and KEYWORD[en] right after the main language's (readers such as pyaxis
pair a translation with the keyword just before it), the table's several figures as a
content variable (CONTVARIABLE) with UNITS and PRECISION per figure, long texts split
into quoted pieces on lines of their own. Every name and label comes from the code
lists and `reports/texts.yaml`.

UTF-8 (CODEPAGE="utf-8") with LF line ends, and no clock: CREATION-DATE is when the
newest submission in force was received, so the same warehouse gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.schema import Schema
from pipelines.files import replace_atomically
from pipelines.publish.numbers import NOT_AVAILABLE, SUPPRESSED
from pipelines.publish.tables import DECIMALS, Disclosure, Row, csv_value, is_suppressed
from pipelines.publish.texts import Texts

MAIN = LANGUAGES[0]
SUBJECT_CODE = "EVS"
WIDTH = 200  # characters of a quoted piece; PX lines stay under 256 with the keyword
# Each published figure: the text keys of its name and its unit.
CONTENTS = {
    "incidents": ("t_incidents", "unit_incidents"),
    "missions": ("t_missions", "unit_missions"),
    "incidents_per_1000_missions": ("kf_rate", "unit_rate"),
    "missions_per_incident": ("t_mpi", "unit_mpi"),
    "regions_reporting": ("kf_regions", "unit_regions"),
    "percent": ("percent", "unit_percent"),
}

Localised = dict[str, str]


@dataclass(frozen=True)
class Variable:
    """A PX variable: its name and value labels per language, and the values' codes."""

    names: Localised
    codes: list[str]
    values: dict[str, list[str]]
    time: bool = False

    def __post_init__(self) -> None:
        for lang, labels in self.values.items():
            if len(set(labels)) != len(labels):  # PX names a cell by its values' labels
                raise ValueError(f"{self.names[lang]}: value labels repeat")


@dataclass(frozen=True)
class Cube:
    """One PX table: a stub variable whose values are the rows, the year and the content
    variable in the heading, one line of data per row."""

    matrix: str
    titles: Localised
    stub: Variable
    heading: list[Variable]
    contents: list[str]
    data: list[list[str]]
    notes: Localised
    value_notes: dict[str, Localised]  # stub code -> note


def data_as_of(con: duckdb.DuckDBPyConnection, year: int) -> datetime | None:
    """When the newest submission in force for the year was received (UTC): the time the
    published figures last changed, deterministic where the clock is not."""
    row = con.execute(
        "SELECT max(received_at) FROM submissions_in_force WHERE year = ?", [year]
    ).fetchone()
    return row[0] if row else None


def _texts(key: str, **params: object) -> Localised:
    return {lang: Texts(lang)(key, **params) for lang in LANGUAGES}


def _quote(text: str) -> str:
    """PX has no escape for a double quote inside a text, so one is refused, not mangled."""
    if '"' in text or "\n" in text:
        raise ValueError(f"a PX text cannot hold a double quote or a line break: {text!r}")
    return f'"{text}"'


def _text(text: str) -> str:
    """One text as quoted pieces of at most WIDTH characters, each on its own line (PX
    joins them). No piece starts or ends with a space: readers trim them."""
    pieces = []
    while len(text) > WIDTH:
        cut = WIDTH
        while text[cut - 1] == " " or text[cut] == " ":
            cut -= 1
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return "\n".join(_quote(p) for p in pieces)


def _list(values: list[str]) -> str:
    """Quoted values separated by commas, a line broken before it grows past WIDTH."""
    lines: list[str] = []
    line = ""
    for value in map(_quote, values):
        if line and len(line) + len(value) >= WIDTH:
            lines.append(line + ",")
            line = value
        else:
            line = f"{line},{value}" if line else value
    return "\n".join([*lines, line])


def _each_language(keyword: str, entry: Callable[[str], tuple[list[str], str]]) -> list[str]:
    """KEYWORD in the main language, then KEYWORD[sv] and KEYWORD[en] right after it;
    `entry` gives a language's subkeys and its rendered value."""
    lines = []
    for lang in LANGUAGES:
        subkeys, value = entry(lang)
        key = keyword if lang == MAIN else f"{keyword}[{lang}]"
        if subkeys:
            key += "(" + ",".join(map(_quote, subkeys)) + ")"
        lines.append(f"{key}={value};")
    return lines


def _content_variable(columns: list[str]) -> Variable:
    return Variable(
        names=_texts("px_contents_variable"),
        codes=columns,
        values={lang: [Texts(lang)(CONTENTS[c][0]) for c in columns] for lang in LANGUAGES},
    )


def _year_variable(year: int) -> Variable:
    return Variable(
        names=_texts("year"),
        codes=[str(year)],
        values={lang: [str(year)] for lang in LANGUAGES},
        time=True,
    )


def _cell(table: str, row: Row, column: str) -> str:
    if row[column] is None:
        return _quote(SUPPRESSED if is_suppressed(table, row, column) else NOT_AVAILABLE)
    return csv_value(column, row[column])


def _notes(rules: Disclosure, *extra: str) -> Localised:
    notes = {}
    for lang in LANGUAGES:
        t = Texts(lang)
        parts = [
            t("methods_symbols"),
            t("methods_suppression", threshold=rules.threshold, unreliable=rules.unreliable_below),
            t("methods_rates"),
            *(t(key) for key in extra),
        ]
        notes[lang] = " ".join(parts)
    return notes


def _region_variable(rows: list[Row], schema: Schema) -> Variable:
    regions = schema.codelists["regions"]
    codes = [str(r["region_code"]) for r in rows]
    return Variable(
        names=dict(regions.labels),
        codes=codes,
        values={lang: [regions.label(c, lang) for c in codes] for lang in LANGUAGES},
    )


def _category_variable(rows: list[Row], schema: Schema) -> Variable:
    """Every dimension's categories as one variable ("Perpetrator: Patient"): a PX table
    is a full cross-classification, and each dimension has its own categories."""
    contract = schema.contracts["incidents"]
    codelists = {d: c for d, c, _ in contract.breakdown_dimensions()}

    def label(row: Row, lang: str) -> str:
        dimension, codelist = str(row["dimension"]), codelists[str(row["dimension"])]
        name = (
            contract.column(dimension).labels[lang]
            if dimension in contract.column_names
            else schema.codelists[codelist].labels[lang]
        )
        category = schema.codelists[codelist].label(str(row["category"]), lang)
        return Texts(lang)("px_category_value", dimension=name, category=category)

    return Variable(
        names=_texts("px_category_variable"),
        codes=[f"{r['dimension']}.{r['category']}" for r in rows],
        values={lang: [label(r, lang) for r in rows] for lang in LANGUAGES},
    )


def cubes(
    tables: dict[str, tuple[list[str], list[Row]]], schema: Schema, rules: Disclosure, year: int
) -> dict[str, Cube]:
    """The PX layout of each published table: national by year, regions and breakdowns
    by area or category (stub) and year (heading), the figures as the content variable."""
    flags = {lang: Texts(lang).flags() for lang in LANGUAGES}
    out = {}
    for name, (header, rows) in tables.items():
        if any(r["year"] != year for r in rows):
            raise ValueError(f"{name}: rows of another year than {year}")
        contents = [c for c in header if c in CONTENTS]
        if name == "national":
            stub, heading = _year_variable(year), [_content_variable(contents)]
        elif name == "regions":
            stub = _region_variable(rows, schema)
            heading = [_year_variable(year), _content_variable(contents)]
        else:
            stub = _category_variable(rows, schema)
            heading = [_year_variable(year), _content_variable(contents)]
        out[name] = Cube(
            matrix=f"evstats_{name}_{year}",
            titles=_texts(f"px_title_{name}", year=year),
            stub=stub,
            heading=heading,
            contents=contents,
            data=[[_cell(name, r, c) for c in contents] for r in rows],
            notes=_notes(rules, *(["regions_missing_note"] if name == "regions" else [])),
            value_notes={
                code: {lang: flags[lang][str(r["flag"])] for lang in LANGUAGES}
                for code, r in zip(stub.codes, rows, strict=True)
                if r.get("flag") and r["flag"] != "suppressed"
            },
        )
    return out


def render(cube: Cube, created: datetime | None) -> str:
    """The PX file's text."""
    variables = [cube.stub, *cube.heading]
    contvariable = cube.heading[-1]
    decimals = max(DECIMALS.get(c, 0) for c in cube.contents)
    lines = [
        'CHARSET="ANSI";',
        'AXIS-VERSION="2013";',
        'CODEPAGE="utf-8";',
        f"LANGUAGE={_quote(MAIN)};",
        f"LANGUAGES={_list(list(LANGUAGES))};",
    ]
    if created:
        lines.append(f'CREATION-DATE="{created:%Y%m%d %H:%M}";')
    lines += [
        f"DECIMALS={decimals};",
        "SHOWDECIMALS=0;",
        f"MATRIX={_quote(cube.matrix)};",
        f"SUBJECT-CODE={_quote(SUBJECT_CODE)};",
    ]
    subject, contents, source = (
        _texts("px_subject_area"),
        _texts("px_contents"),
        _texts("publisher"),
    )
    lines += _each_language("SUBJECT-AREA", lambda lang: ([], _text(subject[lang])))
    lines += _each_language("TITLE", lambda lang: ([], _text(cube.titles[lang])))
    lines += _each_language("CONTENTS", lambda lang: ([], _text(contents[lang])))
    lines += _each_language("STUB", lambda lang: ([], _list([cube.stub.names[lang]])))
    lines += _each_language(
        "HEADING", lambda lang: ([], _list([v.names[lang] for v in cube.heading]))
    )
    lines += _each_language("CONTVARIABLE", lambda lang: ([], _quote(contvariable.names[lang])))
    for v in variables:
        lines += _each_language(
            "VALUES", lambda lang, v=v: ([v.names[lang]], _list(v.values[lang]))
        )
    for v in (v for v in variables if v.time):
        lines += _each_language(
            "TIMEVAL",
            lambda lang, v=v: ([v.names[lang]], "TLIST(A1)," + _list(v.values[lang])),
        )
    for v in variables:
        lines += _each_language("CODES", lambda lang, v=v: ([v.names[lang]], _list(v.codes)))
    for i, column in enumerate(cube.contents):
        if DECIMALS.get(column):
            lines += _each_language(
                "PRECISION",
                lambda lang, i=i, column=column: (
                    [contvariable.names[lang], contvariable.values[lang][i]],
                    str(DECIMALS[column]),
                ),
            )
    for i, column in enumerate(cube.contents):
        unit = _texts(CONTENTS[column][1])
        lines += _each_language(
            "UNITS",
            lambda lang, i=i, unit=unit: ([contvariable.values[lang][i]], _text(unit[lang])),
        )
    lines += _each_language("SOURCE", lambda lang: ([], _text(source[lang])))
    lines += _each_language("NOTE", lambda lang: ([], _text(cube.notes[lang])))
    for code, note in cube.value_notes.items():
        i = cube.stub.codes.index(code)
        lines += _each_language(
            "VALUENOTE",
            lambda lang, i=i, note=note: (
                [cube.stub.names[lang], cube.stub.values[lang][i]],
                _text(note[lang]),
            ),
        )
    lines += [
        f"DATASYMBOL1={_quote(NOT_AVAILABLE)};",
        f"DATASYMBOL2={_quote(SUPPRESSED)};",
        "DATA=",
        *(" ".join(row) for row in cube.data),
        ";",
    ]
    return "\n".join(lines) + "\n"


def write_px(
    tables: dict[str, tuple[list[str], list[Row]]],
    schema: Schema,
    rules: Disclosure,
    year: int,
    created: datetime | None,
    out_dir: Path,
) -> dict[str, Path]:
    """`<table>.px` for each published table, each replaced atomically."""
    paths = {}
    for name, cube in cubes(tables, schema, rules, year).items():
        text = render(cube, created)
        paths[name] = replace_atomically(
            out_dir / f"{name}.px", lambda tmp, text=text: tmp.write_bytes(text.encode("utf-8"))
        )
    return paths
