"""What the warehouse records of a verdict whose issues were cut at the limit."""

from datetime import datetime

import duckdb

from pipelines.settings import Limits
from pipelines.validate.verdict import SubmissionFile, validate_files
from pipelines.warehouse.store import Loaded, ensure_schema, record_verdicts
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, TODAY


def test_a_file_with_more_issues_than_kept_is_recorded_with_its_true_count(schema):
    """Four rows with an unknown urgency, two issues kept: the submission's error count is
    four, its stored issues the first two."""
    rows = [GOOD_ROW.replace("X1", f"X{n}").replace(",A,", ",E,") for n in range(4)]
    data = (INCIDENT_HEADER + "\n" + "\n".join(rows) + "\n").encode()
    f = SubmissionFile("f.csv", data, "05", 2023)
    [verdict] = validate_files([f], schema, lang="en", today=TODAY, limits=Limits(max_issues=2))
    con = duckdb.connect()
    ensure_schema(con, schema)
    now = datetime(2024, 1, 1)
    loaded = Loaded(1, 2023, "05", "f.csv", "-", len(data), now, "-")
    record_verdicts(con, [(loaded, verdict, schema.contracts["incidents"])], now, 2023, [])
    assert con.execute("SELECT status, errors FROM submissions").fetchall() == [("rejected", 4)]
    assert con.execute('SELECT "row" FROM submission_issues ORDER BY 1').fetchall() == [(2,), (3,)]
