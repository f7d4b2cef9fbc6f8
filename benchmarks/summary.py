"""The markdown summary of a benchmark run: every target beside its measurement."""

from __future__ import annotations

from pathlib import Path

from benchmarks.wide import MAX_EXTRA_MB, MAX_SECONDS

STAGES = ("parse", "validate", "load", "aggregate", "tables", "report", "gx_audit")


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def targets(report: dict) -> list[tuple[str, str, str]]:
    sizes = {s["rows"]: s for s in report["sizes"]}
    rows = []
    cold = report["cold_validate"]
    rows.append(
        (
            "`evstats validate`, 1,000-row file, cold: under 3 s",
            f"{cold['seconds']:.2f} s",
            _verdict(cold["seconds"] < 3),
        )
    )
    portal = report.get("portal")
    if portal:
        rows.append(
            (
                f"Portal, warm: verdict of a {portal['rows']:,}-row file through the API under 1 s",
                f"median {portal['warm_check_median']:.2f} s, max {portal['warm_check_max']:.2f} s",
                _verdict(portal["warm_check_max"] < 1),
            )
        )
        rows.append(
            (
                f"Portal: {portal['concurrent_uploads']} regions' systems upload "
                f"{portal['concurrent_rows']}-row files at once through the API "
                f"({portal['concurrent_rounds']} rounds), all received within 10 s",
                f"p50 {portal['concurrent_p50']:.2f} s, p95 {portal['concurrent_p95']:.2f} s, "
                f"slowest {portal['concurrent_slowest']:.2f} s "
                f"(statuses {portal['concurrent_statuses']}, "
                f"load {portal['concurrent_load']:.1f}); the workers' resident memory "
                + ", ".join(
                    f"{idle:.0f} → {peak:.0f} MB"
                    for idle, peak in zip(
                        portal["workers_idle_mb"], portal["workers_peak_mb"], strict=True
                    )
                )
                + " (idle → peak)",
                _verdict(
                    portal["concurrent_slowest"] < 10 and portal["concurrent_statuses"] == [201]
                ),
            )
        )
    wide = report.get("wide")
    if wide:
        rows.append(
            (
                "Hostile wide files: each rejected by the portal's verdict in under "
                f"{MAX_SECONDS:g} s with under {MAX_EXTRA_MB:g} MB of extra memory",
                "; ".join(
                    f"{w['label']}: {w['seconds']:.2f} s, {w['extra_mb']:.0f} MB, "
                    f"{'accepted' if w['accepted'] else 'rejected'}"
                    for w in wide.values()
                ),
                _verdict(
                    all(
                        w["seconds"] < MAX_SECONDS
                        and w["extra_mb"] < MAX_EXTRA_MB
                        and not w["accepted"]
                        for w in wide.values()
                    )
                ),
            )
        )
    real = report["realistic"]
    run = real.get("evstats_run", {})
    each = ", ".join(f"{r['seconds']:.1f} s at load {r['load']:.1f}" for r in run.get("runs", []))
    rows.append(
        (
            f"Realistic year ({real['rows']} incidents) through `evstats run`, "
            "report in three languages included: under 10 s (median of the runs)",
            f"median {run.get('seconds', float('nan')):.2f} s of {len(run.get('runs', []))} "
            f"runs ({each}); CPU of all its processes {run.get('cpu_seconds', float('nan')):.1f} s",
            _verdict(run.get("seconds", 99) < 10),
        )
    )
    big = sizes.get(1_000_000)
    if big:
        rows.append(
            (
                "1M rows: ingest+validate+load+aggregate within 5× the floor",
                f"{big['core_seconds']:.1f} s vs floor {big['floor']['seconds']:.2f} s "
                f"= {big['core_ratio_to_floor']}×",
                _verdict(big["core_ratio_to_floor"] <= 5),
            )
        )
        audit = big["stages"]["gx_audit"]["seconds"]
        rows.append(
            (
                "1M rows: the same with GX's audit run after it rather than beside it",
                f"{big['core_seconds'] + audit:.1f} s "
                f"= {(big['core_seconds'] + audit) / big['floor']['seconds']:.1f}×",
                "for information",
            )
        )
        rows.append(
            (
                "1M rows: peak memory under 2 GB",
                f"{big['core_peak_mb']:.0f} MB",
                _verdict(big["core_peak_mb"] < 2048),
            )
        )
    mid = sizes.get(100_000)
    if big and mid:
        # Marginal: what the 900,000 rows between the two sizes cost, so that fixed costs
        # (imports, warm-up, the first GX context) do not count as per-row work.
        extra = big["core_seconds"] - mid["core_seconds"]
        floor_extra = big["floor"]["seconds"] - mid["floor"]["seconds"]
        rows.append(
            (
                "1M rows: marginal cost (1M minus 100k) within 5× the floor's",
                f"{extra:.1f} s vs floor {floor_extra:.2f} s = {extra / floor_extra:.1f}×",
                _verdict(extra / floor_extra <= 5),
            )
        )
        per_big = big["core_seconds"] / big["rows"]
        per_mid = mid["core_seconds"] / mid["rows"]
        rows.append(
            (
                "Linear cost: time per row at 1M within 1.5× of 100k",
                f"{per_big * 1e6:.1f} µs vs {per_mid * 1e6:.1f} µs per row "
                f"= {per_big / per_mid:.2f}×",
                _verdict(per_big / per_mid <= 1.5),
            )
        )
    rows += scale_targets(report.get("scale", []))
    huge = sizes.get(10_000_000)
    rows.append(
        (
            "10M rows completes without running out of memory",
            f"{huge['core_seconds']:.0f} s, peak {huge['core_peak_mb']:.0f} MB "
            f"(GX audit peak {huge['stages']['gx_audit']['peak_mb']:.0f} MB)"
            if huge
            else "not run by default (`--rows 10000000 --no-run`)",
            _verdict(True if huge else None),
        )
    )
    return rows


