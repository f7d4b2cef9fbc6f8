"""Plausibility checks at and around each threshold, with hand-computed figures.

Region 05 files for 2024 against a history of earlier years given as plain data,
through `validate_files` as the pipeline and the portal call it.
"""

import re
from dataclasses import replace
from string import Formatter

import pytest

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.schema import load_schema
from pipelines.settings import DEFAULT_PLAUSIBILITY, load_settings
from pipelines.validate.verdict import SubmissionFile, Verdict, validate_files
from tests.conftest import INCIDENT_HEADER, TODAY

RULES = {
    "incidents_changed",
    "incidents_zero",
    "missions_changed",
    "missions_month_off",
    "share_off",
}


def incidents(types: dict[str, int]) -> bytes:
    """An incidents file of 2024 with `types[t]` incidents of type t."""
    rows = [INCIDENT_HEADER]
    for t, n in types.items():
        rows += [
            f"{t}{i},05,2024-03-01,07:05,A,{t},patient,alcohol,ambulance,no,no,yes,none,,2,"
            for i in range(n)
        ]
    return ("\n".join(rows) + "\n").encode()


def missions(months: list[int]) -> bytes:
    rows = ["region_code,year,month,missions"]
    rows += [f"05,2024,{m},{n}" for m, n in enumerate(months, start=1)]
    return ("\n".join(rows) + "\n").encode()


def year(n: int, verbal: int | None = None, mild: int = 0) -> dict:
    codes = {"verbal": n - mild if verbal is None else verbal, "physical_mild": mild}
    return {"incidents": n, "codes": {"incident_type": {k: v for k, v in codes.items() if v}}}


def verdict(data: bytes, history: dict | None, lang: str = "en", **thresholds) -> Verdict:
    [v] = validate_files(
        [SubmissionFile("f.csv", data, "05", 2024)],
        load_schema(),
        lang=lang,
        today=TODAY,
        evaluator="polars",
        history=history,
        plausibility=replace(DEFAULT_PLAUSIBILITY, **thresholds),
    )
    assert v.accepted
    return v


def found(v: Verdict) -> list[tuple[str, str | None]]:
    return [(i.rule, i.value) for i in v.issues if i.rule in RULES]


@pytest.mark.parametrize(
    ("before", "now", "flagged"),
    [
        (20, 41, True),  # more than twice and 21 apart
        (20, 40, False),  # exactly twice is not more than twice
        (5, 12, False),  # more than twice, but only 7 apart
        (20, 9, True),  # less than half and 11 apart
        (20, 10, False),  # exactly half
        (30, 41, False),  # 11 apart but far from twice
    ],
)
def test_incidents_changed_by_more_than_a_factor_and_ten(before, now, flagged):
    v = verdict(incidents({"verbal": now}), {"05": {"2023": year(before)}})
    assert found(v) == ([("incidents_changed", str(now))] if flagged else [])


def test_incidents_compare_with_the_latest_earlier_year_in_force_not_a_later_one():
    history = {"05": {"2021": year(100), "2022": year(20), "2025": year(100)}}
    [issue] = [i for i in verdict(incidents({"verbal": 41}), history).issues if i.rule in RULES]
    assert "against 20 in 2022" in issue.message
    assert (issue.row, issue.column, issue.severity) == (None, None, "warning")


def test_the_threshold_comes_from_the_settings():
    v = verdict(incidents({"verbal": 41}), {"05": {"2023": year(20)}}, incidents_factor=3.0)
    assert found(v) == []


@pytest.mark.parametrize(("before", "flagged"), [(10, True), (9, False), (0, False)])
def test_zero_incidents_after_a_year_of_ten_or_more(before, flagged):
    v = verdict(incidents({}), {"05": {"2023": year(before)}})
    assert found(v) == ([("incidents_zero", "0")] if flagged else [])
    assert "no_rows" in {i.rule for i in v.issues}


@pytest.mark.parametrize(("month", "flagged"), [(125, False), (126, True), (75, False), (74, True)])
def test_missions_total_changed_by_more_than_a_quarter(month, flagged):
    history = {"05": {"2023": {"missions": 1200, "monthly_missions": {}}}}
    v = verdict(missions([month] * 12), history)
    total = str(month * 12)  # 1500 is +25 % exactly, 1512 is +26 %; 900 −25 %, 888 −26 %
    assert found(v) == ([("missions_changed", total)] if flagged else [])


@pytest.mark.parametrize(("odd", "flagged"), [(150, False), (151, True), (50, False), (49, True)])
def test_a_month_more_than_half_off_the_files_median_month(odd, flagged):
    # Eleven months of 100 and one odd one: the median month is 100.
    v = verdict(missions([100] * 6 + [odd] + [100] * 5), {})
    issues = [i for i in v.issues if i.rule in RULES]
    if not flagged:
        assert issues == []
        return
    [issue] = issues
    assert (issue.rule, issue.row, issue.column, issue.value) == (
        "missions_month_off", 8, "missions", str(odd),
    )  # fmt: skip
    assert issue.message.startswith(f"Month 7 has {odd} missions, against a median month of 100")


