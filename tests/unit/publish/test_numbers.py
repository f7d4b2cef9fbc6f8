from pipelines.publish.numbers import NBSP, fmt_number, fmt_percent, fmt_signed


def test_finnish_and_swedish_use_decimal_comma_and_no_break_space():
    assert fmt_number(1753.04, "fi", 1) == f"1{NBSP}753,0"
    assert fmt_number(636339, "sv") == f"636{NBSP}339"
    assert fmt_number(0.5705, "fi", 2) == "0,57"


def test_english_uses_point_and_comma():
    assert fmt_number(1753.04, "en", 1) == "1,753.0"


def test_missing_values_get_a_symbol():
    assert fmt_number(None, "fi") == "."
    assert fmt_number(None, "fi", missing="..") == ".."


def test_signed_changes_use_a_true_minus():
    assert fmt_signed(29, "fi") == "+29"
    assert fmt_signed(-0.034, "fi", 2) == "−0,03"
    assert fmt_signed(0, "en") == "±0"


def test_percentages_carry_their_sign_as_each_language_writes_it():
    assert fmt_percent(29.3, "fi") == f"29{NBSP}%"
    assert fmt_percent(29.34, "sv", 1) == f"29,3{NBSP}%"
    assert fmt_percent(29.3, "en") == "29%"
