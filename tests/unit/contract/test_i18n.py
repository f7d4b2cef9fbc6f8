"""Plural forms: chosen by CLDR's rules through Babel, written as data in the YAML."""

import pytest

from pipelines.contract.i18n import Text, load_text, plural_category


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_babel_decides_the_category_of_a_count(lang):
    assert plural_category(lang, 1) == "one"
    assert [plural_category(lang, n) for n in (0, 2, 21, 1753)] == ["other"] * 4


def test_a_number_written_for_a_reader_is_read_back_in_its_language():
    """The report passes its numbers formatted (`1 753`): the form follows the number."""
    assert plural_category("fi", "1") == "one"
    assert plural_category("fi", "1\u00a0753") == "other"
    assert plural_category("en", "1,001") == "other"
    assert plural_category("fi", "..") == "other"


def test_nested_counts_choose_a_form_each():
    text = Text(
        "t",
        {"en": {"one": {"one": "{a} x, {b} y", "other": "{a} x, {b} ys"}, "other": {}}},
        ("a", "b"),
    )
    assert text.format("en", a=1, b=1) == "1 x, 1 y"
    assert text.format("en", a=1, b=3) == "1 x, 3 ys"


def test_a_text_lacking_a_form_or_a_language_is_refused_when_loaded():
    forms = {"fi": "{n} riviä", "sv": "{n} rader", "en": "{n} rows"}
    assert load_text("ok", forms).format("en", n=2) == "2 rows"
    with pytest.raises(ValueError, match="plural forms"):
        load_text("bad", {**forms, "count": "n"})
    with pytest.raises(ValueError, match="plural forms"):
        load_text("bad", {"count": "n", **{k: {"one": v} for k, v in forms.items()}})
    with pytest.raises(ValueError, match="no sv"):
        load_text("bad", {"fi": "a", "en": "b"})


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "1 rivi; 1 virhe, 1 varoitus", "2 riviä; 0 virhettä, 3 varoitusta"),
        ("sv", "1 rad; 1 fel, 1 varning", "2 rader; 0 fel, 3 varningar"),
        ("en", "1 row; 1 error, 1 warning", "2 rows; 0 errors, 3 warnings"),
    ],
)
def test_verdict_counts_are_singular_and_plural(schema, lang, one, other):
    def counts(rows: int, errors: int, warnings: int) -> str:
        return "; ".join(
            [
                schema.text("rows_count", lang, n=rows),
                ", ".join(
                    [
                        schema.text("errors_count", lang, n=errors),
                        schema.text("warnings_count", lang, n=warnings),
                    ]
                ),
            ]
        )

    assert counts(1, 1, 1) == one
    assert counts(2, 0, 3) == other


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "Rivillä on 1 kenttä,", "Rivillä on 3 kenttää,"),
        ("sv", "Raden har 1 fält,", "Raden har 3 fält,"),
        ("en", "The row has 1 field;", "The row has 3 fields;"),
    ],
)
def test_messages_with_a_count_are_singular_and_plural(schema, lang, one, other):
    assert schema.message("ragged_row", lang, found=1, expected=16).startswith(one)
    assert schema.message("ragged_row", lang, found=3, expected=16).startswith(other)


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "Kuukausi 12 puuttuu.", "2 kuukautta puuttuu: 11, 12."),
        ("sv", "Månad 12 saknas.", "2 månader saknas: 11, 12."),
        ("en", "Month 12 is missing.", "2 months are missing: 11, 12."),
    ],
)
def test_missing_months_are_counted_in_words(schema, lang, one, other):
    assert schema.message("incomplete_months", lang, value="12", found=1).startswith(one)
    assert schema.message("incomplete_months", lang, value="11, 12", found=2).startswith(other)