THREE_YEARS = {
    "05": {"2020": year(10, mild=10), "2021": year(10), "2022": year(10), "2023": year(10)}
}


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        # 2021–2023 pooled: 30 incidents, all verbal (100 %); 2020 is out of the window.
        ({"verbal": 8, "physical_mild": 2}, []),  # 80 %: exactly 20 points off
        (
            {"verbal": 7, "physical_mild": 3},
            [("share_off", "30"), ("share_off", "70")],  # 30 points off, both codes
        ),
        ({"verbal": 6, "physical_mild": 3}, []),  # 9 incidents: too few to judge shares
    ],
)
def test_a_share_far_from_the_regions_three_year_average(types, expected):
    assert sorted(found(verdict(incidents(types), THREE_YEARS))) == expected


def test_share_messages_name_the_code_and_both_shares():
    v = verdict(incidents({"verbal": 7, "physical_mild": 3}), THREE_YEARS)
    messages = sorted(i.message for i in v.issues if i.rule == "share_off")
    assert messages == [
        "Type of incident “Mild physical violence”: 30% of the file's incidents, against 0% "
        "on average in 2021–2023. Check the coding, or explain the change.",
        "Type of incident “Verbal or mental violence”: 70% of the file's incidents, against "
        "100% on average in 2021–2023. Check the coding, or explain the change.",
    ]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fi", "Tiedostossa on 41 tapahtumaa, kun alueen tapahtumamäärä vuonna 2023 oli 20."),
        ("sv", "Filen har 41 händelser, medan området år 2023 hade 20."),
        ("en", "The file has 41 incidents, against 20 in 2023."),
    ],
)
def test_messages_give_both_figures_in_each_language(lang, text):
    v = verdict(incidents({"verbal": 41}), {"05": {"2023": year(20)}}, lang=lang)
    [issue] = [i for i in v.issues if i.rule == "incidents_changed"]
    assert issue.message.startswith(text)
    assert not re.search(r"\d\s+\d", issue.message)


def test_no_message_puts_two_numbers_side_by_side(schema):
    """`kun alueella oli vuonna 2024 23` read as one number: every message, in each
    language and plural form, is filled with numbers for all its placeholders and must
    keep words (not only spaces) between any two of them."""

    def forms(form):
        return [form] if isinstance(form, str) else [f for v in form.values() for f in forms(v)]

    for name, rule in schema.rules.items():
        for lang in LANGUAGES:
            for form in forms(rule.messages.forms[lang]):
                fields = {f for _, f, _, _ in Formatter().parse(form) if f}
                text = form.format(**dict.fromkeys(fields, 2024))
                assert not re.search(r"\d\s+\d", text), (name, lang, text)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fi", "Vuoden tehtävämäärä on 1512 tehtävää, kun se vuonna 2023 oli 1200 (muutos +26 %)."),
        ("sv", "Årets antal uppdrag är 1512 uppdrag, mot 1200 uppdrag år 2023 (förändring +26 %)."),
        ("en", "The year has 1512 missions in all, against 1200 in 2023 (a change of +26%)."),
    ],
)
def test_missions_messages_give_both_figures_and_the_change(lang, text):
    history = {"05": {"2023": {"missions": 1200, "monthly_missions": {}}}}
    [issue] = [
        i for i in verdict(missions([126] * 12), history, lang=lang).issues if i.rule in RULES
    ]
    assert issue.message.startswith(text)


def test_no_history_no_plausibility_issues():
    assert found(verdict(incidents({"verbal": 41}), None)) == []
    assert found(verdict(missions([100] * 11 + [1000]), None)) == []


def test_a_region_without_earlier_years_gets_only_the_rules_within_its_file():
    others = {"06": {"2023": year(20)}}
    assert found(verdict(incidents({"verbal": 7, "physical_mild": 3}), others)) == []
    assert found(verdict(missions([100] * 11 + [1000]), others)) == [("missions_month_off", "1000")]


def test_plausibility_settings_from_the_file(tmp_path, monkeypatch):
    config = tmp_path / "evstats.toml"
    config.write_text("[evstats.plausibility]\nincidents_factor = 3\nshare_years = 2\n")
    monkeypatch.setenv("EVSTATS_CONFIG", str(config))
    settings = load_settings()
    assert settings.plausibility == replace(DEFAULT_PLAUSIBILITY, incidents_factor=3, share_years=2)
    config.write_text("[evstats.plausibility]\nfactor = 3\n")
    with pytest.raises(ValueError, match="unknown plausibility settings"):
        load_settings()


def test_every_rule_has_its_thresholds_in_the_settings(schema):
    for rule in schema.plausibility.values():
        assert schema.rules[rule.name].severity == "warning"
        for setting in rule.thresholds.values():
            assert hasattr(DEFAULT_PLAUSIBILITY, setting), (rule.name, setting)


def test_a_history_without_code_counts_gives_no_share_warning_and_no_error():
    """A history written before the share rule existed holds no code counts."""
    v = verdict(incidents({"verbal": 30}), {"05": {"2022": {"incidents": 30}}})
    assert v.accepted and found(v) == []
