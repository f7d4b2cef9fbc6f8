"""Run settings, read from `config/evstats.toml` and the environment.

Precedence: command-line options, then environment variables, then the file,
then the defaults here. The resolved settings are logged at the start of
every run, so a publication can be traced to exactly what produced it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# The first statistics year the pipeline and the portal know (the year partitions' start).
FIRST_YEAR = 2014
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "evstats.toml"
# The statistics are Finnish: a date in a file is judged against Finland's calendar,
# whatever zone the machine (a container, often UTC) runs in.
TIME_ZONE = ZoneInfo("Europe/Helsinki")


def today(now: datetime | None = None) -> date:
    """Today's date in Finland, the one date every face judges a file's dates against:
    a row dated today sent at 1 a.m. is accepted by the portal and the pipeline alike."""
    return (now or datetime.now(UTC)).astimezone(TIME_ZONE).date()


@dataclass(frozen=True)
class Limits:
    """What a submitted file may be at most: larger or wider files are refused unread."""

    max_bytes: int = 50 * 1024 * 1024
    max_columns: int = 60
    # A workbook is a zip: what it may hold once expanded, so that a zip bomb is refused.
    max_workbook_members: int = 1000
    unpacked_per_byte: int = 8
    # Issues kept of a file (the most severe first); the rest are counted, not kept.
    max_issues: int = 1000

    @property
    def max_unpacked_bytes(self) -> int:
        return self.unpacked_per_byte * self.max_bytes


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Plausibility:
    """Thresholds of the plausibility checks (`schemas/plausibility.yaml` names which rule
    uses which); `[evstats.plausibility]` in the settings file overrides them."""

    # Incidents flagged when more than `factor` times, or less than 1/`factor` of, the
    # previous year's, and at least `min_difference` apart (small counts vary a lot).
    incidents_factor: float = 2.0
    incidents_min_difference: int = 10
    # Zero incidents after a year with at least this many.
    zero_after_at_least: int = 10
    # The year's missions more than this many per cent off the previous year's.
    missions_change_percent: float = 25.0
    # A month's missions more than this many per cent off the file's median month.
    month_off_percent: float = 50.0
    # A code's share more than `share_points` percentage points off its share in the
    # region's earlier `share_years` years, judged in files of `share_min_incidents` or more.
    share_points: float = 20.0
    share_min_incidents: int = 10
    share_years: int = 3


DEFAULT_PLAUSIBILITY = Plausibility()


@dataclass(frozen=True)
class Settings:
    data_dir: str = "data"
    suppression_threshold: int = 3
    unreliable_below: int = 20
    lang: str = "fi"
    max_file_mb: int = 50
    max_columns: int = 60
    # Files (uploads and checks) one API token, or one person in the pages, may send a
    # minute: a token once stored 48 a second until the disk was full.
    uploads_per_minute: int = 30
    report_languages: tuple[str, ...] = ("fi", "sv", "en")
    collection_deadline: str = "03-31"
    collection_close: str = "06-30"
    # A year reopened (or closed early) by the analyst: year → ISO date of its hard close.
    close_overrides: dict[str, str] = field(default_factory=dict)
    plausibility: Plausibility = field(default_factory=Plausibility)
    # The readers' site (`evstats site`): its public address, which the feed, the sitemap
    # and Open Graph need absolute, and the next release's date, announced on its front
    # page ("" when none is announced).
    site_url: str = "https://evstats.example.org/"
    next_release: str = ""

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

    def px_dir(self, year: int) -> Path:
        return self.root / "reports" / str(year) / "px"

    @property
    def site_dir(self) -> Path:
        """Where `evstats site` writes the readers' site unless told another folder."""
        return self.root / "site"

    def releases_dir(self, year: int) -> Path:
        """The year's releases, `v1`, `v2`, …: kept for ever, never rewritten."""
        return self.root / "releases" / str(year)

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_file_mb * 1024 * 1024, max_columns=self.max_columns)

    def collection_dates(self, year: int) -> tuple[date, date]:
        """The deadline shown to regions and the hard close for statistics year `year`:
        month and day in the year after it."""
        deadline, close = (
            date.fromisoformat(f"{year + 1}-{md}")
            for md in (self.collection_deadline, self.collection_close)
        )
        if str(year) in self.close_overrides:
            close = date.fromisoformat(self.close_overrides[str(year)])
        return deadline, close

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> Settings:
        """The inverse of `as_dict`: how settings that travelled as plain values (the
        Dagster resource's config) become the same object again."""
        values = dict(values)
        if isinstance(values.get("plausibility"), dict):
            given = values["plausibility"]
            # Each threshold as the type of its default: counts stay whole numbers in
            # messages even when the values came through a float-only config schema.
            values["plausibility"] = Plausibility(
                **{
                    f.name: type(f.default)(given[f.name])
                    for f in fields(Plausibility)
                    if f.name in given
                }
            )
        if "report_languages" in values:
            values["report_languages"] = tuple(values["report_languages"])
        return replace(cls(), **values)


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
    if "plausibility" in values:
        given = dict(values["plausibility"])
        unknown = set(given) - {f.name for f in fields(Plausibility)}
        if unknown:
            raise ValueError(f"{path}: unknown plausibility settings {sorted(unknown)}")
        values["plausibility"] = Plausibility(**given)
    if "report_languages" in values:
        values["report_languages"] = tuple(values["report_languages"])
    settings = replace(Settings(), **values)
    if settings.lang not in ("fi", "sv", "en"):
        raise ValueError(f"lang must be fi, sv or en, not {settings.lang!r}")
    for md in (settings.collection_deadline, settings.collection_close):
        try:
            date.fromisoformat(f"2001-{md}")
        except ValueError:
            raise ValueError(f"collection dates are MM-DD, not {md!r}") from None
    for year, day in settings.close_overrides.items():
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"close_overrides: {year} = {day!r} is not a date") from None
    if settings.next_release:
        try:
            date.fromisoformat(settings.next_release)
        except ValueError:
            raise ValueError(
                f"next_release is a date (YYYY-MM-DD), not {settings.next_release!r}"
            ) from None
    if settings.suppression_threshold < 1:
        raise ValueError("suppression_threshold must be at least 1")
    if settings.uploads_per_minute < 1:
        raise ValueError("uploads_per_minute must be at least 1")
    return settings
