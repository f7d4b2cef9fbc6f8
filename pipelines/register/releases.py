"""Release requests and their outcomes.

A release is asked for (by `evstats release` or the portal's button) with its
number allocated at once, so the run that makes it, retried or not, makes that
release and no other; the run's `release` step then writes it and records here
that it was released, or why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pipelines.contract.privacy import mask_personal_data
from pipelines.register import lifecycle
from pipelines.register.models import RegionYear, Release
from pipelines.register.receipts import in_force
from pipelines.register.review import states


def next_number(year: int, on_disk: int, db: str = "default") -> int:
    """One after the highest release the register or the releases folder knows (a
    release made before the register exists only on disk)."""
    known = (
        Release.objects.using(db)
        .filter(year=year, state=Release.RELEASED)
        .aggregate(n=Max("number"))["n"]
    )
    return max(known or 0, on_disk) + 1


def request_release(
    year: int,
    note: str,
    day: date,
    on_disk: int,
    user: object | None = None,
    db: str = "default",
    expected: int | None = None,
) -> Release:
    """The next release of the year, asked for: refused (Blocked) while a region with
    data in force awaits review or one request is still open, or, given the number the
    analyst confirmed (`expected`), when the next number is no longer that one."""
    with transaction.atomic(using=db):
        lifecycle.check_release(states(year, db), in_force(year, db))
        if open_request(year, db) is not None:
            raise lifecycle.Blocked("release_already_requested", year=year)
        number = next_number(year, on_disk, db)
        if expected is not None and number != expected:
            raise lifecycle.Blocked("release_plan_changed")
        try:
            return Release.objects.using(db).create(
                year=year,
                number=number,
                date=day,
                note=mask_personal_data(note.strip()),
                requested_by=user,
                requested_at=timezone.now(),
            )
        except IntegrityError:
            raise lifecycle.Blocked("release_already_requested", year=year) from None


@dataclass(frozen=True)
class ReleasePlan:
    """What a release of the year asked for now would hold, for the analyst to confirm:
    the regions with data in force, those without (the manifest's `missing_regions`),
    those changed since the previous release (a new region's data or a revision), and
    those still waiting for the analyst's acceptance."""

    year: int
    number: int
    previous: Release | None
    in_force: list[str]
    missing: list[str]
    changed: list[str]
    waiting: list[str]

    @property
    def name(self) -> str:
        return f"v{self.number}"

    @property
    def offered(self) -> bool:
        """A release is offered when the first one is still to be made or something
        changed since the last: a new version of the same data would revise nothing."""
        return bool(self.in_force) and (self.previous is None or bool(self.changed))


def release_plan(year: int, regions: list[str], on_disk: int, db: str = "default") -> ReleasePlan:
    """The year's next release as it would be made now. A region changed since the
    previous release is one with data in force that is not in the `released` state:
    a receipt that alters what is in force takes it back to awaiting review."""
    held = in_force(year, db)
    by_region = states(year, db)
    previous = (
        Release.objects.using(db)
        .filter(year=year, state=Release.RELEASED)
        .order_by("-number")
        .first()
    )
    in_force_regions = [r for r in regions if r in held]
    return ReleasePlan(
        year=year,
        number=next_number(year, on_disk, db),
        previous=previous,
        in_force=in_force_regions,
        missing=[r for r in regions if r not in held],
        changed=[
            r
            for r in in_force_regions
            if previous is not None and by_region.get(r) != lifecycle.RELEASED
        ],
        waiting=[
            r
            for r in in_force_regions
            if by_region.get(r) not in (lifecycle.ACCEPTED, lifecycle.RELEASED)
        ],
    )


def open_request(year: int, db: str = "default") -> Release | None:
    return Release.objects.using(db).filter(year=year, state=Release.REQUESTED).first()


def open_requests(db: str = "default") -> list[Release]:
    return list(Release.objects.using(db).filter(state=Release.REQUESTED).order_by("id"))


def latest(year: int, db: str = "default") -> Release | None:
    """The year's latest request, whatever became of it: what the portal shows."""
    return Release.objects.using(db).filter(year=year).order_by("-requested_at", "-id").first()


def released(release: Release, path: str, db: str = "default") -> None:
    """The release is written: the regions it holds are released in it."""
    with transaction.atomic(using=db):
        release.state = Release.RELEASED
        release.path = path
        release.finished_at = timezone.now()
        release.save(using=db)
        for region_year in (
            RegionYear.objects.using(db)
            .select_for_update()
            .filter(year=release.year, region_code__in=list(in_force(release.year, db)))
        ):
            region_year.state = lifecycle.advance("region_year", region_year.state, "release")
            region_year.release = release.number
            region_year.save(using=db)


def refused(release: Release, reason: str, db: str = "default") -> None:
    release.state = Release.REFUSED
    release.reason = reason
    release.finished_at = timezone.now()
    release.save(using=db)
