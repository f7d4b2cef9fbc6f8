"""Fixtures the integration tests share."""

import shutil
from pathlib import Path

import pytest

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings
from tests.conftest import FIXTURES


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture year published in all three languages, once per test session:
    4 of 22 areas, hidden cells, an area with no incidents. Tests only read it (a rebuild
    in place gives the same bytes)."""
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(FIXTURES / "inbox", root / "inbox")
    job = build_defs(Settings(data_dir=str(root))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    return root / "reports" / "2023"
