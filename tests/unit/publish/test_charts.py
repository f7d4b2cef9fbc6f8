"""Each chart shows what was published and nothing that was hidden, reads on a phone,
and lays out without warnings however little a year holds."""

import re
import warnings

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from pipelines.publish import charts

COMMON = {"source": "Lähde: testi", "lang": "fi"}
REGION_LABELS = {
    "title": "Uhka- ja väkivaltatilanteet / 1 000 ensihoitotehtävää, 2023",
    "axis": "Tilanteita / 1 000 tehtävää",
    "national_label": "Koko maa 0,70",
    "unreliable_label": "Epävarma (alle 20 tilannetta)",
    "reliable_label": "Suhdeluku",
}


def bars(fig):
    ax = fig.axes[0]
    return [
        p
        for p in ax.patches
        if isinstance(p, Rectangle)
        and p.get_width() > 0
        and p.get_height() > 0
        and p.get_facecolor()[3] > 0
    ]


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def shown_text(fig: Figure) -> list[Text]:
    """Every piece of text the drawn figure shows: titles, ticks, labels, legends, notes."""
    fig.draw_without_rendering()
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig
    ]


def region_chart(rows, national=0.7):
    return charts.rate_by_region(rows, national, **REGION_LABELS, **COMMON)


def test_region_chart_sorts_by_rate_and_draws_no_bar_for_hidden_regions():
    rows = [("A", 0.5, False, None), ("B", 1.2, True, None), ("C", None, False, ".. ei julkaista")]
    fig = region_chart(rows)
    ax = fig.axes[0]
    drawn = [b for b in ax.patches if abs(b.get_height() - 0.8) < 1e-9]
    assert sorted(round(b.get_width(), 2) for b in drawn) == [0.5, 1.2]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["C", "A", "B"]  # hidden first (bottom), then ascending rate
    assert " .. ei julkaista" in texts(fig)
    assert "1,20" in texts(fig) and "0,50" in texts(fig)
    assert any(abs(line.get_xdata()[0] - 0.7) < 1e-9 for line in ax.get_lines())


def test_region_chart_legend_names_the_national_line():
    fig = region_chart([("A", 0.5, False, None)])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Suhdeluku", "Epävarma (alle 20 tilannetta)", "Koko maa 0,70"]


@pytest.mark.parametrize(
    ("ticks", "decimals"),
    [([0, 5, 10], 0), ([0, 0.5, 1.0], 1), ([0, 0.05, 0.1, 0.15], 2), ([0, 0.025, 0.05], 3)],
)
def test_tick_decimals_follow_the_tick_step(ticks, decimals):
    assert charts.tick_decimals(ticks) == decimals


def test_a_small_years_rate_axis_tells_every_tick_apart():
    """Rates around 0.1 once read `0,0 0,0 0,0 0,1`: one decimal for a 0.025 step."""
    fig = region_chart([("A", 0.12, True, None), ("B", 0.14, True, None)], national=0.13)
    fig.draw_without_rendering()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(ticks) >= 3
    assert len(set(ticks)) == len(ticks)
    assert ticks[:2] == ["0,00", "0,05"]


def test_category_panels_hide_suppressed_categories():
    panels = [("Tekijä", [("Potilas", 20, 80.0), ("Muu", None, None), ("Omainen", 5, 20.0)])]
    fig = charts.category_panels(panels, title="Jakaumat", **COMMON)
    widths = sorted(round(p.get_width(), 1) for p in fig.axes[0].patches)
    assert widths == [20.0, 80.0]
    assert ".." in texts(fig)
    assert "Tekijä" in texts(fig)


def test_month_chart_labels_and_hidden_month():
    months = [("tammikuu", 3), ("helmikuu", None), ("maaliskuu", 4)]
    fig = charts.by_month(months, title="t", axis="n", **COMMON)
    heights = sorted(p.get_height() for p in fig.axes[0].patches)
    assert heights == [3, 4]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["tam", "hel", "maa"]
    assert ".." in texts(fig)


def test_heatmap_marks_hidden_cells():
    fig = charts.heatmap(
        [[None, 4], [5, None]],
        rows=["ma", "ti"],
        columns=["a", "b"],
        title="t",
        axis="Kellonaika",
        note="n",
        **COMMON,
    )
    shown = texts(fig)
    assert shown.count("..") == 2 and "4" in shown and "5" in shown


def test_trend_marks_the_series_break_between_years():
    fig = charts.trend(
        [2022, 2023],
        [186, 363],
        [0.30, 0.57],
        [2023],
        title="t",
        count_axis="n",
        rate_axis="r",
        break_label="Tilastomuutos",
        **COMMON,
    )
    ax = fig.axes[0]
    assert any(line.get_xdata()[0] == 2022.5 for line in ax.get_lines())
    assert "Tilastomuutos" in texts(fig)


