"""The view names and describes each chart from published values only, and puts the
numbers behind every chart in a table beside it.

The year is written by hand: three areas (one published, one hidden by disclosure
control, one that sent nothing), seven incidents, one month and most heat-map
cells hidden."""

import pytest

from pipelines.contract.schema import Schema
from pipelines.publish.report_data import ReportData
from pipelines.publish.tables import Disclosure, Row
from pipelines.publish.view import build_view

NATIONAL: Row = {
    "year": 2023,
    "incidents": 7,
    "missions": 14000,
    "incidents_per_1000_missions": 0.5,
    "missions_per_incident": 2000.0,
    "regions_reporting": 2,
}


def region(code: str, incidents: int | None, rate: float | None, flag: str) -> Row:
    missions = None if flag == "not_submitted" else 7000
    return {
        "region_code": code,
        "incidents": incidents,
        "missions": missions,
        "incidents_per_1000_missions": rate,
        "missions_per_incident": None if incidents is None else 1400.0,
        "flag": flag,
    }


def breakdown(dimension: str, category: str, incidents: int | None) -> Row:
    percent = None if incidents is None else round(100 * incidents / 7, 1)
    flag = "suppressed" if incidents is None else ""
    return {
        "year": 2023,
        "dimension": dimension,
        "category": category,
        "incidents": incidents,
        "percent": percent,
        "flag": flag,
    }


def tiny_year(regions: list[Row]) -> ReportData:
    months = [breakdown("month", "1", 5), breakdown("month", "2", None)]
    months += [breakdown("month", str(m), 0) for m in range(3, 13)]
    heat: list[list[int | None]] = [[None, 0, 0, 0, 0, 0] for _ in range(7)]
    heat[4][5] = 4  # Friday 20–24
    return ReportData(
        year=2023,
        rules=Disclosure(),
        national=NATIONAL,
        previous=None,
        regions=regions,
        breakdowns=[
            breakdown("incident_type", "verbal", 5),
            breakdown("incident_type", "threat_with_weapon", None),
            *months,
        ],
        heatmap=heat,
        unknown_time=0,
        trend=[NATIONAL],
        quality=[],
        breaks={},
        version="test",
    )


THREE_AREAS = [
    region("05", 5, 0.5, "unreliable"),  # Southwest Finland
    region("07", None, None, "suppressed"),  # Kanta-Häme
    region("20", None, None, "not_submitted"),  # Kainuu
]


@pytest.fixture
def view_en(schema: Schema):
    return build_view(tiny_year(THREE_AREAS), schema, "en")


def test_chart_descriptions_say_what_each_chart_shows(view_en):
    described = {name: c.description for name, c in view_en.charts.items()}
    assert described == {
        "regions": "Horizontal bars: incidents per 1,000 EMS missions by area; the dashed line "
        "is the national rate of 0.50. The only published figure: Southwest Finland (0.50). "
        "Not published (..): 1. No data (.): 1.",
        "what": "Horizontal bars: each category's share of the year's incidents. Most common "
        "published category of each variable: Type of incident: Verbal or mental violence 71.4%.",
        "month": "Vertical bars: the number of incidents in each month. Highest published "
        "figure: January (5); lowest: March (0). Not published (..): 1.",
        "heatmap": "Grid: the number of incidents by weekday and time of day in 4-hour bands; "
        "the darker the cell, the more incidents. Highest published figure: Friday 20–24 (4); "
        "lowest: Monday 04–08 (0). Not published (..): 7.",
        "trend": "Bars: reported incidents by year; line: incidents per 1,000 missions. "
        "Figures: 2023: 7 incidents, 0.50 per 1,000.",
    }
    assert view_en.charts["heatmap"].title == "Incidents by weekday and time of day, 2023"


def test_every_chart_has_its_table(view_en):
    for section in view_en.sections:
        for chart in section.charts:
            assert [t for t in section.tables if t.chart == chart and t.rows], chart


def test_heat_map_table_shows_hidden_cells_as_the_suppression_symbol(schema: Schema):
    view = build_view(tiny_year(THREE_AREAS), schema, "fi")
    when = next(s for s in view.sections if s.key == "when")
    table = next(t for t in when.tables if t.chart == "heatmap")
    bands = ["00–04", "04–08", "08–12", "12–16", "16–20", "20–24"]
    assert table.header == ["Viikonpäivä", *[f"klo {b}" for b in bands]]
    assert table.rows[0] == ["maanantai", "..", "0", "0", "0", "0", "0"]
    assert table.rows[4] == ["perjantai", "..", "0", "0", "0", "0", "4"]
    assert "Kaikista tilanteista on kellonaika." in table.notes


