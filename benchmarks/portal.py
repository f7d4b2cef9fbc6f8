"""The portal on its production server: how long a data contact waits for a verdict
through the API once the portal is warm, and how the server holds when all 22
regions upload at once. Each request is timed from the client's side; the workers'
resident memory is sampled from /proc while they answer."""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchmarks.generate import one_region_file
from benchmarks.sampling import Sampler
from pipelines.contract.schema import load_schema
from tests.integration.portal import running_portal

REPEATS = 10
# Each region's system sends a file of this many incidents, all 22 at once, this many
# times over (new files each round, so every upload is a new receipt).
UPLOAD_ROWS = 400
ROUNDS = 3


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


def workers_of(master: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            # The command name may hold spaces: the fields after its closing bracket.
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                found.append(int(entry.name))
    return sorted(found)


def resident_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class WorkersPeak(Sampler):
    """The peak resident memory of each worker while the block runs, sampled every 20 ms."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(0.02)
        self.pids = pids
        self.peak = {pid: resident_mb(pid) for pid in pids}

    def sample(self) -> None:
        for pid in self.pids:
            self.peak[pid] = max(self.peak[pid], resident_mb(pid))


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile, interpolated between the two nearest of the sorted values."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def bench_portal(tmp: Path, rows: int = 1000) -> dict:
    schema = load_schema()
    regions = list(schema.codelists["regions"].codes)
    one = one_region_file(tmp / "portal_region05.csv", schema, rows)
    files = {
        (r, n): one_region_file(tmp / f"alue{r}_{n}.csv", schema, UPLOAD_ROWS, r, seed=100 + n)
        for n in range(ROUNDS)
        for r in regions
    }
    with running_portal(tmp / "portal", regions) as portal:
        post(portal.url, portal.tokens["05"], one, "check")  # the first request of a worker
        warm = [post(portal.url, portal.tokens["05"], one, "check") for _ in range(REPEATS)]
        workers = workers_of(portal.pid)
        idle = [resident_mb(pid) for pid in workers]
        load = os.getloadavg()[0]  # on a shared machine the times mean little without it
        answers: list[tuple[float, int]] = []
        rounds = []
        with WorkersPeak(workers) as peak, ThreadPoolExecutor(len(regions)) as pool:
            for n in range(ROUNDS):
                start = time.perf_counter()
                answers += pool.map(
                    lambda r, n=n: post(portal.url, portal.tokens[r], files[r, n], "submissions"),
                    regions,
                )
                rounds.append(time.perf_counter() - start)
    seconds = [s for s, _ in warm]
    latencies = [s for s, _ in answers]
    result = {
        "rows": rows,
        "warm_check_median": round(statistics.median(seconds), 3),
        "warm_check_max": round(max(seconds), 3),
        "concurrent_uploads": len(regions),
        "concurrent_rows": UPLOAD_ROWS,
        "concurrent_rounds": ROUNDS,
        "concurrent_statuses": sorted({status for _, status in answers}),
        "concurrent_p50": round(percentile(latencies, 50), 3),
        "concurrent_p95": round(percentile(latencies, 95), 3),
        "concurrent_slowest": round(max(latencies), 3),
        "concurrent_all_done": round(max(rounds), 3),
        "concurrent_load": round(load, 2),
        "workers_idle_mb": [round(mb, 1) for mb in idle],
        "workers_peak_mb": [round(peak.peak[pid], 1) for pid in workers],
    }
    print(
        f"\nportal: {rows:,}-row check, warm: median {result['warm_check_median']:.3f} s, "
        f"max {result['warm_check_max']:.3f} s; {len(regions)} uploads of {UPLOAD_ROWS} rows "
        f"at once, {ROUNDS} rounds: p50 {result['concurrent_p50']:.2f} s, "
        f"p95 {result['concurrent_p95']:.2f} s, slowest {result['concurrent_slowest']:.2f} s, "
        f"statuses {result['concurrent_statuses']}, load {load:.1f}; workers' memory "
        f"{result['workers_idle_mb']} MB idle, {result['workers_peak_mb']} MB at peak",
        flush=True,
    )
    return result
