"""Run settings, read from `config/evstats.toml` and the environment.

Precedence: command-line options, then environment variables, then the file,
then the defaults here. The resolved settings are logged at the start of
every run, so a publication can be traced to exactly what produced it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "evstats.toml"


@dataclass(frozen=True)
class Limits:
    """What a submitted file may be at most: larger or wider files are refused unread."""

    max_bytes: int = 50 * 1024 * 1024
    max_columns: int = 60
    # A workbook is a zip: what it may hold once expanded, so that a zip bomb is refused.
    max_workbook_members: int = 1000
    unpacked_per_byte: int = 8

    @property
    def max_unpacked_bytes(self) -> int:
        return self.unpacked_per_byte * self.max_bytes


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Settings:
    data_dir: str = "data"
    suppression_threshold: int = 3
    unreliable_below: int = 20
    lang: str = "fi"
    max_file_mb: int = 50
    max_columns: int = 60
    report_languages: tuple[str, ...] = ("fi", "sv", "en")

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def tables_dir(self, year: int) -> Path:
        return self.root / "reports" / str(year) / "tables"

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_file_mb * 1024 * 1024, max_columns=self.max_columns)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def load_settings(**overrides: object) -> Settings:
    """Resolve settings; `None` overrides are ignored so CLI defaults do not mask the file."""
    path = Path(os.environ.get("EVSTATS_CONFIG", DEFAULT_CONFIG))
    values: dict[str, object] = {}
    if path.is_file():
        with open(path, "rb") as f:
            values.update(tomllib.load(f).get("evstats", {}))
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    if "EVSTATS_DATA_DIR" in os.environ:
        values["data_dir"] = os.environ["EVSTATS_DATA_DIR"]
    if os.environ.get("EVSTATS_LANG"):
        values["lang"] = os.environ["EVSTATS_LANG"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "report_languages" in values:
        values["report_languages"] = tuple(values["report_languages"])
    settings = replace(Settings(), **values)
    if settings.lang not in ("fi", "sv", "en"):
        raise ValueError(f"lang must be fi, sv or en, not {settings.lang!r}")
    if settings.suppression_threshold < 1:
        raise ValueError("suppression_threshold must be at least 1")
    return settings
