"""Asking for a release from the portal: the analyst sees what the release would hold
and confirms it; the register allocates its number and the daemon's sensor has a run
make it; the portal shows what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipelines.portal.services import evstats, regions
from pipelines.publish.release import latest_number
from pipelines.register import lifecycle
from pipelines.register import releases as register_releases
from pipelines.register.models import Release
from pipelines.register.releases import ReleasePlan
from pipelines.settings import today as finland_today


@dataclass
class ReleaseState:
    ready: bool
    waiting: list[str]
    requested: Release | None
    latest: Release | None
    plan: ReleasePlan


def plan(year: int) -> ReleasePlan:
    """The release the year would get now (the register's rule of what changed)."""
    return register_releases.release_plan(year, list(regions()), _on_disk(year))


def _on_disk(year: int) -> int:
    """The highest release number in the year's releases folder (releases made before
    the register exist only there)."""
    return latest_number(evstats().releases_dir(year))


def deadline_passed(year: int) -> tuple[date, bool]:
    """The regions' deadline, and whether it has passed: before it, regions may still
    send their files, and releasing then is the analyst's deliberate choice."""
    deadline, _ = evstats().collection_dates(year)
    return deadline, finland_today() > deadline


def release_state(year: int) -> ReleaseState:
    """Whether a release is offered now (every region with data in force accepted, and
    something to release that the last release did not hold), what is still in the
    way, and what became of the last request."""
    planned = plan(year)
    return ReleaseState(
        planned.offered and not planned.waiting,
        planned.waiting,
        register_releases.open_request(year),
        register_releases.latest(year),
        planned,
    )


def request_release(year: int, note: str, user: object, number: int) -> Release:
    """The request, its number allocated now. Refused (`lifecycle.Blocked`) when nothing
    changed since the last release, when the plan the analyst confirmed (its number) is
    no longer the one the register would make, while a region awaits review, or while
    another request is open."""
    on_disk = _on_disk(year)
    planned = register_releases.release_plan(year, list(regions()), on_disk)
    if planned.previous is not None and not planned.offered:
        raise lifecycle.Blocked("release_unchanged", name=planned.previous.name)
    return register_releases.request_release(
        year, note, finland_today(), on_disk, user, expected=number
    )
