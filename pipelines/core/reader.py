"""Reading a submitted file into rows of text, before any rule is applied.

Reading is split into steps (decode, split into records, map the header to
the contract) so that the Excel dialects regions really send can slot in as
more decoders, delimiters and header aliases without touching validation.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from pipelines.core.issues import Issue, make_issue
from pipelines.core.schema import Contract, Schema

CANONICAL_DELIMITER = ","


@dataclass
class RawTable:
    """The text of a file as records; `rows` holds (spreadsheet row, values)."""

    kind: str | None
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return any(i.severity == "fatal" for i in self.issues)


def decode(data: bytes) -> str:
    """Decode UTF-8 with or without a byte-order mark; anything else is unreadable."""
    if b"\x00" in data:
        raise ValueError("binary content (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start + 1})") from exc


def split_records(text: str) -> list[tuple[int, list[str]]]:
    """Records with their spreadsheet row numbers; blank lines keep their number."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=CANONICAL_DELIMITER, strict=True)
    records = []
    for index, record in enumerate(reader, start=1):
        if any(v.strip() for v in record):
            records.append((index, [v.strip() for v in record]))
    return records


def recognise_kind(header: list[str], schema: Schema) -> Contract | None:
    """The contract whose required columns the header covers best, if at least half."""
    best, best_score = None, 0.0
    for contract in schema.contracts.values():
        required = contract.required_columns
        score = sum(1 for c in required if c in header) / len(required)
        if score > best_score:
            best, best_score = contract, score
    return best if best_score >= 0.5 else None


def read_table(data: bytes, schema: Schema, lang: str) -> RawTable:
    """Turn bytes into a RawTable; problems of the file as a whole are fatal issues."""
    try:
        text = decode(data)
        records = split_records(text)
    except (ValueError, csv.Error) as exc:
        return RawTable(
            None, [], issues=[make_issue(schema, "file_unreadable", lang, detail=str(exc))]
        )
    if not records:
        return RawTable(None, [], issues=[make_issue(schema, "file_empty", lang)])
    header_row, header = records[0]
    header = [h.lower() for h in header]
    contract = recognise_kind(header, schema)
    if contract is None:
        expected = "; ".join(
            f"{c.kind}: {', '.join(c.required_columns)}" for c in schema.contracts.values()
        )
        issue = make_issue(schema, "kind_unrecognised", lang, row=header_row, expected=expected)
        return RawTable(None, header, issues=[issue])
    table = RawTable(contract.kind, header)
    table.issues.extend(_header_issues(header, header_row, contract, schema, lang))
    for row, values in records[1:]:
        if len(values) != len(header):
            table.issues.append(
                make_issue(
                    schema, "ragged_row", lang, row=row, found=len(values), expected=len(header)
                )
            )
        else:
            table.rows.append((row, values))
    return table


def _header_issues(
    header: list[str], row: int, contract: Contract, schema: Schema, lang: str
) -> list[Issue]:
    issues = []
    allowed = contract.column_names
    seen: set[str] = set()
    for name in header:
        if name in seen:
            issues.append(make_issue(schema, "duplicate_column", lang, row=row, column=name))
        elif name not in allowed:
            issues.append(
                make_issue(
                    schema,
                    "unknown_column",
                    lang,
                    row=row,
                    column=name,
                    expected=", ".join(allowed),
                )
            )
        seen.add(name)
    for name in contract.required_columns:
        if name not in header:
            issues.append(make_issue(schema, "missing_column", lang, row=row, column=name))
    return issues
