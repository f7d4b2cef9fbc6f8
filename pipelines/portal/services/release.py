"""Asking for a release from the portal: the register allocates its number and the
daemon's sensor has a run make it; the portal shows what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.portal.services import evstats
from pipelines.publish.release import release_numbers
from pipelines.register import lifecycle
from pipelines.register import releases as register_releases
from pipelines.register.models import Release
from pipelines.register.review import release_blockers
from pipelines.settings import today as finland_today


@dataclass
class ReleaseState:
    ready: bool
    waiting: list[str]
    requested: Release | None
    latest: Release | None


def release_state(year: int) -> ReleaseState:
    """Whether the year may be released now, what is still in the way, and what became
    of the last request."""
    try:
        waiting = release_blockers(year)
    except lifecycle.Blocked:
        return ReleaseState(
            False, [], register_releases.open_request(year), register_releases.latest(year)
        )
    return ReleaseState(
        not waiting,
        waiting,
        register_releases.open_request(year),
        register_releases.latest(year),
    )


def request_release(year: int, note: str, user: object) -> Release:
    """The request, its number allocated now; refused (`lifecycle.Blocked`) while a
    region awaits review or another request is open."""
    on_disk = max(release_numbers(evstats().releases_dir(year)), default=0)
    return register_releases.request_release(year, note, finland_today(), on_disk, user)
