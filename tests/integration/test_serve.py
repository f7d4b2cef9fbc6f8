"""`make serve` as an operator starts it: the portal, the Dagster webserver and the
daemon under honcho (the project's Procfile). A file uploaded in the portal updates
its year's published tables with nothing else done, and Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.conftest import FIXTURES
from tests.integration.daemon import ROOT, start_logged, wait_for
from tests.integration.portal import free_port, post_file, prepare, wait_until_healthy


def test_make_serve_brings_the_service_up_and_a_file_reaches_the_tables(tmp_path):
    data_dir = tmp_path / "data"
    env, tokens = prepare(data_dir, ["05"])
    portal_port, webserver_port = free_port(), free_port()
    home = tmp_path / "home"
    env |= {
        "EVSTATS_PORTAL_PORT": str(portal_port),
        "DAGSTER_WEBSERVER_PORT": str(webserver_port),
    }
    log = tmp_path / "honcho.log"
    service = start_logged(["make", "serve", f"DAGSTER_HOME={home}"], env, log)
    try:
        portal = f"http://127.0.0.1:{portal_port}"
        wait_until_healthy(portal, service, log, timeout=120)
        wait_until_healthy(
            f"http://127.0.0.1:{webserver_port}", service, log, timeout=120, path="/server_info"
        )
        incidents = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()
        answer = post_file(portal, tokens["05"], "tilanteet.csv", incidents)
        assert answer.status_code == 201
        national = data_dir / "reports" / "2023" / "tables" / "national.csv"
        wait_for("the year published", national.exists, 240, log)
        from pipelines.register.db import connect
        from pipelines.settings import Settings

        db = connect(Settings(data_dir=str(data_dir)))
        from pipelines.register.runs import last_run

        def recorded() -> bool:
            run = last_run(2023, db)  # the run status sensor tells the register
            return run is not None and run.outcome == "success"

        wait_for("the run's success in the register", recorded, 240, log)
        assert "daemon.1" in log.read_text()
    finally:
        os.killpg(service.pid, signal.SIGINT)  # Ctrl-C, as a terminal sends it
        service.wait(timeout=60)
    text = log.read_text()
    for name in ("portal", "webserver", "daemon"):
        assert f"{name}.1 stopped" in text
    leftover = subprocess.run(["pgrep", "-g", str(service.pid)], capture_output=True, text=True)
    assert leftover.stdout == "", f"still running: {leftover.stdout}"
    assert (home / "dagster.yaml").read_text() == (ROOT / "config" / "dagster.yaml").read_text()
