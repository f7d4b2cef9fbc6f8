"""Receiving a file: its bytes into the archive, then its receipt, verdict and place in
the lifecycle in one transaction.

The order makes "no receipt without its file" hold whatever fails: the file is
written to the content-addressed archive first (a temporary name, then a rename,
read-only), and only then is the receipt committed. A failure in between leaves
an archived file no receipt names, which nothing reads (runs read receipts, not
folders), and the same bytes sent again find it in place.
"""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pipelines.files import file_sha256, replace_atomically
from pipelines.register import lifecycle
from pipelines.register.models import RegionYear, Submission
from pipelines.register.receipts_data import Judged
from pipelines.settings import Settings

KINDS = ("incidents", "missions")


def archive_path(settings: Settings, year: int, region_code: str, name: str) -> Path:
    return settings.archive / str(year) / region_code / name


def content_name(sha256: str, suffix: str) -> str:
    """Content-addressed: the same bytes are one archived file however often they come."""
    return f"{sha256}{suffix}"


def write_archive(path: Path, data: bytes) -> None:
    """The bytes under their final name, read-only, through `replace_atomically` (a
    unique temporary name, synced, renamed): never half a file under the name. A file
    already there is kept only if it holds these bytes."""
    if path.exists():
        if file_sha256(path) == hashlib.sha256(data).hexdigest():
            return
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)
        tmp.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)

    replace_atomically(path, write)


def stored_path(settings: Settings, submission: Submission) -> Path:
    """Where a receipt's bytes are: the content-addressed archive, or for a receipt made
    before it (the portal wrote into the inbox, a run then archived the file as
    `<sha256>_<name>`) wherever that left them."""
    suffix = Path(submission.stored_name).suffix
    candidates = [
        archive_path(
            settings,
            submission.year,
            submission.region_code,
            content_name(submission.sha256, suffix),
        ),
        archive_path(
            settings,
            submission.year,
            submission.region_code,
            f"{submission.sha256}_{submission.stored_name}",
        ),
        settings.inbox / str(submission.year) / submission.region_code / submission.stored_name,
    ]
    return next((p for p in candidates if p.exists()), candidates[0])


def lock_region_year(year: int, region_code: str, db: str) -> RegionYear:
    """The region's year, locked for the rest of the transaction (PostgreSQL's row lock;
    SQLite's immediate transactions hold the whole database)."""
    RegionYear.objects.using(db).get_or_create(
        year=year, region_code=region_code, defaults={"changed_at": timezone.now()}
    )
    return RegionYear.objects.using(db).select_for_update().get(year=year, region_code=region_code)


def receive(
    settings: Settings,
    year: int,
    region_code: str,
    data: bytes,
    judged: Judged,
    channel: str,
    *,
    user: object | None = None,
    token: object | None = None,
    source: str = "",
    received_at: datetime | None = None,
    db: str = "default",
) -> Submission:
    """The receipt of a file, its bytes archived first. An accepted file takes force
    unless its bytes are those in force already (a retry changes nothing); a file
    that takes force puts the region's year back to awaiting review."""
    if channel not in lifecycle.CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    digest = hashlib.sha256(data).hexdigest()
    received = received_at or timezone.now()
    stored = f"{received.astimezone(UTC):%Y%m%dT%H%M%S%f}Z_{digest[:16]}{judged.suffix}"
    write_archive(
        archive_path(settings, year, region_code, content_name(digest, judged.suffix)), data
    )
    with transaction.atomic(using=db):
        region_year = lock_region_year(year, region_code, db)
        submission = Submission(
            region_code=region_code,
            year=year,
            kind=judged.kind,
            file_name=judged.file_name,
            stored_name=stored,
            sha256=digest,
            size_bytes=len(data),
            rows=judged.rows,
            received_at=received,
            accepted=judged.accepted,
            errors=judged.errors,
            warnings=judged.warnings,
            lang=judged.lang,
            issues=judged.issues,
            headers=judged.headers,
            figures=judged.figures,
            submitted_by=user,
            token=token,
            channel=channel,
            source=source,
            seq=region_year.next_seq,
            state=lifecycle.RECEIVED,
        )
        region_year.next_seq += 1
        current = in_force_of(year, region_code, judged.kind, db) if judged.kind else None
        if not judged.accepted:
            submission.state = lifecycle.advance("file", submission.state, "reject")
        elif current is not None and current.sha256 == digest:
            submission.state = lifecycle.advance("file", submission.state, "keep")
            submission.repeats = current
        else:
            submission.state = lifecycle.advance("file", submission.state, "take")
            submission.repeats = (
                Submission.objects.using(db)
                .filter(year=year, region_code=region_code, kind=judged.kind, sha256=digest)
                .exclude(state__in=(lifecycle.REJECTED, lifecycle.UNCHANGED))
                .order_by("-seq")
                .first()
            )
            if current is not None:
                current.state = lifecycle.advance("file", current.state, "supersede")
                current.save(using=db, update_fields=["state"])
            region_year.state = lifecycle.advance("region_year", region_year.state, "change")
            region_year.changed_at = received
        submission.save(using=db)
        region_year.save(using=db)
    return submission


def in_force_of(year: int, region_code: str, kind: str, db: str = "default") -> Submission | None:
    return (
        Submission.objects.using(db)
        .filter(year=year, region_code=region_code, kind=kind, state=lifecycle.IN_FORCE)
        .first()
    )


def in_force(year: int, db: str = "default") -> dict[str, dict[str, Submission]]:
    """Region → kind → the receipt in force, for one year."""
    found: dict[str, dict[str, Submission]] = {}
    for sub in (
        Submission.objects.using(db)
        .filter(year=year, state=lifecycle.IN_FORCE)
        .order_by("region_code", "kind")
    ):
        found.setdefault(sub.region_code, {})[sub.kind] = sub
    return found


def history(db: str = "default") -> dict[str, dict[str, dict[str, Any]]]:
    """Every region's figures of each year in force, in the shape the plausibility checks
    take (`validate.plausibility`): the figures each receipt in force carries, so the
    portal and the pipeline judge a file against the same history."""
    regions: dict[str, dict[str, dict[str, Any]]] = {}
    rows = (
        Submission.objects.using(db)
        .filter(state=lifecycle.IN_FORCE, figures__isnull=False)
        .order_by("region_code", "year", "kind")
        .values_list("region_code", "year", "figures")
    )
    for region, year, figures in rows:
        regions.setdefault(region, {}).setdefault(str(year), {}).update(figures)
    return regions


def source_key(name: str) -> str:
    """A folder file is known by a digest of its name: the name itself may hold a
    person's name or number and is not kept."""
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()


def known_sources(year: int, region_code: str, db: str = "default") -> set[tuple[str, str]]:
    """(source key, sha256) of the folder files of a region's year already received."""
    return set(
        Submission.objects.using(db)
        .filter(year=year, region_code=region_code, channel="folder")
        .values_list("source", "sha256")
    )


def stored_names(year: int, db: str = "default") -> set[tuple[str, str]]:
    """(region, stored name) of every receipt of the year: a portal upload from before the
    register lies in the inbox under that name and is not a folder file."""
    return set(
        Submission.objects.using(db).filter(year=year).values_list("region_code", "stored_name")
    )
