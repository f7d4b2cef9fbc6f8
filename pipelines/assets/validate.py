"""Validate: a verdict for every new submission, then the data in force checked.

Verdicts come from the suite evaluated in Polars; Great Expectations evaluates
the same suite on the same files in a worker meanwhile, and the run's last
step, `gx_audit`, collects its result: its blocking check
`verdicts_agree_with_gx` fails the run if GX finds anything else.
Only accepted files reach the `incidents` and `missions` views of the rows in
force, and a blocking check re-verifies the year in force against the contract, so that a
bad row can never reach the statistics. One region's rejected file does not
stop the others: its previously accepted data stays in force. Then
`collection_status` writes what the portal reads instead of the warehouse.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, warehouse
from pipelines.settings import today as finland_today
from pipelines.validate import gx_audit as gx_audit_worker
from pipelines.validate.plausibility import share_columns
from pipelines.validate.verdict import SubmissionFile, validate_files
from pipelines.warehouse.history import build_history, write_history
from pipelines.warehouse.snapshot import build_status, write_status
from pipelines.warehouse.store import (
    contract_violations,
    pending_submissions,
    record_cross_file_warnings,
    record_verdicts,
)


@dg.asset(
    group_name="validate",
    partitions_def=YEARS,
    deps=["raw_submissions"],
    kinds={"polars", "great_expectations", "duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            "all_submissions_accepted", asset="submission_verdicts", partitions_def=YEARS
        )
    ],
)
def submission_verdicts(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """The verdict (accepted or rejected, with every issue) of each new submission."""
    year = partition_year(context)
    schema = evstats.schema
    with warehouse(duckdb, evstats) as con:
        pending = pending_submissions(con, year)
        files = [
            SubmissionFile(name, Path(path).read_bytes(), region, year)
            for _, region, name, path in pending
        ]
        if files:
            gx_audit_worker.start_worker()  # its GX import overlaps the work below
        else:
            gx_audit_worker.stop_worker()  # started in advance by the CLI, not needed
        today, limits = finland_today(), evstats.settings.limits
        verdicts = validate_files(
            files,
            schema,
            lang=evstats.lang,
            today=today,
            limits=limits,
            evaluator="polars",
            history=build_history(con, share_columns(schema)) if files else None,
            plausibility=evstats.settings.plausibility,
        )
        if files:
            gx_audit_worker.register(
                year,
                gx_audit_worker.audit(
                    files, verdicts, lang=evstats.lang, today=today, limits=limits
                ),
            )
        now = datetime.now(UTC).replace(tzinfo=None)
        record_verdicts(
            con,
            [
                (sid, v, schema.contracts.get(v.kind) if v.kind else None)
                for (sid, *_), v in zip(pending, verdicts, strict=True)
            ],
            now,
        )
        cross_file = record_cross_file_warnings(con, schema, year, evstats.lang)
    for region, issue in cross_file:
        context.log.warning(f"region {region}: {issue.message}")
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
        for (sid, *_), v in zip(pending, verdicts, strict=True)
    ]
    rejected = [v for v in verdicts if not v.accepted]
    for v in rejected:
        first = v.issues[0]
        context.log.warning(
            f"rejected {v.region_code}/{v.file}: {len(v.issues)} issues, first: row {first.row}, "
            f"column {first.column}: {first.message}"
        )
    issues = [
        [v.region_code, v.file, i.severity, i.row, i.column, i.value, i.message]
        for v in verdicts
        for i in v.issues
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
        check_results=[check],
    )


@dg.asset(
    group_name="validate",
    partitions_def=YEARS,
    # Last in the run, so that GX's import and evaluation overlap everything before it.
    deps=["submission_verdicts", "yearly_report", "collection_status"],
    kinds={"great_expectations"},
    check_specs=[
        dg.AssetCheckSpec(
            "verdicts_agree_with_gx",
            asset="gx_audit",
            blocking=True,  # a disagreement fails the run, in the UI as at the command line
            partitions_def=YEARS,
            description="Great Expectations finds exactly the issues of this run's verdicts.",
        )
    ],
)
def gx_audit(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Great Expectations' evaluation of the suite on the year's new files, compared with
    the verdicts the run recorded."""
    pending = gx_audit_worker.take(partition_year(context))
    disagreements = pending.disagreements() if pending else []
    for line in disagreements:
        context.log.error(f"GX disagrees: {line}")
    audited = len(pending.files) if pending else 0
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
            dg.AssetCheckSpec(check_name, asset=kind, blocking=True, partitions_def=YEARS)
        ],
        description=f"The {kind} rows of the latest accepted submission of each region, by year.",
    )
    def _asset(
        context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        year = partition_year(context)
        contract = evstats.schema.contracts[kind]
        with warehouse(duckdb, evstats) as con:
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


@dg.asset(
    group_name="validate", partitions_def=YEARS, deps=["incidents", "missions"], kinds={"json"}
)
def collection_status(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """`status/<year>.json`: every submission's verdict and what is in force, for the portal,
    which must not open the warehouse. Written once the rows in force are loaded, so it
    never names a file in force whose rows are not; a year whose files were all rejected
    gets one too. `status/history.json` beside it gives the portal's plausibility checks
    the regions' earlier years."""
    year = partition_year(context)
    with warehouse(duckdb, evstats) as con:
        status = build_status(con, year)
        history = build_history(con, share_columns(evstats.schema))
    path = write_status(evstats.settings.status_path(year), status)
    write_history(evstats.settings.history_path, history)
    submissions = status["submissions"]
    verdicts = [s["status"] for s in submissions]
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "submissions": len(submissions),
            **{name: verdicts.count(name) for name in ("accepted", "rejected", "pending")},
            "regions_in_force": len(status["in_force"]),
            "preview": markdown_table(
                ["submission", "region", "kind", "file", "status", "in force", "errors", "rows"],
                [
                    [
                        s["submission_id"],
                        s["region_code"],
                        s["kind"],
                        s["file_name"],
                        s["status"],
                        "✔" if s["in_force"] else "",
                        s["errors"],
                        s["rows"],
                    ]
                    for s in submissions
                ],
            ),
        }
    )
