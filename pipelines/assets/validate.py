"""Validate: the warehouse takes the register's new receipts, then the data in force is
checked.

The verdict of a file is the one given at receipt (by the portal, the API,
`evstats submit` or the run's folder step); the run recomputes it from the archived
bytes to stage the rows, and a blocking check fails the run should it differ.
The suite is evaluated in Polars; Great Expectations evaluates
the same suite on every distinct value of the same files in a worker meanwhile,
and the run's last step, `gx_audit`, collects its result: its blocking check
`verdicts_agree_with_gx` fails the run if GX fails anything else.
Only accepted files reach the `incidents` and `missions` views of the rows in
force, and a blocking check re-verifies the year in force against the contract, so that a
bad row can never reach the statistics. One region's rejected file does not
stop the others: its previously accepted data stays in force. Then
`collection_status` records in the register what the run published.
"""

from collections import defaultdict
from datetime import UTC, date, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, register_db, warehouse_connection
from pipelines.files import in_batches
from pipelines.settings import today as finland_today
from pipelines.validate import gx_audit as gx_audit_worker
from pipelines.validate.gx_audit import AuditJob
from pipelines.validate.receipt import judged as judged_record
from pipelines.validate.receipt import receipt_verdicts
from pipelines.validate.verdict import BATCH_BYTES, SubmissionFile, Verdict
from pipelines.warehouse.store import (
    Loaded,
    contract_violations,
    loaded_ids,
    record_cross_file_warnings,
    record_verdicts,
)

# The verdicts the run's own first step gave the folder's files it received: their rows
# are staged from them, as judging the same bytes on the same day again would give the
# same verdict (receipts from other channels are judged again, and compared).
# Keyed by the register's alias and the receipt's id; emptied by each run's first step.
judged_at_receipt: dict[tuple[str, int], Verdict] = {}


def disagreement(receipt: dict, verdict: Verdict, plausibility: set[str]) -> str | None:
    """How the run's verdict differs from the one given at receipt, which is the verdict:
    the same acceptance and the same issues (by rule, row and column; the plausibility
    warnings judged the history of the day of receipt, so they are left out)."""

    def key(issues: list[dict]) -> list[tuple]:
        return sorted(
            (i["severity"], i["rule"], i["row"] or 0, i["column"] or "")
            for i in issues
            if i["rule"] not in plausibility
        )

    if receipt["accepted"] != verdict.accepted:
        return "accepted at receipt" if receipt["accepted"] else "rejected at receipt"
    ours, theirs = key(receipt["issues"]), key([i.as_dict() for i in verdict.issues])
    if ours != theirs:
        first = next(iter(sorted(set(ours) ^ set(theirs))), None)
        return f"issues differ, first: {first}"
    return None


