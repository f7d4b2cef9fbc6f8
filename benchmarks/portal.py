"""The portal on its production server: how long a data contact waits for a verdict
through the API once the portal is warm, and how the server holds when all 22
regions upload at once. Each request is timed from the client's side."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchmarks.generate import generate, one_region_file
from pipelines.contract.schema import load_schema
from tests.integration.portal import running_portal

REPEATS = 10


def post(url: str, token: str, path: Path, endpoint: str) -> tuple[float, int]:
    start = time.perf_counter()
    answer = requests.post(
        f"{url}/api/v1/{endpoint}",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (path.name, path.read_bytes())},
        data={"year": "2023"},
        timeout=120,
    )
    return time.perf_counter() - start, answer.status_code


def bench_portal(tmp: Path, rows: int = 1000) -> dict:
    schema = load_schema()
    regions = list(schema.codelists["regions"].codes)
    one = one_region_file(tmp / "portal_region05.csv", schema, rows)
    inbox = tmp / "portal_realistic"
    generate(inbox, schema, 400)
    files = {r: inbox / "2023" / r / "incidents.csv" for r in regions}
    with running_portal(tmp / "portal", regions) as portal:
        post(portal.url, portal.tokens["05"], one, "check")  # the first request of a worker
        warm = [post(portal.url, portal.tokens["05"], one, "check") for _ in range(REPEATS)]
        with ThreadPoolExecutor(len(regions)) as pool:
            start = time.perf_counter()
            answers = list(
                pool.map(lambda r: post(portal.url, portal.tokens[r], files[r], "submissions"),
                         regions)
            )  # fmt: skip
            all_done = time.perf_counter() - start
    seconds = [s for s, _ in warm]
    result = {
        "rows": rows,
        "warm_check_median": round(statistics.median(seconds), 3),
        "warm_check_max": round(max(seconds), 3),
        "concurrent_uploads": len(regions),
        "concurrent_statuses": sorted({status for _, status in answers}),
        "concurrent_slowest": round(max(s for s, _ in answers), 3),
        "concurrent_all_done": round(all_done, 3),
    }
    print(
        f"\nportal: {rows:,}-row check, warm: median {result['warm_check_median']:.3f} s, "
        f"max {result['warm_check_max']:.3f} s; {len(regions)} uploads at once: slowest "
        f"{result['concurrent_slowest']:.2f} s, statuses {result['concurrent_statuses']}",
        flush=True,
    )
    return result
