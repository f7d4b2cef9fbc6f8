"""The report's texts take their plural forms from the same resolver as the messages."""

import pytest

from pipelines.publish.texts import Texts


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "1 / 1 alue", "4 / 22 aluetta"),
        ("sv", "1 / 1 område", "4 / 22 områden"),
        ("en", "1 of 1 area", "4 of 22 areas"),
    ],
)
def test_report_texts_use_the_same_plural_forms(lang, one, other):
    t = Texts(lang)
    assert t("m_coverage_value", n=1, total=1) == one
    assert t("m_coverage_value", n=4, total=22) == other


def test_report_summary_agrees_with_both_of_its_counts():
    t = Texts("en")
    params = {"year": 2023, "one_per": "1,753.0", "rate": "0.57"}
    single = t("summary", incidents="1", regions=1, **params)
    assert "1 incident of threats or violence against EMS staff was reported" in single
    assert single.endswith("cover 1 area.")
    many = t("summary", incidents="1,753", regions=22, **params)
    assert "1,753 incidents of threats or violence against EMS staff were reported" in many
    assert many.endswith("cover 22 areas.")
    assert "ilmoitettiin 1 ensihoitohenkilöstöön kohdistunut" in Texts("fi")(
        "summary", incidents="1", regions=1, **params
    )


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "Kellonaika puuttuu 1 tilanteesta.", "Kellonaika puuttuu 18 tilanteesta."),
        ("sv", "Klockslag saknas för 1 situation.", "Klockslag saknas för 18 situationer."),
        ("en", "Time missing for 1 incident.", "Time missing for 18 incidents."),
    ],
)
def test_heat_map_note_on_missing_times_agrees_with_its_count(lang, one, other):
    t = Texts(lang)
    assert t("heatmap_unknown_time", unknown="1") == one
    assert t("heatmap_unknown_time", unknown="18") == other


@pytest.mark.parametrize(
    ("lang", "one", "other"),
    [
        ("fi", "2023: 1 tilanne, 0,50 / 1 000", "2023: 12 tilannetta, 0,50 / 1 000"),
        ("sv", "2023: 1 situation, 0,50 / 1 000", "2023: 12 situationer, 0,50 / 1 000"),
        ("en", "2023: 1 incident, 0.50 per 1,000", "2023: 12 incidents, 0.50 per 1,000"),
    ],
)
def test_trend_chart_description_agrees_with_its_count(lang, one, other):
    t = Texts(lang)
    rate = "0.50" if lang == "en" else "0,50"
    assert t("desc_trend_point", year=2023, count="1", rate=rate) == one
    assert t("desc_trend_point", year=2023, count="12", rate=rate) == other
