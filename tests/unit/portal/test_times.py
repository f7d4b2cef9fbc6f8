"""Times on the portal's pages are Finland's, written as each language writes them;
the expected strings are worked out by hand from UTC (EET is UTC+2, EEST UTC+3; in
2026 summer time starts on 29 March and ends on 25 October, at 01:00 UTC)."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from pipelines.portal.texts import moment, t

WINTER_EVENING = datetime(2026, 12, 4, 21, 30, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "4.12.2026 klo 23.30"), ("sv", "4.12.2026 kl. 23.30"), ("en", "4 Dec 2026 23:30")],
)
def test_a_winter_evening_in_each_language(lang, expected):
    assert moment(WINTER_EVENING, lang) == expected


def test_a_receipt_shows_the_seconds():
    assert moment(WINTER_EVENING, "fi", seconds=True) == "4.12.2026 klo 23.30.50"
    assert moment(WINTER_EVENING, "sv", seconds=True) == "4.12.2026 kl. 23.30.50"
    assert moment(WINTER_EVENING, "en", seconds=True) == "4 Dec 2026 23:30:50"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Autumn: 03:59 summer time, then the clocks go back to 03:00.
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25.10.2026 klo 3.59"),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25.10.2026 klo 3.00"),
        # Spring: 02:59 winter time, then the clocks jump to 04:00.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29.3.2026 klo 2.59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29.3.2026 klo 4.00"),
        # A UTC evening that is already the next year in Finland.
        (datetime(2026, 12, 31, 22, 30, tzinfo=UTC), "1.1.2027 klo 0.30"),
    ],
)
def test_summer_time_and_the_turn_of_the_year(utc, expected):
    assert moment(utc, "fi") == expected


def test_english_writes_the_hour_with_two_digits_and_britains_month():
    assert moment(datetime(2026, 9, 4, 1, 5, tzinfo=UTC), "en") == "4 Sept 2026 04:05"


def test_a_time_without_a_zone_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="without a zone"):
        moment(datetime(2026, 12, 4, 21, 30), "fi")


def test_texts_and_templates_show_a_moment_the_same_way():
    """A time given to a text (`Tilastoajo viimeksi: …`) and one shown by the template
    filter come out alike, never as ISO."""
    assert (
        t("snapshot_written", "fi", at=WINTER_EVENING)
        == "Tilastoajo viimeksi: 4.12.2026 klo 23.30."
    )
    page = Template('{% load portal %}{{ at|when }} / {{ at|when:"seconds" }} / {{ none|when }}.')
    with translation.override("sv"):
        shown = page.render(Context({"at": WINTER_EVENING, "none": None}))
    assert shown == "4.12.2026 kl. 23.30 / 4.12.2026 kl. 23.30.50 / ."