def test_an_area_that_sent_nothing_is_not_available_not_hidden(view_en):
    regions = next(s for s in view_en.sections if s.key == "regions")
    rows = {r[0]: r for r in regions.tables[0].rows}
    assert rows["Kanta-Häme"][3] == ".."
    assert rows["Kainuu"][3] == "."
    assert any(
        note.startswith("The symbol . means not available") for note in regions.tables[0].notes
    )


def test_the_not_available_note_appears_only_when_an_area_is_missing(schema: Schema):
    view = build_view(tiny_year(THREE_AREAS[:2]), schema, "en")
    regions = next(s for s in view.sections if s.key == "regions")
    assert not any("not available" in note for note in regions.tables[0].notes)


def test_a_region_without_a_rate_has_one_symbol_in_table_chart_and_description(view_en):
    """The view decides once how a region without a published rate is marked: `..` where
    disclosure control hid it, `.` where the area sent nothing. The chart draws that
    symbol with its words instead of a bar; the table and the description agree."""
    chart = view_en.charts["regions"]
    assert chart.values["rows"] == [
        ("Southwest Finland", 0.5, True, None),
        ("Kanta-Häme", None, False, ".. not published"),
        ("Kainuu", None, False, ". no data"),
    ]
    assert chart.values["national"] == 0.5
    assert chart.values["national_label"] == "National 0.50"
    assert chart.values["unreliable_label"] == "Unreliable (fewer than 20 incidents)"
    regions = next(s for s in view_en.sections if s.key == "regions")
    assert [r[3] for r in regions.tables[0].rows] == ["0.50", "..", ".", "0.50"]
    assert "Not published (..): 1. No data (.): 1." in chart.description


def test_every_chart_draws_the_values_its_description_speaks_of(view_en):
    months = view_en.charts["month"].values["months"]
    assert months[:3] == [("January", 5), ("February", None), ("March", 0)]
    what = view_en.charts["what"].values["panels"]
    assert what[0] == (
        "Type of incident",
        [("Verbal or mental violence", 5, 71.4), ("Threat with a weapon or object", None, None)],
    )
    assert [rows for _, rows in what[1:]] == [[]] * (len(what) - 1)  # no rows published
    heat = view_en.charts["heatmap"].values
    assert heat["rows"][4] == "Friday" and heat["cells"][4] == [None, 0, 0, 0, 0, 4]
    assert heat["columns"] == ["00–04", "04–08", "08–12", "12–16", "16–20", "20–24"]
    trend = view_en.charts["trend"].values
    assert (trend["years"], trend["incidents"], trend["rates"]) == ([2023], [7], [0.5])


def test_the_workbook_sheets_keep_numbers_as_numbers_and_hidden_ones_empty(view_en):
    sheets = {s.name: s for s in view_en.sheets}
    assert list(sheets) == ["National", "Areas", "Breakdowns", "Weekday and time", "Time series"]
    areas = sheets["Areas"]
    assert areas.columns[:2] == [("region_code", "Code"), ("region_name", "Area")]
    assert [
        (r["region_name"], r["incidents"], r["incidents_per_1000_missions"], r["flag"])
        for r in areas.rows
    ] == [
        ("Southwest Finland wellbeing services county", 5, 0.5, "unreliable"),
        ("Kanta-Häme wellbeing services county", None, None, "not published"),
        ("Kainuu wellbeing services county", None, None, "not submitted"),
    ]
    # A grid has no flag column: a hidden cell holds the symbol itself.
    friday = sheets["Weekday and time"].rows[4]
    assert friday == {
        "weekday": "Friday",
        "band_0": "..",
        "band_1": 0,
        "band_2": 0,
        "band_3": 0,
        "band_4": 0,
        "band_5": 4,
    }
    assert view_en.metadata_sheet == "Metadata"
    assert view_en.metadata[:2] == [
        ("Source", "Finnish rescue departments' partnership network, emergency care service area"),
        ("Coverage", "2 of 22 areas"),
    ]
