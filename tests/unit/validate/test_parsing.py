"""Spellings and values worked out once per distinct value are those worked out per row."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from pipelines.contract.schema import load_schema
from pipelines.validate.parsing import normalise, parsed, per_value, typed_frame

SCHEMA = load_schema()
INCIDENTS = SCHEMA.contracts["incidents"]
WRITTEN = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "2023-03-01",
            "1.3.2023",
            "31.2.2023",
            "2023-02-30",
            "7:05",
            "07.05",
            "24:00",
            "1 000",
            "+12",
            "-3",
            "12a",
            "05",
            "5",
            "Kotona",
            "HOME",
            "",
        ]
    ),
    st.text(max_size=12),
)


@given(st.lists(WRITTEN, max_size=40))
def test_a_value_is_parsed_the_same_once_per_distinct_value(values):
    frame = pl.DataFrame({"v": pl.Series(values, dtype=pl.String)})
    for type_ in ("integer", "date", "time"):
        expected = frame.select(parsed("v", type_))
        assert frame.select(per_value(frame, "v", parsed("v", type_))).equals(expected)
        assert frame.select(per_value(frame, "v", parsed("v", type_))).schema == expected.schema


@given(st.lists(st.tuples(WRITTEN, WRITTEN, WRITTEN, WRITTEN), max_size=40))
def test_normalised_and_typed_columns_keep_their_rows_and_types(rows):
    columns = ["incident_date", "incident_time", "location", "staff_count"]
    frame = pl.DataFrame(
        [list(r) for r in rows], schema=dict.fromkeys(columns, pl.String), orient="row"
    ).with_columns(pl.int_range(pl.len()).cast(pl.Int64).alias("_row"))
    for name in INCIDENTS.column_names:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    normalised = normalise(frame, INCIDENTS, SCHEMA)
    location = pl.col("location")
    per_row = location.str.to_lowercase().replace_strict(
        SCHEMA.codelists["location"].lookup(), default=location, return_dtype=pl.String
    )
    assert normalised.select("location").equals(frame.select(per_row))
    typed = typed_frame(normalised, INCIDENTS)
    assert typed.schema["incident_date"] == pl.Date
    assert typed.schema["incident_time"] == pl.Time
    assert typed.schema["staff_count"] == pl.Int64
    by_row = normalised.select(parsed("incident_date", "date"), parsed("staff_count", "integer"))
    assert typed.select("incident_date", "staff_count").equals(by_row)
