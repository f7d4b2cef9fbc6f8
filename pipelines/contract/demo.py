"""Synthetic demo submissions, calibrated to the published 2023 figures.

Counts per category are allocated exactly (largest remainder) and then
shuffled, so the demo's national shares equal the calibration rather than
wandering with the random draw; everything is seeded, so the same
calibration always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from pipelines.contract.schema import Schema

DEFAULT_CALIBRATION = Path(__file__).resolve().parents[2] / "config" / "demo.toml"
# A fixed modification time for generated files: the inbox order must not
# depend on when the demo was generated.
BASE_MTIME = 1_700_000_000


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` into whole numbers that sum to `total`."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(int)
    remainder = total - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts.tolist()


@dataclass(frozen=True)
class DemoFile:
    year: int
    region_code: str
    name: str
    text: str


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _category_column(rng: np.random.Generator, shares: dict[str, float], n: int) -> list[str]:
    counts = allocate(n, list(shares.values()))
    values = [code for code, k in zip(shares, counts, strict=True) for _ in range(k)]
    rng.shuffle(values)
    return values


def generate_year(
    cal: dict, schema: Schema, year: int, until: date | None = None
) -> list[DemoFile]:
    """A year's files for every region. With `until` (a year still being collected) the
    files hold what had happened by then: incidents up to that day, missions up to its
    month; the draw is the whole year's, so the same day gives the same bytes."""
    rng = np.random.default_rng([cal["seed"], year])
    incidents_total, missions_total = cal["years"][str(year)]
    regions = list(schema.codelists["regions"].codes)
    population = [cal["regions"][r][0] for r in regions]
    rate = [cal["regions"][r][1] for r in regions]
    missions = allocate(missions_total, [p * rng.uniform(0.95, 1.05) for p in population])
    expected = [m * k for m, k in zip(missions, rate, strict=True)]
    incidents = rng.multinomial(incidents_total, np.asarray(expected) / sum(expected)).tolist()
    month_w = cal["seasonality"]["month"]
    hour_w = np.asarray(cal["seasonality"]["hour"])
    days = [
        date(year, 1, 1) + timedelta(days=d)
        for d in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]
    day_w = np.asarray(
        [month_w[d.month - 1] * (1.25 if d.isoweekday() >= 5 else 1.0) for d in days]
    )
    inc_cols = schema.contracts["incidents"].column_names
    files = []
    for region, m_total, n in zip(regions, missions, incidents, strict=True):
        monthly = allocate(m_total, month_w)
        files.append(
            DemoFile(
                year,
                region,
                f"missions_{year}.csv",
                _csv(
                    ["region_code", "year", "month", "missions"],
                    [
                        [region, year, month, k]
                        for month, k in enumerate(monthly, start=1)
                        if until is None or date(year, month, 1) <= until
                    ],
                ),
            )
        )
        cols = {dim: _category_column(rng, shares, n) for dim, shares in cal["shares"].items()}
        dates = sorted(rng.choice(len(days), size=n, p=day_w / day_w.sum()).tolist())
        rows = []
        for k in range(n):
            hour = int(rng.choice(24, p=hour_w / hour_w.sum()))
            time = "" if rng.random() < 0.05 else f"{hour:02d}:{int(rng.integers(60)):02d}"
            injury = cols["staff_injury"][k]
            values = {
                "incident_id": f"{region}-{year}-{k + 1:04d}",
                "region_code": region,
                "incident_date": days[dates[k]].isoformat(),
                "incident_time": time,
                "sick_leave_days": int(rng.integers(1, 15)) if injury == "sick_leave" else "",
                "staff_count": int(rng.choice([2, 2, 2, 3, 4])),
                "description": "",
                **{dim: cols[dim][k] for dim in cal["shares"]},
            }
            if until is None or days[dates[k]] <= until:
                rows.append([values[c] for c in inc_cols])
        text = _csv(inc_cols, rows)
        resubmission = cal.get("resubmission", {})
        if (resubmission.get("year"), resubmission.get("region")) == (year, region) and rows:
            files.append(DemoFile(year, region, f"incidents_{year}.csv", _with_mistakes(text)))
            files.append(DemoFile(year, region, f"incidents_{year}_korjattu.csv", text))
        else:
            files.append(DemoFile(year, region, f"incidents_{year}.csv", text))
    return files


def _with_mistakes(text: str) -> str:
    """The kind of slips a region makes: an impossible date and a code in the wrong words."""
    header, first, *rest = text.splitlines(keepends=True)
    values = first.split(",")
    values[2] = values[2][:5] + "02-30"
    values[5] = "tönäisy"
    return header + ",".join(values) + "".join(rest)


def load_calibration(path: Path = DEFAULT_CALIBRATION) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def write_demo(
    inbox: Path,
    schema: Schema,
    years: list[int],
    cal: dict | None = None,
    *,
    until: date | None = None,
    regions: set[str] | None = None,
) -> list[Path]:
    """Write the demo submissions into the inbox; returns the files written. `until`
    cuts the files at a day (a year still open), `regions` keeps those regions only."""
    cal = cal or load_calibration()
    unknown = [y for y in years if str(y) not in cal["years"]]
    if unknown:
        raise ValueError(
            f"no demo calibration for years {unknown}; calibrated: {sorted(cal['years'])}"
        )
    written = []
    for year in years:
        for i, f in enumerate(generate_year(cal, schema, year, until)):
            if regions is not None and f.region_code not in regions:
                continue
            path = inbox / str(year) / f.region_code / f.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f.text, encoding="utf-8", newline="")
            os.utime(path, (BASE_MTIME + i, BASE_MTIME + i))
            written.append(path)
    return written