@dg.asset(
    group_name="validate",
    partitions_def=YEARS,
    deps=["raw_submissions"],
    kinds={"polars", "great_expectations", "duckdb"},
    # Its value, the jobs `gx_audit` audits (a MaterializeResult is otherwise "Nothing").
    dagster_type=dg.Any,
    check_specs=[
        dg.AssetCheckSpec(
            "all_submissions_accepted",
            asset="submission_verdicts",
            partitions_def=YEARS,
            description="Every new file of the year passed validation; a warning names the "
            "rejected ones (a region's rejected file leaves its earlier file in force).",
        ),
        dg.AssetCheckSpec(
            "verdicts_agree_with_receipts",
            asset="submission_verdicts",
            blocking=True,
            partitions_def=YEARS,
            description="The run's verdict of each new receipt is the verdict given at receipt.",
        ),
    ],
)
def submission_verdicts(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """The warehouse takes the register's receipts of the year it does not hold yet: each
    file's verdict recomputed (it must be the verdict given at receipt, check
    `verdicts_agree_with_receipts`), its issues and accepted rows, and the register's
    files in force, all in one DuckDB transaction; then the register is told. Its value
    is what `gx_audit` audits: the evidence of the new files' verdicts."""
    year = partition_year(context)
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register import runs

    # In force first: every receipt it names is then among the receipts read after it.
    in_force = runs.in_force_ids(year, db)
    receipts = runs.receipts(year, db)
    with warehouse_connection(duckdb, evstats) as con:
        known = loaded_ids(con, year)
        new = [r for r in receipts if r.id not in known]
        judged = _judge(new, evstats, db, year)
        plausibility = set(evstats.schema.plausibility)
        differing = {
            r.id: d
            for r in new
            if (
                d := disagreement(
                    {"accepted": r.accepted, "issues": r.issues}, judged[r.id], plausibility
                )
            )
        }
        # Receipts from before the register carried no figures: the run's are the same.
        figures = {
            r.id: record.figures
            for r in new
            if r.figures is None
            and r.id not in differing
            and (record := judged_record(judged[r.id], evstats.schema, evstats.lang)).figures
            is not None
        }
        _record(con, evstats, year, new, judged, differing, in_force)
        cross_file = record_cross_file_warnings(con, evstats.schema, year, evstats.lang)
    jobs = _start_audits(new, judged)
    runs.record_loaded([r.id for r in new if r.id not in differing], figures, db)
    for region, issue in cross_file:
        context.log.warning(f"region {region}: {issue.message}")
    for sid, what in differing.items():
        context.log.error(f"receipt {sid}: the run's verdict is not the receipt's: {what}")
    return _verdicts_result(context, [(r.id, judged[r.id]) for r in new], differing, jobs)


def _judge(new: list, evstats: EvstatsConfig, db: str, year: int) -> dict[int, Verdict]:
    """Each new receipt's verdict, judged against Finland's date on the day it was
    received, as it was at receipt (a day's files a batch of `BATCH_BYTES` at a time);
    the folder's files were judged by the run's first step, whose verdicts are taken
    as they are."""
    from pipelines.register.receipts import history, stored_path

    settings = evstats.settings
    if new:
        gx_audit_worker.start_worker()  # its GX import overlaps the work below
    else:
        gx_audit_worker.stop_worker()  # started in advance by the CLI, not needed
    judged: dict[int, Verdict] = {
        r.id: judged_at_receipt.pop((db, r.id)) for r in new if (db, r.id) in judged_at_receipt
    }
    earlier = history(db) if len(judged) < len(new) else None
    for day, group in _by_day([r for r in new if r.id not in judged]):
        for batch in in_batches(group, lambda r: r.size_bytes, BATCH_BYTES):
            files = [
                SubmissionFile(
                    r.file_name, stored_path(settings, r).read_bytes(), r.region_code, year
                )
                for r in batch
            ]
            verdicts = receipt_verdicts(
                files, evstats.schema, settings, evstats.lang, day, earlier, keep_evidence=True
            )
            judged.update({r.id: v for r, v in zip(batch, verdicts, strict=True)})
    return judged


def _by_day(receipts: list) -> list[tuple[date, list]]:
    """Receipts grouped by Finland's date of receipt, in date order."""
    by_day: dict[date, list] = defaultdict(list)
    for r in receipts:
        by_day[finland_today(r.received_at)].append(r)
    return sorted(by_day.items())


def _start_audits(new: list, judged: dict[int, Verdict]) -> list[AuditJob]:
    """GX's audit of the new files' verdicts, started now so that it works beside the rest
    of the run: the evidence their suite runs kept (a few thousand distinct values),
    not the files."""
    if not new:
        return []
    job = gx_audit_worker.audit_job([judged[r.id] for r in new])
    gx_audit_worker.start(job)
    return [job]


def _record(
    con: DuckDBPyConnection,
    evstats: EvstatsConfig,
    year: int,
    new: list,
    judged: dict[int, Verdict],
    differing: dict[int, str],
    in_force: list[tuple[str, str, int]],
) -> None:
    """The new receipts' verdicts, issues and accepted rows, and the files in force, but
    those whose verdict differs from the one given at receipt."""
    from pipelines.register.receipts import stored_path

    contracts = evstats.schema.contracts
    loaded = [
        Loaded(
            r.id,
            year,
            r.region_code,
            r.file_name,
            r.sha256,
            r.size_bytes,
            r.received_at.astimezone(UTC).replace(tzinfo=None),
            str(stored_path(evstats.settings, r)),
        )
        for r in new
        if r.id not in differing
    ]
    record_verdicts(
        con,
        [
            (item, judged[item.submission_id], contracts.get(judged[item.submission_id].kind or ""))
            for item in loaded
        ],
        datetime.now(UTC).replace(tzinfo=None),
        year,
        [(region, kind, sid) for region, kind, sid in in_force if sid not in differing],
    )


def _verdicts_result(
    context: dg.AssetExecutionContext,
    judged: list[tuple[int, Verdict]],
    differing: dict[int, str],
    jobs: list[AuditJob],
) -> dg.MaterializeResult:
    """The verdicts as the UI shows them, the two checks, and GX's audit to come."""
    verdicts = [v for _, v in judged]
    rows = [
        [
            sid,
            v.region_code,
            v.file,
            v.kind,
            "✔" if v.accepted else "✘",
            v.count("error") + v.count("fatal"),
            v.count("warning"),
        ]
        for sid, v in judged
    ]
    agree = dg.AssetCheckResult(
        check_name="verdicts_agree_with_receipts",
        passed=not differing,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "differing": len(differing),
            "receipts": ", ".join(f"{sid}: {what}" for sid, what in list(differing.items())[:20])
            or "none",
        },
    )
    rejected = [v for v in verdicts if not v.accepted]
    for v in rejected:
        first = v.issues[0]
        context.log.warning(
            f"rejected {v.region_code}/{v.file}: {v.issue_count} issues, first: row {first.row}, "
            f"column {first.column}: {first.message}"
        )
    issues = [
        [v.region_code, v.file, i.severity, i.row, i.column, i.value, i.message]
        for v in verdicts
        for i in v.issues[:100]
    ]
    check = dg.AssetCheckResult(
        check_name="all_submissions_accepted",
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rejected": len(rejected), "rejected_files": ", ".join(v.file for v in rejected)},
    )
    return dg.MaterializeResult(
        metadata={
            "validated": len(verdicts),
            "accepted": len(verdicts) - len(rejected),
            "rejected": len(rejected),
            "verdicts": markdown_table(
                ["submission", "region", "file", "kind", "accepted", "errors", "warnings"], rows
            ),
            "issues": markdown_table(
                ["region", "file", "severity", "row", "column", "value", "message"], issues[:100]
            ),
        },
        check_results=[check, agree],
        value=jobs,
    )