def every_chart(little: bool) -> dict[str, Figure]:
    """Each chart of a year, `little`: two areas, a handful of incidents, most hidden."""
    long = "Kipua tai vamman aiheuttanut väkivalta"
    if little:
        regions = [("Satakunta", 0.14, True, None), ("Kainuu", None, False, ". ei tietoja")]
        months = [(m, None if i % 3 else 0) for i, m in enumerate(MONTHS)]
        cells = [[None, 0, None, None, 0, None] for _ in range(7)]
        panels = [("Tapahtuman tyyppi", [(long, None, None), ("Muu", 0, 0.0)])]
        years, counts, rates = [2023], [5], [0.14]
    else:
        regions = [(f"Alue {i}", 0.2 + i / 20, i % 2 == 0, None) for i in range(22)]
        months = [(m, 20 + i) for i, m in enumerate(MONTHS)]
        cells = [[10 + d + b for b in range(6)] for d in range(7)]
        panels = [(f"Muuttuja {p}", [(long, 30, 40.0), ("Muu", 45, 60.0)]) for p in range(8)]
        years, counts, rates = [2021, 2022, 2023, 2024], [220, 186, 363, 392], [0.4, 0.3, 0.6, 0.6]
    return {
        "regions": charts.rate_by_region(regions, 0.14, **REGION_LABELS, **COMMON),
        "what": charts.category_panels(panels, title="Tilanteiden jakaumat, 2023", **COMMON),
        "month": charts.by_month(months, title="Tilanteet kuukausittain", axis="n", **COMMON),
        "heatmap": charts.heatmap(
            cells,
            rows=["maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "la", "su"],
            columns=["00–04", "04–08", "08–12", "12–16", "16–20", "20–24"],
            title="Tilanteet viikonpäivän ja kellonajan mukaan, 2023",
            axis="Kellonaika",
            note="Ruudukko: pienet luvut (alle 3) on piilotettu. Kellonaika puuttuu 1 tilanteesta.",
            **COMMON,
        ),
        "trend": charts.trend(
            years,
            counts,
            rates,
            [2023],
            title="Ilmoitetut tilanteet ja suhdeluku vuosittain",
            count_axis="Tilanteita",
            rate_axis="Tilanteita / 1 000 tehtävää",
            break_label="Tilastomuutos",
            **COMMON,
        ),
    }


MONTHS = ["tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu"]
MONTHS += ["heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu"]


@pytest.mark.parametrize("little", [False, True], ids=["full year", "little data"])
def test_text_stays_legible_at_a_phones_width(little):
    """Scaled to 358 px (a 390 px phone less the page's margins), no text is under 9 px."""
    for name, fig in every_chart(little).items():
        assert fig.get_figwidth() == charts.WIDTH, name
        scale = charts.PHONE_PX / (fig.get_figwidth() * 72)  # SVG units are points
        smallest = min(t.get_fontsize() for t in shown_text(fig))
        assert smallest * scale >= 9, (name, smallest)


@pytest.mark.parametrize("little", [False, True], ids=["full year", "little data"])
def test_charts_lay_out_without_warnings_and_keep_text_inside(little, tmp_path):
    """A year of a handful of incidents once printed `constrained_layout not applied`
    three times (the month chart placed `..` outside its empty axes) and drew a squashed
    chart; everything drawn must also stay inside the figure."""
    for name, fig in every_chart(little).items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            charts.save(fig, tmp_path / name, title=name, description="d")
        fig.draw_without_rendering()  # lay out again at the figure's own dpi
        drawn = fig.get_tightbbox()  # inches: everything drawn
        width, height = fig.get_size_inches()
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, name
        assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, name


def test_saved_svg_is_an_image_named_and_described(tmp_path):
    fig = charts.by_month([("tammikuu", 3)], title="t", axis="n", **COMMON)
    _, svg = charts.save(
        fig, tmp_path / "month", title="Tilanteet <kuukausittain>", description="Eniten & vähiten"
    )
    text = svg.read_text(encoding="utf-8")
    root = re.search(r"<svg [^>]*>", text).group(0)
    assert 'role="img"' in root
    assert 'aria-labelledby="month-title"' in root and 'aria-describedby="month-desc"' in root
    assert '<title id="month-title">Tilanteet &lt;kuukausittain&gt;</title>' in text
    assert '<desc id="month-desc">Eniten &amp; vähiten</desc>' in text
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)) > 2
    assert all(i.startswith("month-") for i in ids)  # unique beside the page's other charts
    refs = re.findall(r'(?:url\(#|href="#)([^")]+)', text)
    assert refs and set(refs) <= set(ids)


def test_saved_charts_are_byte_identical(tmp_path):
    def draw(folder):
        fig = charts.by_month([("tammikuu", 3)], title="t", axis="n", **COMMON)
        saved = charts.save(fig, tmp_path / folder / "month", title="t", description="d")
        return [p.read_bytes() for p in saved]

    assert draw("a") == draw("b")


def test_hidden_heat_map_cells_cost_no_more_than_shown_ones(tmp_path):
    """A dotted hatch once drew thousands of dots per hidden cell (a 170 kB SVG that took
    the PDF seconds to draw); hidden cells are plain grey with the `..` symbol."""
    shown = [[5] * 6 for _ in range(7)]
    hidden = [[None] * 6 for _ in range(7)]
    sizes = {}
    for name, cells in (("shown", shown), ("hidden", hidden)):
        fig = charts.heatmap(
            cells,
            rows=[f"d{i}" for i in range(7)],
            columns=[f"b{j}" for j in range(6)],
            title="t",
            axis="a",
            note="n",
            source="s",
            lang="fi",
        )
        saved = charts.save(fig, tmp_path / name, title="t", description="d")
        svg = next(p for p in saved if p.suffix == ".svg")
        sizes[name] = svg.stat().st_size
    assert sizes["hidden"] < 2 * sizes["shown"]  # the dotted hatch made it ten times
