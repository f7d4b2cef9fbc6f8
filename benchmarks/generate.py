"""Synthetic canonical submissions at any size, vectorised and seeded.

The demo generator writes a realistic year row by row; at a million rows that
would dominate the benchmark, so this one draws whole columns with NumPy and
writes each region's files with Polars.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from pipelines.contract.demo import load_calibration
from pipelines.contract.schema import Schema

YEAR = 2023


def region_incidents(
    rng: np.random.Generator, cal: dict, schema: Schema, region: str, n: int
) -> pl.DataFrame:
    days = np.arange(np.datetime64(f"{YEAR}-01-01"), np.datetime64(f"{YEAR + 1}-01-01"))
    hours, minutes = rng.integers(0, 24, n), rng.integers(0, 60, n)
    data: dict[str, object] = {
        "incident_id": [f"{region}-{i:08d}" for i in range(n)],
        "region_code": [region] * n,
        "incident_date": rng.choice(days, n).astype(str),
        "incident_time": [f"{h:02d}:{m:02d}" for h, m in zip(hours, minutes, strict=True)],
        "urgency": rng.choice(["A", "B", "C", "D", ""], n),
    }
    for dim, shares in cal["shares"].items():
        if dim != "urgency":
            p = np.array(list(shares.values()), dtype=float)
            data[dim] = rng.choice(list(shares), n, p=p / p.sum())
    injury = np.asarray(data["staff_injury"])
    data["sick_leave_days"] = np.where(
        injury == "sick_leave", rng.integers(1, 30, n).astype(str), ""
    )
    data["staff_count"] = rng.integers(1, 6, n).astype(str)
    data["description"] = [""] * n
    columns = schema.contracts["incidents"].column_names
    return pl.DataFrame({c: pl.Series(c, data[c], dtype=pl.String) for c in columns})


def generate(inbox: Path, schema: Schema, rows: int, seed: int = 1) -> list[Path]:
    """Write `rows` incidents across the 22 regions, and each region's missions file."""
    rng = np.random.default_rng(seed)
    cal = load_calibration()
    regions = list(schema.codelists["regions"].codes)
    weights = np.array([cal["regions"][r][0] for r in regions], dtype=float)
    written = []
    for region, n in zip(regions, rng.multinomial(rows, weights / weights.sum()), strict=True):
        folder = inbox / str(YEAR) / region
        folder.mkdir(parents=True, exist_ok=True)
        region_incidents(rng, cal, schema, region, int(n)).write_csv(folder / "incidents.csv")
        per_month = max(1, int(n) * 1753 // 12)
        pl.DataFrame(
            {
                "region_code": [region] * 12,
                "year": [YEAR] * 12,
                "month": list(range(1, 13)),
                "missions": [per_month] * 12,
            }
        ).write_csv(folder / "missions.csv")
        written += [folder / "incidents.csv", folder / "missions.csv"]
    return written


def one_region_file(
    path: Path, schema: Schema, rows: int, region: str = "05", seed: int = 3
) -> Path:
    """One region's incidents file, for timing the feedback a data contact waits for."""
    rng = np.random.default_rng(seed)
    region_incidents(rng, load_calibration(), schema, region, rows).write_csv(path)
    return path
