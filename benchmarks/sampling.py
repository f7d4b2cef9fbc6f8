"""Memory sampled while a block runs: the peak of a process and every process below it
(workers, forked report languages, GX's audit), as a run's cost in memory is that of
its whole tree, which the run's own high-water mark misses."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Self

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants now (processes that end meanwhile
    are skipped)."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        resident[pid] = int(statm.split()[1]) * PAGE
    members = {root}
    grew = True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in members} - members
        members |= below
        grew = bool(below)
    return sum(resident.get(pid, 0) for pid in members)


class Sampler:
    """Calls `sample` every `interval` seconds while the block runs."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class TreePeak(Sampler):
    """The peak of `tree_rss(pid)`."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(interval)
        self.pid = pid
        self.peak = 0

    def sample(self) -> None:
        self.peak = max(self.peak, tree_rss(self.pid))
