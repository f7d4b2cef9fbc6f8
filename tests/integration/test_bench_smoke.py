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
