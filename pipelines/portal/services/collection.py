"""The analyst's view of a year: per region and kind, the latest receipt with its own
verdict and time, and the file in force shown apart when it is another one."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.portal.services import KINDS, regions
from pipelines.register import lifecycle
from pipelines.register.models import Submission
from pipelines.register.review import states
from pipelines.register.runs import last_run


@dataclass
class Cell:
    """One region's one kind of file. `state` is the kind's standing (accepted: a file is
    in force; rejected: only rejected files came; missing: nothing came), `last` the
    latest receipt and `held` the one in force."""

    state: str
    last: Submission | None = None
    held: Submission | None = None

    @property
    def warnings(self) -> int:
        return self.held.warnings if self.held else 0


@dataclass
class RegionRow:
    code: str
    name: str
    cells: dict[str, Cell]
    state: str


def collection(year: int) -> list[RegionRow]:
    """22 regions × {incidents, missions}: what came last, what is in force, and where
    each region's year is in the lifecycle."""
    latest: dict[tuple[str, str | None], Submission] = {}
    held: dict[tuple[str, str | None], Submission] = {}
    for sub in Submission.objects.filter(year=year).order_by("region_code", "seq"):
        latest[(sub.region_code, sub.kind)] = sub
        if sub.state == lifecycle.IN_FORCE:
            held[(sub.region_code, sub.kind)] = sub
    by_region = states(year)
    rows = []
    for code, name in regions().items():
        cells = {}
        for kind in KINDS:
            last = latest.get((code, kind))
            unreadable = latest.get((code, None))
            if unreadable is not None and (last is None or unreadable.seq > last.seq):
                last = unreadable
            in_force = held.get((code, kind))
            state = "accepted" if in_force else "rejected" if last else "missing"
            cells[kind] = Cell(state, last, in_force)
        rows.append(RegionRow(code, name, cells, by_region.get(code, lifecycle.OPEN)))
    return rows


def year_run(year: int) -> object | None:
    """How the year's last run ended (None before any)."""
    return last_run(year)