@dg.asset(
    group_name="audit",
    partitions_def=YEARS,
    # Last in the run, so that GX's import and evaluation overlap everything before it.
    deps=["yearly_report", "collection_status"],
    kinds={"great_expectations"},
    check_specs=[
        dg.AssetCheckSpec(
            "verdicts_agree_with_gx",
            asset="gx_audit",
            blocking=True,  # a disagreement fails the run, in the UI as at the command line
            partitions_def=YEARS,
            description="Great Expectations fails exactly the values this run's verdicts failed, "
            "in every row of every new file.",
        )
    ],
)
def gx_audit(
    context: dg.AssetExecutionContext, submission_verdicts: list[AuditJob]
) -> dg.MaterializeResult:
    """Great Expectations' evaluation of the suite on every value of the files
    `submission_verdicts` took in, compared with their verdicts'. The values come from
    its input, so materialised alone (from the UI, after a run) it audits that run's
    files again."""
    audits = [gx_audit_worker.collect(job) for job in submission_verdicts]
    disagreements = [line for audit in audits for line in audit.disagreements()]
    for line in disagreements:
        context.log.error(f"GX disagrees: {line}")
    audited = sum(job.files for job in submission_verdicts)
    return dg.MaterializeResult(
        metadata={"audited_files": audited},
        check_results=[
            dg.AssetCheckResult(
                check_name="verdicts_agree_with_gx",
                passed=not disagreements,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "audited_files": audited,
                    "disagreements": "\n".join(disagreements[:50]) or "none",
                },
            )
        ],
    )


def in_force_asset(kind: str) -> dg.AssetsDefinition:
    """The `incidents` and `missions` tables: same loading, same gate."""
    check_name = f"{kind}_conform_to_contract"

    @dg.asset(
        name=kind,
        group_name="validate",
        partitions_def=YEARS,
        deps=["submission_verdicts"],
        kinds={"duckdb"},
        check_specs=[
            dg.AssetCheckSpec(
                check_name,
                asset=kind,
                blocking=True,
                partitions_def=YEARS,
                description=f"The {kind} rows in force meet the contract again, checked in "
                "SQL before any figure is computed: each row of its file's region, required "
                "values present, codes in their code lists, values in range, no key twice.",
            )
        ],
        description=f"The {kind} rows of the latest accepted submission of each region, by year.",
    )
    def _asset(
        context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        year = partition_year(context)
        contract = evstats.schema.contracts[kind]
        with warehouse_connection(duckdb, evstats) as con:
            violations = contract_violations(con, contract, year)
            per_region = con.execute(
                f"SELECT region_code, count(*) FROM in_force_{kind} WHERE year = ? "
                "GROUP BY ALL ORDER BY 1",
                [year],
            ).fetchall()
        count = sum(n for _, n in per_region)
        return dg.MaterializeResult(
            metadata={
                "row_count": count,
                "regions": len(per_region),
                "preview": markdown_table(["region", "rows"], [list(r) for r in per_region]),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=check_name, passed=not violations, metadata=dict(violations)
                )
            ],
        )

    return _asset


incidents = in_force_asset("incidents")
missions = in_force_asset("missions")


@dg.asset(group_name="validate", partitions_def=YEARS, deps=["incidents", "missions"])
def collection_status(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """What the run publishes, recorded in the register once the warehouse has committed
    it: each loaded receipt of the year is in force in the published tables or not (the
    API's `in_force`). The portal reads it there, never in the warehouse."""
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register import runs

    year = partition_year(context)
    with warehouse_connection(duckdb, evstats) as con:
        published = con.execute(
            "SELECT region_code, kind, submission_id FROM submissions_in_force WHERE year = ? "
            "ORDER BY ALL",
            [year],
        ).fetchall()
        counts = dict(
            con.execute(
                "SELECT status, count(*) FROM submissions WHERE year = ? GROUP BY ALL", [year]
            ).fetchall()
        )
    runs.record_published(year, [sid for *_, sid in published], db)
    return dg.MaterializeResult(
        metadata={
            "accepted": counts.get("accepted", 0),
            "rejected": counts.get("rejected", 0),
            "regions_in_force": len({region for region, *_ in published}),
            "preview": markdown_table(
                ["region", "kind", "receipt"], [list(row) for row in published]
            ),
        }
    )
