import polars as pl
import pytest
import yaml

from pipelines.contract.privacy import (
    CANDIDATE_RE,
    find_hetus,
    find_personal_data,
    is_valid_hetu,
    load_patterns,
    mask_personal_data,
)
from pipelines.contract.schema import load_schema
from tests.conftest import FIXTURES

CORPUS = yaml.safe_load((FIXTURES / "personal_data.yaml").read_text(encoding="utf-8"))
FOUND = [(kind, text, masked) for kind, pairs in CORPUS["found"].items() for text, masked in pairs]


@pytest.mark.parametrize(
    "code",
    ["131052-308T", "010101A123N", "311299-999E"],
)
def test_checksum_valid_codes_are_found(code):
    # 131052308 % 31 = 25 -> 'T'; 010101123 % 31 = 21 -> 'N'
    assert [m.group(0) for m in find_hetus(f"potilas {code} uhkasi")] == [code]


def test_checksum_invalid_lookalike_is_not_flagged():
    assert find_hetus("131052-308A") == []
    assert not is_valid_hetu("131052", "-", "308", "A")


def test_impossible_date_is_not_a_code():
    assert not is_valid_hetu("310252", "-", "308", "T")


def test_mask_keeps_the_date_part_only():
    assert mask_personal_data("id 131052-308T ok") == "id 131052-**** ok"
    assert mask_personal_data("no codes here 12345") == "no codes here 12345"


@pytest.mark.parametrize(("kind", "text", "masked"), FOUND)
def test_each_way_of_writing_it_is_found_and_masked(kind, text, masked):
    assert [k for k, _ in find_personal_data(text)] == [kind]
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(("kind", "text", "masked"), FOUND)
def test_it_is_found_inside_a_sentence_too(kind, text, masked):
    assert [k for k, _ in find_personal_data(f"soitti {text}, kiitos.")] == [kind]
    assert mask_personal_data(f"soitti {text}, kiitos.") == f"soitti {masked}, kiitos."


def test_the_vectorised_filter_passes_every_corpus_entry():
    texts = pl.Series([text for _, text, _ in FOUND])
    assert texts.str.contains(CANDIDATE_RE).all()


@pytest.mark.parametrize("text", CORPUS["not_found"])
def test_statistics_values_are_not_personal_data(text):
    assert find_personal_data(text) == []
    assert find_personal_data(f"tunnus {text} kirjattu") == []
    assert mask_personal_data(text) == text


def test_incident_numbers_as_the_demo_and_the_benchmark_write_them_are_not_flagged():
    """`{region}-{year}-{n:04d}` (pipelines/contract/demo.py) and `{region}-{n:08d}`
    (benchmarks/generate.py, fewer than a million rows a region) for every region: the
    year and running number are the subscriber part of `09 2023 1234` only when written
    with spaces, and a running number padded with zeros starts with 0, as no
    subscriber number does."""
    regions = load_schema().codelists["regions"].codes
    ids = [f"{r}-{y}-{n:04d}" for r in regions for y in range(2014, 2027) for n in (1, 1234, 9999)]
    ids += [f"{r}-{n:08d}" for r in regions for n in (1, 123456, 999999)]
    assert [i for i in ids if find_personal_data(i)] == []
    assert not pl.Series(ids).str.contains(CANDIDATE_RE).any()


def test_a_file_name_of_pieces_glued_with_underscores_is_masked_in_every_piece():
    name = "matti_131052-308T_matti@example.fi_040 1234567.csv"
    assert mask_personal_data(name) == "matti_131052-****_***@example.fi_040 ****.csv"
    assert [kind for kind, _ in find_personal_data(name)] == ["hetu", "email", "phone"]


def test_a_sheet_name_is_masked_without_the_star_excel_refuses():
    assert mask_personal_data("Matti 040 1234567 131052-308T", "•") == "Matti 040 •••• 131052-••••"


def test_a_masked_text_is_left_as_it_is():
    masked = mask_personal_data("a@b.fi@c.fi, 131052-308T ja 040 123 4567")
    assert masked == "***@b.fi@c.fi, 131052-**** ja 040 ****"
    assert mask_personal_data(masked) == masked


def test_fragments_that_refer_to_each_other_are_refused(tmp_path):
    path = tmp_path / "personal_data.yaml"
    path.write_text(
        "fragments: {a: '{{b}}', b: '{{a}}'}\n"
        "kinds: {phone: {patterns: ['{{a}}'], mask: '****'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="cycle"):
        load_patterns(path)
