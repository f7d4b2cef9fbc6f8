"""Each chart shows what was published and nothing that was hidden."""

from matplotlib.patches import Rectangle

from pipelines.publish import charts

COMMON = {"source": "Lähde: testi", "lang": "fi"}


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


def test_region_chart_sorts_by_rate_and_draws_no_bar_for_hidden_regions():
    rows = [("A", 0.5, False, None), ("B", 1.2, True, None), ("C", None, False, "ei julkaista")]
    fig = charts.rate_by_region(
        rows,
        0.7,
        title="t",
        axis="x",
        national_label="Koko maa 0,70",
        unreliable_label="epävarma",
        reliable_label="luku",
        **COMMON,
    )
    ax = fig.axes[0]
    drawn = [b for b in ax.patches if abs(b.get_height() - 0.8) < 1e-9]
    assert sorted(round(b.get_width(), 2) for b in drawn) == [0.5, 1.2]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["C", "A", "B"]  # hidden first (bottom), then ascending rate
    assert " .. ei julkaista" in texts(fig)
    assert "1,20" in texts(fig) and "0,50" in texts(fig)
    assert any(abs(line.get_xdata()[0] - 0.7) < 1e-9 for line in ax.get_lines())


def test_category_panels_hide_suppressed_categories():
    panels = [("Tekijä", [("Potilas", 20, 80.0), ("Muu", None, None), ("Omainen", 5, 20.0)])]
    fig = charts.category_panels(panels, axis="%", **COMMON)
    widths = sorted(round(p.get_width(), 1) for p in fig.axes[0].patches)
    assert widths == [20.0, 80.0]
    assert ".." in texts(fig)


def test_month_chart_labels_and_hidden_month():
    months = [("tammikuu", 3), ("helmikuu", None), ("maaliskuu", 4)]
    fig = charts.by_month(months, title="t", axis="n", source="s")
    heights = sorted(p.get_height() for p in fig.axes[0].patches)
    assert heights == [3, 4]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["tam", "hel", "maa"]


def test_heatmap_marks_hidden_cells():
    fig = charts.heatmap(
        [[None, 4], [5, None]],
        rows=["ma", "ti"],
        columns=["a", "b"],
        title="t",
        note="n",
        source="s",
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


def test_saved_charts_are_byte_identical(tmp_path):
    def draw(stem):
        fig = charts.by_month([("tammikuu", 3)], title="t", axis="n", source="s")
        return [p.read_bytes() for p in charts.save(fig, tmp_path / stem)]

    assert draw("a") == draw("b")
