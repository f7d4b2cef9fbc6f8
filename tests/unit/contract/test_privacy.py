import pytest

from pipelines.contract.privacy import find_hetus, is_valid_hetu, mask_personal_data


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


@pytest.mark.parametrize("text", ["040 123 4567", "+358 40 123 4567", "0401234567", "09-123 4567"])
def test_phone_numbers_are_found(text):
    from pipelines.contract.privacy import find_personal_data

    assert [kind for kind, _ in find_personal_data(f"soitti {text}.")] == ["phone"]


@pytest.mark.parametrize("text", ["05-00000001", "05-2023-0001", "2023-03-01", "12:30", "24000"])
def test_identifiers_dates_and_counts_are_not_phone_numbers(text):
    from pipelines.contract.privacy import find_personal_data

    assert find_personal_data(text) == []
