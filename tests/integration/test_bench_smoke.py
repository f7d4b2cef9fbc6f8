"""The benchmark harness at a tiny size, so it cannot rot (no timing is asserted)."""

import json
import statistics

from benchmarks.__main__ import main
from benchmarks.summary import STAGES


def test_harness_runs_and_reports_every_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", "")
    args = ["--rows", "300", "--realistic", "50", "--realistic-runs", "2", "--no-run"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "latest.json").read_text())
    size = report["sizes"][0]
    assert size["rows"] == 300
    assert set(size["stages"]) == set(STAGES)
    assert all(s["seconds"] >= 0 and s["peak_mb"] > 0 for s in size["stages"].values())
    assert size["floor"]["seconds"] > 0
    run = report["realistic"]["evstats_run"]
    assert run["exit"] == 0
    assert len(run["runs"]) == 2
    assert all(r["cpu_seconds"] > 0 and r["load"] >= 0 for r in run["runs"])
    assert run["seconds"] == statistics.median(r["seconds"] for r in run["runs"])
    assert report["cold_validate"]["exit"] == 0
    summary = (tmp_path / "summary.md").read_text()
    assert "| `evstats validate`, 1,000-row file, cold: under 3 s |" in summary
    assert "| 300 |" in summary
    assert "median" in summary and "runs (" in summary
    wide = report["wide"]
    assert wide["commas"]["issues"] == ["error row_too_wide", "warning no_rows"]
    assert wide["header"]["issues"] == ["fatal too_many_columns"]
    assert all(w["seconds"] > 0 and w["extra_mb"] >= 0 for w in wide.values())
    assert "| Hostile wide files: each rejected by the portal's verdict" in summary
    portal = report["portal"]
    assert (portal["concurrent_uploads"], portal["concurrent_rows"]) == (22, 400)
    assert portal["concurrent_statuses"] == [201]
    p50, p95, slowest = (portal[f"concurrent_{k}"] for k in ("p50", "p95", "slowest"))
    assert 0 < p50 <= p95 <= slowest
    # Both gunicorn workers, each holding Django and the reader: tens of megabytes or more.
    assert len(portal["workers_peak_mb"]) == 2
    assert all(
        50 < idle <= peak
        for idle, peak in zip(portal["workers_idle_mb"], portal["workers_peak_mb"], strict=True)
    )
    assert "regions' systems upload 400-row files at once" in summary and "p95" in summary


def test_the_scale_bench_reports_the_margin_and_the_whole_tree(tmp_path, monkeypatch):
    from benchmarks.scale import bench_scale

    monkeypatch.setenv("DAGSTER_HOME", "")
    [size] = bench_scale(tmp_path, [300], runs=1)
    [pair] = size["pairs"]
    assert size["marginal_seconds"] == round(pair["run"] - pair["realistic"], 2)
    # Computed before rounding, so it lies within what the two rounded figures shown allow
    # (marginal to 0.005 s, floor to 0.0005 s), give or take its own rounding to 0.1.
    ratios = [
        (size["marginal_seconds"] + dm) / (size["floor_seconds"] + df)
        for dm in (-0.005, 0.005)
        for df in (-0.0005, 0.0005)
    ]
    assert min(ratios) - 0.05 <= size["ratio_to_floor"] <= max(ratios) + 0.05
    # The tree holds the run and its workers (GX's, the report's): more than the run alone.
    assert size["tree_peak_mb"] > size["main_peak_mb"] > 0


def test_a_process_tree_is_measured_with_its_children(tmp_path):
    import os
    import subprocess
    import sys

    from benchmarks.sampling import tree_rss

    alone = tree_rss(os.getpid())
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1) as p:
        child = 0
        while child < 1_000_000:  # until the child has started and holds its memory
            child = tree_rss(p.pid)
        assert tree_rss(os.getpid()) >= alone + child // 2
        p.communicate(b"")
