"""The open dataset of a year: the published CSV tables and a `datapackage.json` beside
them (Frictionless Data Package v1 with Table Schema), so an open data portal or any
reader can load and check the tables without reading our documentation first.

The package describes the CSV files as they are: types, primary keys, the codes a
column may hold (from the code lists and the contract) and `missingValues` `[""]`,
because a hidden or unavailable figure is an empty cell there and the row's `flag`
says which. `bytes` and a SHA-256 `hash` of each file let a reader tell a damaged or
altered copy.

Three languages, one convention: `title` and `description` are Finnish (the primary
publication language), and the package, every resource and every field carry the
Swedish and English ones in a custom property `x-translations`:
`{"sv": {"title": …, "description": …}, "en": {…}}`. Frictionless allows properties
of its own to a descriptor and `frictionless validate` ignores them. No timestamp is
written, so the same tables give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.schema import Schema
from pipelines.files import replace_atomically
from pipelines.publish.px import CONTENTS
from pipelines.publish.tables import DECIMALS, PRIMARY_KEYS, STATUS_FLAGS, Row
from pipelines.publish.texts import Texts

MAIN = LANGUAGES[0]
LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
COUNTS = ("year", "incidents", "missions", "regions_reporting")
# The text key of each column's title; the figures take their PX names.
TITLES = {
    "year": "year",
    "region_code": "t_code",
    "region_name": "t_region",
    "flag": "t_flag",
    "dimension": "dimension",
    "category": "category",
    **{column: name for column, (name, _) in CONTENTS.items()},
}

Descriptor = dict[str, object]


def _described(title: str, description: str | None = None, **params: object) -> Descriptor:
    """`title` (and `description`) in Finnish, the other languages in `x-translations`."""

    def texts(lang: str) -> dict[str, str]:
        t = Texts(lang)
        out = {"title": t(title, **params)}
        if description:
            out["description"] = t(description, **params)
        return out

    return {
        **texts(MAIN),
        "x-translations": {lang: texts(lang) for lang in LANGUAGES if lang != MAIN},
    }


def _field(table: str, column: str, schema: Schema) -> Descriptor:
    kind = "integer" if column in COUNTS else "number" if column in DECIMALS else "string"
    field: Descriptor = {
        "name": column,
        "type": kind,
        **_described(TITLES[column], f"field_{column}"),
    }
    constraints: dict[str, object] = {}
    if column in PRIMARY_KEYS[table]:
        constraints["required"] = True
    if kind != "string":
        constraints["minimum"] = 0
    if column == "region_code":
        constraints["enum"] = list(schema.codelists["regions"].codes)
    elif column == "dimension":
        constraints["enum"] = [
            d for d, _, _ in schema.contracts["incidents"].breakdown_dimensions()
        ]
    elif column == "flag":
        status = [f for f in STATUS_FLAGS.values() if f] if table == "regions" else []
        constraints["enum"] = ["suppressed", *(["unreliable"] if status else []), *status]
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(
    tables: dict[str, tuple[list[str], list[Row]]],
    paths: dict[str, Path],
    schema: Schema,
    year: int,
) -> Descriptor:
    """The descriptor of the year's tables, written where `paths` put them."""
    resources = []
    for name, (header, _) in tables.items():
        data = paths[name].read_bytes()
        resources.append(
            {
                "name": name,
                "path": paths[name].name,
                "profile": "tabular-data-resource",
                **_described(f"table_{name}", f"table_{name}_description"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": {
                    "fields": [_field(name, column, schema) for column in header],
                    "primaryKey": list(PRIMARY_KEYS[name]),
                    "missingValues": [""],
                },
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": f"evstats-{year}",
        **_described("open_title", "open_description", year=year),
        "licenses": [{**LICENSE, **_described("license_title")}],
        "sources": [{"title": Texts(MAIN)("publisher")}],
        "resources": resources,
    }


def write_datapackage(
    tables: dict[str, tuple[list[str], list[Row]]],
    paths: dict[str, Path],
    schema: Schema,
    year: int,
) -> Path:
    """`datapackage.json` in the folder of the CSV tables, replaced atomically."""
    text = json.dumps(datapackage(tables, paths, schema, year), ensure_ascii=False, indent=2)
    [folder] = {p.parent for p in paths.values()}
    return replace_atomically(
        folder / "datapackage.json", lambda tmp: tmp.write_bytes((text + "\n").encode("utf-8"))
    )