def scale_targets(scale: list[dict]) -> list[tuple[str, str, str]]:
    """Issue 21's targets of whole runs (`benchmarks/scale.py`): the marginal cost of the
    rows against the floor, the process tree's peak, and the cost per row growing no
    more than 1.2× from 1M to 10M."""
    rows = []
    for s in scale:
        rows.append(
            (
                f"{s['rows']:,} rows: whole `evstats run` minus the realistic year within 5× "
                "the floor (goal 3×), GX's audit included",
                f"{s['run_seconds']:.1f} − {s['realistic_seconds']:.1f} s = "
                f"{s['marginal_seconds']:.1f} s vs floor {s['floor_seconds']:.2f} s = "
                f"{s['ratio_to_floor']}× (marginal CPU {s['marginal_cpu_seconds']:.1f} s; "
                "load " + ", ".join(f"{p['load']:.1f}" for p in s["pairs"]) + ")",
                # The ratio is a target at a million rows; ten million must be linear.
                _verdict(s["ratio_to_floor"] <= 5) if s["rows"] <= 1_000_000 else "for information",
            )
        )
        limit = 1536 if s["rows"] <= 1_000_000 else 4096
        rows.append(
            (
                f"{s['rows']:,} rows: peak memory of the run's process tree under {limit:,} MB",
                f"{s['tree_peak_mb']:.0f} MB (its main process {s['main_peak_mb']:.0f} MB)",
                _verdict(s["tree_peak_mb"] < limit),
            )
        )
    by_rows = {s["rows"]: s for s in scale}
    if 1_000_000 in by_rows and 10_000_000 in by_rows:
        small, large = by_rows[1_000_000]["us_per_row"], by_rows[10_000_000]["us_per_row"]
        rows.append(
            (
                "Linear: cost per row of a whole run at 10M within 1.2× of 1M",
                f"{large:.2f} µs vs {small:.2f} µs = {large / small:.2f}×",
                _verdict(large / small <= 1.2),
            )
        )
    return rows


def write_summary(report: dict, path: Path) -> str:
    lines = [
        "# Benchmark summary",
        "",
        f"Run {report['generated_at']} on {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}. Produced by `make bench`; raw figures in "
        "`latest.json` (not committed). Seconds are wall time; memory is peak resident set.",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m} | {v} |" for t, m, v in targets(report)],
        "",
        "## Stages against the floor",
        "",
        "The floor is DuckDB's `read_csv` of the same files plus the GROUP BY that gives the "
        "regional table. `parse` is shown alone but `validate` parses again, so `core` = "
        "validate + load + aggregate (ingest, validate, load, aggregate). `validate` is the "
        "verdict as the pipeline decides it (the suite evaluated in Polars); `gx_audit` is "
        "Great Expectations evaluating the same suite on the evidence of the verdicts (every "
        "distinct value of every expectation's columns), which a run does in a worker process "
        "beside the other stages; GX is imported before it is timed, as the worker does "
        "at the run's start.",
        "",
        "| rows | floor | " + " | ".join(STAGES) + " | core (× floor) | evstats run | peak MB |",
        "|---:|---:|" + "---:|" * len(STAGES) + "---:|---:|---:|",
    ]
    for size in [report["realistic"], *report["sizes"]]:
        st = size["stages"]
        run = size.get("evstats_run")
        lines.append(
            f"| {size['rows']:,} | {size['floor']['seconds']:.2f} | "
            + " | ".join(f"{st[s]['seconds']:.2f}" for s in STAGES)
            + f" | {size['core_seconds']:.2f} ({size['core_ratio_to_floor']}×) | "
            + (f"{run['seconds']:.2f}" if run else "–")
            + f" | {max(v['peak_mb'] for v in st.values()):.0f} |"
        )
    text = "\n".join(lines) + "\n"
    # Hand-written findings, then the served path's runs (`benchmarks.served` keeps them).
    for kept in ("findings.md", "served.md"):
        if (path.parent / kept).is_file():
            text += "\n" + (path.parent / kept).read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return text
