"""Reading a submitted file into rows of text, before any rule is applied.

Regions send what their spreadsheet or incident system exports: UTF-8 with or
without a byte-order mark, Finnish Excel's Windows-1252 with semicolons,
tab-separated text, CRLF line ends, Finnish or Swedish header names, or the
filled workbook template itself. Reading is split into steps (decode, sniff the
delimiter, split into records, map the header to the contract) and each step
says plainly when it cannot go on, rather than guessing. A workbook becomes the
same records a CSV export of its sheet would, so every later rule and message
is the same for both.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import polars as pl

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.issues import Issue, in_each_language, make_issue, personal_data_issue
from pipelines.contract.privacy import find_personal_data
from pipelines.contract.schema import Contract, Schema
from pipelines.settings import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

ROW = "_row"
# File sizes are told in the unit the limit is set in (`max_file_mb`, megabytes of 2**20).
MIB = 1024 * 1024
FIELDS = "_fields"
DELIMITERS = (",", ";", "\t")
# Bytes that Windows-1252 leaves undefined: text containing them is not 1252.
CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# Control characters other than tab and line ends: text holding them is not a CSV export.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
WORKBOOK = "xlsx"
ZIP_MAGIC = b"PK\x03\x04"
# The parts every Office Open XML workbook has; a zip without them is some other archive.
WORKBOOK_MEMBERS = {"[Content_Types].xml", "xl/workbook.xml"}
# Sheet XML packs about 10:1; a large member packed far tighter is built to expand.
MAX_PACKING_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024


@dataclass
class RawTable:
    """The text of a file as records: `cells` holds the spreadsheet row (`_row`) and the
    stripped values by position (`f0`, `f1`…; an empty cell is null), so that a
    header naming a column twice still reads.

    `language` is the language of the file's header names and `written` names every
    contract column as the contact knows it: the header the file used, or for a
    column the file lacks, its header in the file's language, so that a Finnish
    file is told `tapahtumapaikka` is missing, not `location`."""

    kind: str | None
    header: list[str]
    cells: pl.DataFrame = field(default_factory=pl.DataFrame)
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    language: str | None = None
    written: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None

    @property
    def fatal(self) -> bool:
        return any(i.severity == "fatal" for i in self.issues)


class Unreadable(Exception):
    """The bytes cannot be taken as records; `rule`, `value` and `params` say why."""

    def __init__(self, rule: str, value: str | None = None, **params: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.value = value
        self.params = params


@dataclass
class Records:
    """A file's records before any contract applies: the frame of `split_records`,
    values stripped (an empty cell is null) and empty rows dropped, with how the
    file was read: its encoding and delimiter, or for a workbook the sheet."""

    frame: pl.DataFrame
    encoding: str
    delimiter: str | None = None
    sheet: str | None = None
    open_quote_row: int | None = None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding). A byte-order mark decides; else UTF-8; else Windows-1252
    when the bytes are plausible 1252 text. Anything else is refused, not guessed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise Unreadable("unknown_encoding", f"{exc.start + 4}") from exc
    if b"\x00" in data[:65536]:
        raise Unreadable("binary_file")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = next((i for i, b in enumerate(data) if b in CP1252_UNDEFINED), None)
        if bad is not None:
            raise Unreadable("unknown_encoding", f"{bad + 1}") from exc
        text, encoding = data.decode("cp1252"), "cp1252"
    if CONTROL_RE.search(text, 0, 65536):
        raise Unreadable("binary_file")
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter used most often in the header line, outside quotes."""
    line = next((ln for ln in text[:65536].splitlines() if ln.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_records(text: str, delimiter: str, keep: int) -> tuple[pl.DataFrame, int | None]:
    """Records as a frame: `_row` (the spreadsheet row; blank lines keep their number),
    `_fields` (how many fields the record has) and `f0`, `f1`… as written, the first
    `keep` fields of each record only, plus the row where an unclosed quotation mark
    starts, if any.

    Fields past `keep` are counted, never kept: a line of a million delimiters would
    otherwise become a million columns, minutes and gigabytes of work for a file
    that is refused anyway. Most files have one record per line and quotes only
    around whole fields; those are split by Polars in a few vectorised passes.
    Anything else (a quoted line break, a stray quote, an old Mac line end) goes
    through the csv module, which is slow but exact about where a record starts
    and where a quote is left open."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return _split_with_csv(text, delimiter, keep)
    data = text.encode()
    lines_frame = _lines(text, data)
    lines = counted = lines_frame.get_column("line")
    d = re.escape(delimiter)
    field = f"[^{d}]*"
    if '"' in text:
        # Quotes only around whole fields, none holding a delimiter (the usual case, such
        # as `""` for an empty text): every delimiter then separates fields as it stands.
        field = f'"(?:[^"{d}]|"")*"|[^"{d}]*'
        if not lines.str.contains(f"^(?:{field})(?:{d}(?:{field}))*$").all():
            field = f'"(?:[^"]|"")*"|[^"{d}]*'
            if not lines.str.contains(f"^(?:{field})(?:{d}(?:{field}))*$").all():
                return _split_with_csv(text, delimiter, keep)
            counted = lines.str.replace_all('"(?:[^"]|"")*"', "")
    counts = counted.str.count_matches(delimiter, literal=True) + 1
    width = min(int(counts.max() or 0), keep)
    if width == 0:
        return _records_frame([], 0), None
    if (counts > keep).any():
        # Polars reads a line's every field before it can leave any out, so the lines too
        # wide are cut after their first `keep` fields before it reads them.
        kept = f"^(?:{field})(?:{d}(?:{field})){{0,{keep - 1}}}"
        lines = lines.zip_with(counts <= keep, lines.str.extract(kept, 0))
        data = lines.str.join("\n").item().encode()
    names = [f"f{i}" for i in range(width)]
    # Polars skips empty lines as the frame above does, so rows stay aligned (checked).
    cells = pl.read_csv(
        data,
        has_header=False,
        separator=delimiter,
        quote_char='"',
        schema=dict.fromkeys(names, pl.String),
        missing_columns="insert",
    )
    if cells.height != lines_frame.height:
        return _split_with_csv(text, delimiter, keep)
    frame = pl.concat(
        [lines_frame.select(ROW), counts.cast(pl.Int64).alias(FIELDS).to_frame(), cells],
        how="horizontal",
    )
    return frame, None


def _lines(text: str, data: bytes) -> pl.DataFrame:
    """Each non-empty line with its number. Polars reads lines fastest as a one-column
    CSV (the unit separator never occurs: control characters are refused on
    decoding), but drops empty lines; when it did, the lines are split again
    in a way that keeps every line's number."""
    lines = pl.read_csv(
        data, has_header=False, separator="\x1f", quote_char=None, schema={"line": pl.String}
    ).get_column("line")
    if lines.len() != text.count("\n") + (not text.endswith("\n")):
        lines = pl.Series("line", [text]).str.split("\n").explode()
    return (
        lines.str.strip_suffix("\r")
        .to_frame()
        .with_row_index(ROW, offset=1)
        .filter(pl.col("line").is_not_null() & (pl.col("line") != ""))
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


def _split_with_csv(text: str, delimiter: str, keep: int) -> tuple[pl.DataFrame, int | None]:
    """The records as the csv module reads them. It hands over each record whole, so a
    wide one is a long list for a moment; only its first `keep` values stay."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, int, list[str]]] = []
    index = 0
    open_quote_row = None
    try:
        for index, record in enumerate(reader, start=1):
            if record:
                records.append((index, len(record), record[:keep]))
    except csv.Error:
        open_quote_row = index + 1
    width = max((len(values) for _, _, values in records), default=0)
    return _records_frame(records, width), open_quote_row


def _records_frame(records: list[tuple[int, int, list[str]]], width: int) -> pl.DataFrame:
    """(row, number of fields, the values kept) of each record as a frame of `width`
    value columns."""
    data: dict[str, list[object]] = {
        ROW: [row for row, _, _ in records],
        FIELDS: [fields for _, fields, _ in records],
    }
    for i in range(width):
        data[f"f{i}"] = [values[i] if i < len(values) else None for _, _, values in records]
    schema = {ROW: pl.Int64, FIELDS: pl.Int64, **{f"f{i}": pl.String for i in range(width)}}
    return pl.DataFrame(data, schema=schema)


def read_records(data: bytes, schema: Schema, limits: Limits = DEFAULT_LIMITS) -> Records:
    """The records of a CSV export or of the filled workbook template, told apart by
    content: the portal and the inbox name files themselves, and a contact may
    name a workbook `.csv`. Raises `Unreadable` when there are none to read."""
    if is_workbook(data, limits):
        frame, sheet = read_workbook(data, schema, limits)
        return Records(_stripped(frame), WORKBOOK, sheet=sheet)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    keep = limits.max_columns + 1
    header = _wide_header(text, delimiter, keep)
    if header is not None:
        return Records(_stripped(header), encoding, delimiter)
    frame, open_quote_row = split_records(text, delimiter, keep)
    return Records(_stripped(frame), encoding, delimiter, open_quote_row=open_quote_row)


def _wide_header(text: str, delimiter: str, keep: int) -> pl.DataFrame | None:
    """The header alone, as `split_records` gives it, when the file opens (after blank
    lines, if any) with a line of more than `keep` fields and no quotation mark: the
    file is refused by its header, so the rest is not split, and the header itself
    is counted in place rather than copied whole. None for any other file."""
    start = row = 0
    while text.startswith(("\n", "\r\n"), start):
        start = text.index("\n", start) + 1
        row += 1
    end = text.find("\n", start)
    stop = len(text) if end < 0 else end - (text[end - 1] == "\r")
    if text.find('"', start, stop) >= 0 or text.find("\r", start, stop) >= 0:
        return None
    fields = text.count(delimiter, start, stop) + 1
    if fields <= keep:
        return None
    cut = start - 1
    for _ in range(keep):
        cut = text.find(delimiter, cut + 1)
    return _records_frame([(row + 1, fields, text[start:cut].split(delimiter))], keep)


def _stripped(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as a spreadsheet shows them, without the padding exports add; rows left
    with no value are dropped, keeping the others' row numbers. A row cut short by the
    columns kept stays: what was cut off is unknown, and it is too wide anyway."""
    fields = [c for c in frame.columns if c not in (ROW, FIELDS)]
    return frame.with_columns(pl.col(f).str.strip_chars().replace("", None) for f in fields).filter(
        pl.any_horizontal(pl.col(f).is_not_null() for f in fields) | (pl.col(FIELDS) > len(fields))
        if fields
        else False
    )


def is_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether the bytes are an XLSX workbook that is safe to expand: False for a file
    that does not start as a zip, `Unreadable` for any other zip. Only the zip's
    directory is read here, so a zip bomb is refused by the sizes it declares
    (which `zipfile` then holds every member to) before any member is expanded."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Unreadable("binary_file") from exc
    if not set(archive.namelist()) >= WORKBOOK_MEMBERS:
        raise Unreadable("binary_file")
    members = archive.infolist()
    too_large = Unreadable(
        "workbook_too_large", expected=f"{limits.max_unpacked_bytes / 2**20:.0f}"
    )
    if len(members) > limits.max_workbook_members:
        raise too_large
    if sum(m.file_size for m in members) > limits.max_unpacked_bytes:
        raise too_large
    for member in members:
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_PACKING_RATIO * packed:
            raise too_large
    return True


def read_workbook(data: bytes, schema: Schema, limits: Limits) -> tuple[pl.DataFrame, str | None]:
    """The records of the one sheet that holds a submission, and its name.

    The template has a sheet per kind and one of allowed values: the sheet read is
    the one whose header names a contract and which holds rows. Both kinds filled
    in one file is refused, as one file is one submission. With no rows anywhere,
    the first recognised sheet is read as a header-only file; with no recognised
    header, the first sheet with any content is, to be refused by its header."""
    from openpyxl import load_workbook

    sheets: list[tuple[str, list[tuple[int, int, list[str | None]]]]] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                # Writers' stated dimensions can be wrong or huge; rows are read as stored.
                sheet.reset_dimensions()
                sheets.append((sheet.title, _sheet_records(sheet, limits.max_columns + 1)))
        finally:
            book.close()
    # openpyxl raises whatever its parsers meet in a damaged or hostile workbook.
    except Exception as exc:
        raise Unreadable("workbook_unreadable") from exc
    recognised = [
        (title, records)
        for title, records in sheets
        if records and recognise_kind([(v or "").lower() for v in records[0][2]], schema)
    ]
    filled = [(title, records) for title, records in recognised if len(records) > 1]
    if len(filled) > 1:
        raise Unreadable("workbook_several_sheets", value=", ".join(t for t, _ in filled))
    chosen = filled or recognised or [(t, r) for t, r in sheets if r]
    if not chosen:
        return _workbook_frame([], 0), None
    title, records = chosen[0]
    return _workbook_frame(records, limits.max_columns + 1), title


def _sheet_records(sheet: ReadOnlyWorksheet, width: int) -> list[tuple[int, int, list[str | None]]]:
    """(row, position of the last value, the first `width` values as text) of each row
    holding a value. Values past `width` are neither kept nor turned into text, only
    the last one's position is found, so a sheet written wide cannot fill memory."""
    records = []
    for row, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        last = next((i for i in range(len(values), 0, -1) if cell_text(values[i - 1])), 0)
        if last:
            records.append((row, last, [cell_text(v) for v in values[:width]]))
    return records


def _workbook_frame(records: list[tuple[int, int, list[str | None]]], width: int) -> pl.DataFrame:
    """A sheet's records as `split_records` gives a CSV's. A row is as wide as the
    header at least (empty cells at its end are not missing fields, as a CSV's
    trailing delimiters are); a value past the header still makes it ragged."""
    header_width = records[0][1] if records else 0
    widths = [last for _, last, _ in records]
    data: dict[str, list[object]] = {
        ROW: [row for row, _, _ in records],
        FIELDS: widths[:1] + [max(last, header_width) for last in widths[1:]],
    }
    kept = min(width, max((len(values) for _, _, values in records), default=0))
    for i in range(kept):
        data[f"f{i}"] = [values[i] if i < len(values) else None for _, _, values in records]
    schema = {ROW: pl.Int64, FIELDS: pl.Int64, **{f"f{i}": pl.String for i in range(kept)}}
    return pl.DataFrame(data, schema=schema)


def cell_text(value: object) -> str | None:
    """A cell's value as the contact sees it and a CSV export of it would write it:
    whole numbers without `.0`, dates as ISO dates (which the parser accepts),
    times as hours and minutes."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    return str(value)


def recognise_kind(header: list[str], schema: Schema) -> Contract | None:
    """The contract whose required columns the header covers best, if at least half."""
    best, best_score = None, 0.0
    for contract in schema.contracts.values():
        names = {contract.header_lookup().get(h) for h in header}
        required = contract.required_columns
        score = sum(1 for c in required if c in names) / len(required)
        if score > best_score:
            best, best_score = contract, score
    return best if best_score >= 0.5 else None


def read_table(data: bytes, schema: Schema, lang: str, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    """Turn bytes into a RawTable; problems of the file as a whole are fatal issues."""
    if len(data) > limits.max_bytes:
        issue = make_issue(
            schema,
            "file_too_large",
            lang,
            found=f"{len(data) / MIB:.1f}",
            expected=f"{limits.max_bytes / MIB:.0f}",
        )
        return RawTable(None, [], issues=[issue])
    try:
        read = read_records(data, schema, limits)
    except Unreadable as exc:
        issue = make_issue(schema, exc.rule, lang, value=exc.value, **exc.params)
        return RawTable(None, [], issues=[issue])
    records = read.frame
    if records.height == 0:
        return RawTable(None, [], issues=[make_issue(schema, "file_empty", lang)])
    header_row, header_fields = records.item(0, ROW), records.item(0, FIELDS)
    header = [v or "" for v in records.row(0)[2 : 2 + header_fields]]
    while header and not header[-1]:
        header.pop()
    # Records keep only a little more than the limit, but count every field (in a CSV
    # empty ones too, as a row's are: a header of a million delimiters is no header).
    wide = header_fields > limits.max_columns
    contract = None if wide else recognise_kind([h.lower() for h in header], schema)
    if contract is None:
        if wide:
            issue = make_issue(
                schema,
                "too_many_columns",
                lang,
                row=header_row,
                found=header_fields,
                expected=limits.max_columns,
            )
        else:
            issue = _kind_unrecognised(schema, lang, header_row)
        return RawTable(
            None,
            header,
            issues=[issue],
            encoding=read.encoding,
            delimiter=read.delimiter,
            sheet=read.sheet,
        )
    return _table(read, header, header_row, contract, schema, lang, limits)


def _kind_unrecognised(schema: Schema, lang: str, row: int) -> Issue:
    """No header name was recognised, so the names offered are those of the reader's
    language."""
    expected = in_each_language(
        lambda lg: "; ".join(
            f"{c.labels[lg]}: {', '.join(c.required_headers(lg))}"
            for c in schema.contracts.values()
        )
    )
    return make_issue(schema, "kind_unrecognised", lang, row=row, expected=expected)


def _table(
    read: Records,
    header: list[str],
    header_row: int,
    contract: Contract,
    schema: Schema,
    lang: str,
    limits: Limits,
) -> RawTable:
    """The records under a recognised header as the contract's columns, with the header's
    issues and those of rows too wide or too narrow to read."""
    records = read.frame
    fields = [c for c in records.columns if c not in (ROW, FIELDS)]
    lookup = contract.header_lookup()
    names = [lookup.get(h.lower(), h) for h in header]
    language = header_language(header, contract, lang)
    written = {c.name: contract.header(c, language) for c in contract.columns}
    written.update(zip(names, header, strict=True))
    body = records.slice(1)
    # A row of more fields than a file may have columns is too wide, whatever they hold:
    # only its first fields were kept. Excel writes empty cells past the last column, so
    # below that only written values make a row ragged.
    too_wide = pl.col(FIELDS) > limits.max_columns
    spill = [pl.col(f).is_not_null() for f in fields[len(names) :]]
    ragged = ~too_wide & (
        (pl.col(FIELDS) < len(names)) | (pl.any_horizontal(spill) if spill else False)
    )
    wide = body.filter(too_wide).select(ROW, FIELDS)
    flagged = body.filter(ragged).select(ROW, FIELDS)
    table = RawTable(
        contract.kind,
        names,
        cells=body.filter(~too_wide & ~ragged).select(ROW, *fields[: len(names)]),
        encoding=read.encoding,
        delimiter=read.delimiter,
        language=language,
        written=written,
        sheet=read.sheet,
    )
    table.issues.extend(_header_issues(table, header_row, contract, schema, lang))
    for row, found in wide.iter_rows():
        table.issues.append(
            make_issue(
                schema, "row_too_wide", lang, row=row, found=found, expected=limits.max_columns
            )
        )
    for row, found in flagged.iter_rows():
        table.issues.append(
            make_issue(schema, "ragged_row", lang, row=row, found=found, expected=len(names))
        )
    if read.open_quote_row is not None:
        table.issues.append(make_issue(schema, "unterminated_quote", lang, row=read.open_quote_row))
    return table


def header_language(header: list[str], contract: Contract, preferred: str) -> str:
    """The language whose header names the file uses most (the canonical names are the
    English ones); a tie goes to the language of the messages."""
    written = {h.strip().lower() for h in header}
    votes = {
        lang: sum(contract.header(c, lang).lower() in written for c in contract.columns)
        for lang in LANGUAGES
    }
    return max(LANGUAGES, key=lambda lang: (votes[lang], lang == preferred))


def _header_issues(
    table: RawTable, row: int, contract: Contract, schema: Schema, lang: str
) -> list[Issue]:
    """Column problems, each column named as the file wrote it or, when missing, in the
    file's language; the allowed columns are listed in that language too. A header
    holding personal data rejects the file as a value holding it does (it cannot be
    a column the contract knows); it is named masked, as every header is."""
    issues = []
    allowed = contract.column_names
    shown = table.written
    seen: set[str] = set()
    for name in table.header:
        if name in seen:
            issues.append(
                make_issue(schema, "duplicate_column", lang, row=row, column=name, headers=shown)
            )
        elif name not in allowed and (found := find_personal_data(name)):
            issues.append(
                personal_data_issue(
                    schema, "personal_data_header", lang, found, row=row, column=name
                )
            )
        elif name not in allowed:
            issues.append(
                make_issue(
                    schema,
                    "unknown_column",
                    lang,
                    row=row,
                    column=name or '""',
                    expected=", ".join(shown[c] for c in allowed),
                )
            )
        seen.add(name)
    for name in contract.required_columns:
        if name not in table.header:
            issues.append(
                make_issue(schema, "missing_column", lang, row=row, column=name, headers=shown)
            )
    return issues
