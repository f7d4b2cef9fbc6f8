"""From text to values: how the spellings regions use become canonical, and what a
valid whole number, date and time are.

These are the definitions the suite, the verdict and the load all share, so
they live below all three: a value the suite accepts is a value the load parses.
"""

from __future__ import annotations

import polars as pl

from pipelines.contract.schema import Contract, Schema
from pipelines.ingest.reader import ROW, RawTable

INTEGER_RE = r"^[+-]?\d+$"
# ASCII digits only: `\d` would take other scripts' digits, which no date parser reads.
ISO_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FINNISH_DATE_RE = r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"
TIME_RE = r"^(\d{1,2})[:.](\d{2})$"
THOUSANDS_SEPARATORS = r"[\s\u00a0\u202f]"
# The types `parsed` turns into values; text and codes stay as written.
PARSED_TYPES = ("integer", "date", "time")


def text_frame(table: RawTable, contract: Contract) -> pl.DataFrame:
    """All contract columns as text (empty cell = null), plus the spreadsheet row."""
    exprs = [pl.col(ROW)]
    for name in contract.column_names:
        if name in table.header:
            exprs.append(pl.col(f"f{table.header.index(name)}").alias(name))
        else:
            exprs.append(pl.lit(None, dtype=pl.String).alias(name))
    return table.cells.select(exprs)


def normalise(frame: pl.DataFrame, contract: Contract, schema: Schema) -> pl.DataFrame:
    """Bring the spellings regions really use to the canonical form, so the same facts
    give the same statistics: Finnish dates (1.3.2023), times without a leading
    zero (7:05), thousands separators, region codes without their zero, codes
    written as their Finnish or Swedish labels. Anything else is left as written,
    for the rules to refuse with the value the contact wrote."""
    exprs = []
    for c in contract.columns:
        col = pl.col(c.name)
        if c.type == "date":
            d = col.str.extract_groups(FINNISH_DATE_RE)
            iso = pl.concat_str(
                d.struct.field("3"),
                d.struct.field("2").str.zfill(2),
                d.struct.field("1").str.zfill(2),
                separator="-",
            )
            canonical = pl.when(col.str.contains(FINNISH_DATE_RE)).then(iso).otherwise(col)
        elif c.type == "time":
            t = col.str.extract_groups(TIME_RE)
            hhmm = pl.concat_str(
                t.struct.field("1").str.zfill(2), t.struct.field("2"), separator=":"
            )
            canonical = pl.when(col.str.contains(TIME_RE)).then(hhmm).otherwise(col)
        elif c.type == "integer":
            canonical = col.str.replace_all(THOUSANDS_SEPARATORS, "")
        elif c.codelist:
            lookup = schema.codelists[c.codelist].lookup()
            canonical = col.str.to_lowercase().replace_strict(
                lookup, default=col, return_dtype=pl.String
            )
        else:
            continue
        exprs.append(per_value(frame, c.name, canonical).alias(c.name))
    return frame.with_columns(exprs)


def per_value(frame: pl.DataFrame, column: str, expr: pl.Expr) -> pl.Expr:
    """`expr`, which reads `column` alone, worked out once for each distinct value and
    mapped back to the rows. A million rows hold a handful of codes, 365 dates and
    1,440 times, and regular expressions, lowercasing and parsing cost per row, so
    this is the same result for a fraction of the work; a column the expression
    leaves as it is (canonical spellings, the usual case) is not touched at all."""
    if frame.height == 0:
        return expr  # nothing to map, and an empty mapping would keep the text type
    values = frame.get_column(column).unique()
    results = values.to_frame().select(expr).to_series()
    if results.dtype == values.dtype and results.equals(values):
        return pl.col(column)
    return pl.col(column).replace_strict(values, results, return_dtype=results.dtype)


def parsed(column: str, type_: str) -> pl.Expr:
    """A column's value as its type, null where it does not parse: the one definition of
    what a valid whole number, date and time are, shared by the GX frame and the load."""
    col = pl.col(column)
    if type_ == "integer":
        return pl.when(col.str.contains(INTEGER_RE)).then(col).cast(pl.Int64, strict=False)
    if type_ == "date":
        return pl.when(col.str.contains(ISO_DATE_RE)).then(
            col.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        )
    if type_ == "time":
        return col.str.strptime(pl.Time, "%H:%M", strict=False)
    return col


def typed_frame(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Parse each column to its type; a value that does not parse becomes null."""
    exprs = [pl.col(ROW)]
    for c in contract.columns:
        if c.free_text:
            continue
        if c.type in PARSED_TYPES:
            exprs.append(per_value(frame, c.name, parsed(c.name, c.type)).alias(c.name))
        else:
            exprs.append(pl.col(c.name))
    return frame.select(exprs)
