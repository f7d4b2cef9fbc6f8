"""Property-based tests: the identity-code detector and the reader's robustness."""

import string
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.contract.privacy import (
    CANDIDATE_RE,
    CHECK_CHARS,
    PATTERNS,
    find_hetus,
    find_personal_data,
    mask_personal_data,
)
from pipelines.contract.schema import load_schema
from pipelines.ingest.reader import read_table
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import FIXTURES, GOOD_ROW, TODAY
from tests.workbooks import filled_template

SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}
SCHEMA = load_schema()


@st.composite
def hetus(draw):
    born = draw(st.dates(min_value=date(1850, 1, 1), max_value=date(2025, 12, 31)))
    sign = draw(st.sampled_from(SIGNS[born.year // 100 * 100]))
    individual = draw(st.integers(2, 899))
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{CHECK_CHARS[int(digits) % 31]}"


@given(code=hetus(), before=st.text(max_size=20), after=st.text(max_size=20))
def test_valid_codes_are_always_found_and_masked(code, before, after):
    text = f"{before} {code} {after}"
    assert code in [m.group(0) for m in find_hetus(text)]
    assert code not in mask_personal_data(text)


PHONE_LIKE = st.from_regex(
    r"(\+358[ -]?[1-9]|0[0-9])[0-9]{0,2}[ -]?[0-9]{3}[ -]?[0-9]{3,4}", fullmatch=True
)
# Phone numbers in every way `schemas/personal_data.yaml` says they are written.
PHONES = st.one_of(
    *(st.from_regex(p.candidate, fullmatch=True) for p in PATTERNS if p.kind == "phone")
)


@settings(max_examples=300)
@given(
    piece=st.one_of(hetus(), PHONE_LIKE, PHONES, st.emails()),
    before=st.text(alphabet="ab0+- _@.\n", max_size=6),
    after=st.text(alphabet="ab0+- _@.\n", max_size=6),
)
def test_the_vectorised_filter_lets_every_piece_of_personal_data_through(piece, before, after):
    """The Polars pre-filter may pass harmless text but must never hide a real match."""
    text = before + piece + after
    if find_personal_data(text):
        assert pl.Series([text]).str.contains(CANDIDATE_RE).item()


@settings(max_examples=300)
@given(piece=PHONES, before=st.sampled_from(["", " ", "puh", "tel_", "p."]))
def test_every_phone_number_the_patterns_describe_is_found_and_masked(piece, before):
    text = f"{before}{piece} soitti"
    assert find_personal_data(text)
    assert piece not in mask_personal_data(text)


@settings(max_examples=300)
@given(
    pieces=st.lists(st.one_of(hetus(), PHONES, st.emails()), max_size=3),
    filler=st.lists(st.text(alphabet="ab0+- _@.\n", max_size=4), min_size=4, max_size=4),
)
def test_masking_a_masked_text_changes_nothing(pieces, filler):
    text = "".join(f + p for f, p in zip(filler, [*pieces, ""], strict=False))
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


def test_identifiers_with_a_leading_zero_are_not_candidates():
    assert not pl.Series(["05-00000001", "INC-0401"]).str.contains(CANDIDATE_RE).any()


@given(code=hetus(), wrong=st.sampled_from(CHECK_CHARS))
def test_checksum_invalid_lookalikes_are_not_found(code, wrong):
    if wrong == code[-1]:
        return
    assert find_hetus(f"id {code[:-1]}{wrong} ok") == []


@given(st.dates(min_value=date(1900, 1, 1)), st.integers(0, 999))
def test_impossible_dates_are_not_codes(born, individual):
    day_after_month_end = (born.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
    bad = f"{day_after_month_end.day + 1:02d}{born:%m}{born.year % 100:02d}"
    digits = f"{bad}{individual:03d}"
    assert find_hetus(f"{bad}-{individual:03d}{CHECK_CHARS[int(digits) % 31]}") == []


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_always_end_in_a_verdict(data):
    table = read_table(data, SCHEMA, "en")
    assert table.kind is not None or table.fatal


VALID = (FIXTURES / "corpus" / "canonical.csv").read_bytes()


@st.composite
def mutated(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert"]))
        byte = draw(st.sampled_from(list(b',;"\n\r\t\x00\xff') + list(string.printable.encode())))
        if action == "flip":
            data[position] = byte
        elif action == "delete":
            del data[position]
        else:
            data.insert(position, byte)
    return bytes(data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_files_always_end_in_a_verdict(data):
    [verdict] = validate_files(
        [SubmissionFile("m.csv", data, "05", 2023)], SCHEMA, lang="en", today=TODAY
    )
    assert verdict.accepted or verdict.issues
    assert all(i.severity in {"fatal", "error", "warning"} for i in verdict.issues)


WORKBOOK = filled_template(SCHEMA, "fi", {"incidents": [GOOD_ROW.split(",")]})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=6))
def test_damaged_workbooks_always_end_in_a_verdict(changes):
    data = bytearray(WORKBOOK)
    for position, byte in changes:
        data[position] = byte
    table = read_table(bytes(data), SCHEMA, "en")
    assert table.kind is not None or table.fatal
