"""What the Dagster UI shows of the one `Definitions`: every job, asset, asset check and
sensor says what it is, so a newcomer reading the lineage is never left with a bare name."""

from pipelines.definitions import build_defs
from pipelines.settings import Settings


def descriptions(data_dir: str) -> dict[str, str | None]:
    """Each job, asset, check and sensor of the definitions by kind and name, with its description.
    Dagster's own implicit job (`__ASSET_JOB`) is not the project's and is left out."""
    defs = build_defs(Settings(data_dir=data_dir))
    graph = defs.resolve_asset_graph()
    return {
        **{
            f"asset {s.key.to_user_string()}": s.description for s in defs.resolve_all_asset_specs()
        },
        **{
            f"check {key.asset_key.to_user_string()}.{key.name}": graph.get(key).description
            for key in graph.asset_check_keys
        },
        **{
            f"job {job.name}": job.description
            for job in defs.resolve_all_job_defs()
            if not job.name.startswith("__")
        },
        **{f"sensor {sensor.name}": sensor.description for sensor in defs.sensors or ()},
    }


def test_every_job_asset_check_and_sensor_has_a_description(tmp_path):
    described = descriptions(str(tmp_path))
    # The walk reaches all four kinds, those the UI showed without a description included.
    for name in (
        "job yearly_statistics",
        "asset yearly_report",
        "check incidents.incidents_conform_to_contract",
        "check submission_verdicts.all_submissions_accepted",
        "sensor last_run_failed",
    ):
        assert name in described
    assert sorted(name for name, text in described.items() if not (text or "").strip()) == []
