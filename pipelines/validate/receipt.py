"""A verdict as the register keeps it, and the inbox folder's files received through it.

Every channel ends here: the portal's pages and API, `evstats submit`, and the
files a region drops into `inbox/<year>/<region>/`, which the run's first step
judges and receives as channel `folder` (once each: a folder file is known by its
name and bytes). The verdict is given at receipt, with the history of the regions'
earlier years in force the register holds, so every face gives the same one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema
from pipelines.files import in_batches
from pipelines.ingest.inbox import scan_inbox
from pipelines.register.receipts_data import Judged
from pipelines.settings import Settings, today
from pipelines.validate.plausibility import History, figures_of_file, share_columns
from pipelines.validate.verdict import (
    BATCH_BYTES,
    SubmissionFile,
    Verdict,
    validate_files,
)

if TYPE_CHECKING:
    from pipelines.register.models import Submission


def judged(verdict: Verdict, schema: Schema, lang: str) -> Judged:
    """The register's record of a verdict: counts, issues as codes and parameters
    (rendered in each reader's language when shown), header names and, for an
    accepted file, its figures for later files' plausibility checks."""
    figures = None
    if verdict.accepted and verdict.kind and verdict.frame is not None:
        figures = figures_of_file(verdict.frame, verdict.kind, share_columns(schema))
    return Judged(
        file_name=verdict.file,
        kind=verdict.kind,
        accepted=verdict.accepted,
        rows=verdict.rows,
        errors=verdict.count("fatal") + verdict.count("error"),
        warnings=verdict.count("warning"),
        issues=[i.record() for i in verdict.issues],
        headers=verdict.headers,
        lang=lang,
        suffix=".xlsx" if verdict.encoding == "xlsx" else ".csv",
        figures=figures,
    )


def judge(
    name: str,
    data: bytes,
    region_code: str,
    year: int,
    schema: Schema,
    settings: Settings,
    lang: str,
    *,
    db: str = "default",
    received_at: datetime | None = None,
) -> Verdict:
    """The verdict of one file as every face gives it: its dates judged against Finland's
    date of receipt, its figures against the register's history."""
    from pipelines.register.receipts import history

    files = [SubmissionFile(mask_personal_data(name), data, region_code, year)]
    return receipt_verdicts(files, schema, settings, lang, today(received_at), history(db))[0]


def receipt_verdicts(
    files: list[SubmissionFile],
    schema: Schema,
    settings: Settings,
    lang: str,
    day: date,
    history: History | None,
    *,
    keep_evidence: bool = False,
) -> list[Verdict]:
    """Files judged as a receipt judges them: the verdict's own evaluator, the settings'
    limits and plausibility thresholds, dates against `day`. The portal, the folder and
    the run's re-judging all go through here, so their verdicts cannot drift apart; the
    run's (the folder's, the re-judged) keep the evidence GX audits."""
    return validate_files(
        files,
        schema,
        lang=lang,
        today=day,
        limits=settings.limits,
        evaluator="polars",
        history=history,
        plausibility=settings.plausibility,
        keep_evidence=keep_evidence,
    )


@dataclass
class FolderScan:
    """What a look at the folder received: the receipts with the verdicts they were given
    (the run stages these rows without judging the files again), how many files were
    known already, and the files that are not submissions."""

    received: list[Submission] = field(default_factory=list)
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    known: int = 0
    ignored: list[Path] = field(default_factory=list)


def receive_folder(
    settings: Settings, year: int, schema: Schema, db: str = "default"
) -> FolderScan:
    """Receive the year's inbox files no receipt stands for yet, oldest first (a later
    file is a resubmission), judged in batches. A file in a folder that names no
    region, or a portal upload left in the inbox before the register, is not one.

    A batch is the files that fit in `BATCH_BYTES` together: judging the
    whole year at once held every file's bytes, text, cells and frames together,
    7.7 GB at ten million rows. Every batch is judged against the history and the
    date the year's first had, as one batch was."""
    from pipelines.register.receipts import history, stored_names

    files, ignored = scan_inbox(settings.inbox, year)
    scan = FolderScan(ignored=list(ignored))
    regions = schema.codelists["regions"].lookup()
    legacy = stored_names(year, db)
    earlier, day = history(db), today()
    known: dict[str, set[tuple[str, str]]] = {}
    new: list[tuple[Path, str]] = []
    for f in files:
        region = regions.get(f.region_code.lower())
        if region is None:
            scan.ignored.append(f.path)
        elif (region, f.path.name) in legacy:
            scan.known += 1
        else:
            new.append((f.path, region))
    for batch in in_batches(new, lambda item: item[0].stat().st_size, BATCH_BYTES):
        _receive_batch(settings, year, schema, db, batch, known, scan, earlier, day)
    return scan


def _receive_batch(
    settings: Settings,
    year: int,
    schema: Schema,
    db: str,
    paths: list[tuple[Path, str]],
    known: dict[str, set[tuple[str, str]]],
    scan: FolderScan,
    earlier: dict,
    day: date,
) -> None:
    """Judge and receive one batch of folder files, skipping those received already
    (same name, same bytes); their bytes are let go when it returns."""
    from pipelines.register.receipts import known_sources, receive, source_key

    batch = []
    for path, region in paths:
        data = path.read_bytes()
        key = (source_key(path.name), hashlib.sha256(data).hexdigest())
        if key in known.setdefault(region, known_sources(year, region, db)):
            scan.known += 1
            continue
        known[region].add(key)
        batch.append((path.name, data, region, key[0]))
    files = [SubmissionFile(mask_personal_data(n), d, r, year) for n, d, r, _ in batch]
    verdicts = receipt_verdicts(
        files, schema, settings, settings.lang, day, earlier, keep_evidence=True
    )
    for (_, data, region, source), verdict in zip(batch, verdicts, strict=True):
        receipt = receive(
            settings,
            year,
            region,
            data,
            judged(verdict, schema, settings.lang),
            "folder",
            source=source,
            db=db,
        )
        scan.received.append(receipt)
        scan.verdicts[receipt.id] = verdict
