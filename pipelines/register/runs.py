"""What the pipeline's runs record in the register once the warehouse has committed:
which receipts it loaded, which it published as in force, and how each run ended.
The register is written after DuckDB, never in one transaction across both: a run
killed between the two loads the same receipts again next time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pipelines.register import lifecycle
from pipelines.register.models import Submission, YearRun


def receipts(year: int, db: str = "default") -> list[Submission]:
    """The year's receipts in the order they were received within each region."""
    return list(Submission.objects.using(db).filter(year=year).order_by("region_code", "seq"))


def in_force_ids(year: int, db: str = "default") -> list[tuple[str, str, int]]:
    """(region, kind, receipt id) of the files in force: what the run publishes."""
    return list(
        Submission.objects.using(db)
        .filter(year=year, state=lifecycle.IN_FORCE)
        .order_by("region_code", "kind")
        .values_list("region_code", "kind", "id")
    )


def waiting(db: str = "default") -> dict[int, int]:
    """Year → the highest receipt id no run has loaded: the sensor's cue, and its run key."""
    return dict(
        Submission.objects.using(db)
        .filter(loaded_at__isnull=True)
        .values_list("year")
        .annotate(last=Max("id"))
        .order_by("year")
    )


def record_loaded(ids: Iterable[int], figures: dict[int, dict], db: str = "default") -> None:
    """The warehouse holds these receipts now; receipts made before the register kept
    figures get the run's."""
    ids = list(ids)
    with transaction.atomic(using=db):
        Submission.objects.using(db).filter(id__in=ids).update(loaded_at=timezone.now())
        for sid, values in figures.items():
            Submission.objects.using(db).filter(id=sid, figures__isnull=True).update(figures=values)


def record_published(year: int, published: Iterable[int], db: str = "default") -> None:
    """The run published these receipts as the year's files in force; every other
    receipt the run loaded is not in force in the published tables."""
    ids = set(published)
    with transaction.atomic(using=db):
        loaded = Submission.objects.using(db).filter(year=year, loaded_at__isnull=False)
        loaded.filter(id__in=ids).update(published=True)
        loaded.exclude(id__in=ids).update(published=False)


def record_run(
    year: int, run_id: str, outcome: str, at: datetime | None = None, db: str = "default"
) -> None:
    YearRun.objects.using(db).update_or_create(
        year=year,
        defaults={"run_id": run_id, "outcome": outcome, "finished_at": at or timezone.now()},
    )


def last_run(year: int, db: str = "default") -> YearRun | None:
    return YearRun.objects.using(db).filter(year=year).first()


def forget_loads(db: str = "default") -> int:
    """Before a rebuild: no receipt is in the new warehouse yet."""
    return Submission.objects.using(db).update(loaded_at=None, published=None)
