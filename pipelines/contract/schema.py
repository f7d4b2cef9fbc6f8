"""The submission contracts, code lists and messages, loaded from `schemas/`.

The YAML files are the single source of truth: the validation suite, the
parser, the reference tables in the warehouse and every published label are
derived from the objects built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipelines.contract.i18n import LANGUAGES, Text, load_text, load_texts

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
DATE_PARTS = {"month", "isodow", "hour"}


@dataclass(frozen=True)
class CodeList:
    """An ordered list of codes; the order is the order of published tables.

    `choice` is how a template's drop-down list writes a code in a language (the
    label, or for regions the code and the name): the reader accepts it back."""

    name: str
    labels: dict[str, str]
    codes: dict[str, dict[str, str]]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    choice: str = "{label}"

    def label(self, code: str, lang: str) -> str:
        return self.codes[code][lang]

    def choice_label(self, code: str, lang: str) -> str:
        """The value a template's drop-down list offers for `code` in `lang`."""
        return self.choice.format(code=code, label=self.label(code, lang))

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (lower case) to its code: code, labels, drop-down
        values, aliases, and numeric codes without the leading zero that Excel drops."""
        spellings: dict[str, str] = {}
        for code, labels in self.codes.items():
            choices = [self.choice_label(code, lang) for lang in labels]
            forms = [code, *labels.values(), *choices, *self.aliases.get(code, ())]
            if code.isdigit():
                forms.append(str(int(code)))
            for form in forms:
                key = form.strip().lower()
                if spellings.setdefault(key, code) != code:
                    raise ValueError(
                        f"code list {self.name}: {form!r} means both {spellings[key]} and {code}"
                    )
        return spellings


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    labels: dict[str, str]
    description: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    codelist: str | None = None
    min: int | None = None
    max: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    matches_submission: str | None = None
    within_reporting_year: bool = False
    # A month of the reporting year: one after Finland's month of today is a warning.
    month_of_year: bool = False
    only_when: dict[str, str] | None = None
    breakdown: bool = False
    free_text: bool = False


@dataclass(frozen=True)
class DerivedDimension:
    name: str
    codelist: str
    source: str
    part: str


@dataclass(frozen=True)
class Contract:
    kind: str
    version: int
    labels: dict[str, str]
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...] = ()
    complete_set: dict[str, Any] | None = None
    derived_dimensions: tuple[DerivedDimension, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def header_lookup(self) -> dict[str, str]:
        """Header spellings (lower case) to column names: the name itself and its aliases."""
        return {h.lower(): c.name for c in self.columns for h in (c.name, *c.headers.values())}

    def header(self, column: Column, lang: str) -> str:
        """The header a template in `lang` uses: Finnish or Swedish name, English = canonical."""
        return column.headers.get(lang, column.name)

    def required_headers(self, lang: str) -> list[str]:
        """The required columns as a template in `lang` names them."""
        return [self.header(c, lang) for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def breakdown_dimensions(self) -> list[tuple[str, str, str]]:
        """(dimension, codelist, SQL expression) for every published breakdown."""
        dims = [(c.name, c.codelist or "", c.name) for c in self.columns if c.breakdown]
        for d in self.derived_dimensions:
            dims.append((d.name, d.codelist, f"CAST({d.part}({d.source}) AS VARCHAR)"))
        return dims


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    messages: Text


@dataclass(frozen=True)
class PlausibilityRule:
    """A check of a file against the region's earlier years (`schemas/plausibility.yaml`);
    `thresholds` maps the check's parameters to settings, so a threshold is tuned in the
    configuration, never in code."""

    name: str
    kind: str
    check: str
    figure: str
    against: str
    thresholds: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    contracts: dict[str, Contract]
    codelists: dict[str, CodeList]
    rules: dict[str, Rule] = field(default_factory=dict)
    ui: dict[str, Text] = field(default_factory=dict)
    plausibility: dict[str, PlausibilityRule] = field(default_factory=dict)

    def text(self, key: str, lang: str, **params: object) -> str:
        """A text of `schemas/ui.yaml`, in the plural form its count needs."""
        return self.ui[key].format(lang, **params)

    def message(self, rule: str, lang: str, **params: object) -> str:
        """A rule's message of `schemas/messages.yaml`, in the plural form its count needs."""
        return self.rules[rule].messages.format(lang, **params)


def _codelist(name: str, spec: dict[str, Any]) -> CodeList:
    codes: dict[str, dict[str, str]] = {}
    if "range" in spec:
        low, high = spec["range"]
        codes.update(
            {str(h): {lang: f"{h:02d}" for lang in LANGUAGES} for h in range(low, high + 1)}
        )
    aliases: dict[str, tuple[str, ...]] = {}
    for k, v in [*spec.get("codes", {}).items(), *spec.get("extra_codes", {}).items()]:
        labels = dict(v)
        aliases[str(k)] = tuple(str(a) for a in labels.pop("aliases", ()))
        codes[str(k)] = labels
    for code, labels in codes.items():
        missing = set(LANGUAGES) - set(labels)
        if missing:
            raise ValueError(f"code list {name}: code {code} lacks labels {sorted(missing)}")
    codelist = CodeList(
        name=name,
        labels=spec["labels"],
        codes=codes,
        aliases=aliases,
        choice=spec.get("choice", "{label}"),
    )
    codelist.lookup()
    return codelist


def _contract(spec: dict[str, Any], codelists: dict[str, CodeList]) -> Contract:
    columns = tuple(Column(**c) for c in spec["columns"])
    for c in columns:
        if c.codelist and c.codelist not in codelists:
            raise ValueError(f"{spec['kind']}.{c.name}: unknown code list {c.codelist}")
    derived = tuple(DerivedDimension(**d) for d in spec.get("derived_dimensions", []))
    for d in derived:
        if d.part not in DATE_PARTS:
            raise ValueError(
                f"{spec['kind']}: derived dimension {d.name} has unknown part {d.part}"
            )
    return Contract(
        kind=spec["kind"],
        version=spec["version"],
        labels=spec["labels"],
        columns=columns,
        unique_key=tuple(spec.get("unique_key", ())),
        complete_set=spec.get("complete_set"),
        derived_dimensions=derived,
    )


def read_yaml(path: Path) -> Any:
    """A YAML file through libyaml when it is there (eight times faster than the pure-Python
    parser: the CLI's help and every verdict start by reading the schema), else pure Python."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def load_schema(schema_dir: Path = SCHEMA_DIR) -> Schema:
    """Read and cross-check the schema files once per process."""

    def read(name: str) -> Any:
        return read_yaml(schema_dir / name)

    codelists = {name: _codelist(name, spec) for name, spec in read("codelists.yaml").items()}
    contracts = {}
    for name in ("incidents.yaml", "missions.yaml"):
        contract = _contract(read(name), codelists)
        contracts[contract.kind] = contract
    rules = {
        name: Rule(
            name=name,
            severity=spec["severity"],
            messages=load_text(name, {k: v for k, v in spec.items() if k != "severity"}),
        )
        for name, spec in read("messages.yaml").items()
    }
    plausibility = {
        name: PlausibilityRule(name=name, **spec)
        for name, spec in read("plausibility.yaml").items()
    }
    for rule in plausibility.values():
        if (
            rule.name not in rules
            or rule.kind not in contracts
            or set(rule.labels) != set(LANGUAGES)
        ):
            raise ValueError(
                f"plausibility rule {rule.name}: no message, unknown kind or labels missing"
            )
    return Schema(
        contracts=contracts,
        codelists=codelists,
        rules=rules,
        ui=load_texts(read("ui.yaml")),
        plausibility=plausibility,
    )
