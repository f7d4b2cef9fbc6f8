"""The analyst's pages of a year take the years that have a collection (FIRST_YEAR to
this year): any other is no such page, and a POST for it writes nothing."""

import pytest

from pipelines.register.models import RegionYear, Release, Review
from pipelines.settings import today as finland_today
from tests.unit.portal.conftest import signed_in

pytestmark = pytest.mark.django_db

NEXT_YEAR = finland_today().year + 1


@pytest.mark.parametrize(
    "path",
    [
        "/collection/0/",
        "/collection/9999/",
        "/collection/99999/",
        "/collection/99999/missing.csv",
        "/collection/99999/05/",
        "/collection/0/05/",
        "/collection/123456789/05/",
    ],
)
def test_a_year_without_a_collection_is_no_page(analyst, path):
    response = signed_in(analyst).get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/collection/99999/05/", {"state": "returned", "message": "Korjatkaa tammikuu."}),
        ("/collection/99999/05/", {"state": "accepted", "message": ""}),
        ("/collection/99999/release", {"note": "v1"}),
        (f"/collection/{NEXT_YEAR}/release", {"note": "v1"}),
    ],
)
def test_a_post_for_a_year_without_a_collection_writes_nothing(analyst, data_dir, path, data):
    response = signed_in(analyst).post(path, data)
    assert response.status_code == 404
    assert (Review.objects.count(), RegionYear.objects.count(), Release.objects.count()) == (
        0, 0, 0,
    )  # fmt: skip
    assert list(data_dir.iterdir()) == []


def test_the_years_of_the_collection_are_the_first_to_this_one(analyst):
    client = signed_in(analyst)
    for year in (2014, finland_today().year):
        response = client.get(f"/collection/{year}/")
        assert response.status_code == 200
        assert f"<h1>Tiedonkeruun tilanne {year}</h1>" in response.content.decode()
        assert client.get(f"/collection/{year}/05/").status_code == 200
    for year in (2013, NEXT_YEAR):
        assert client.get(f"/collection/{year}/").status_code == 404
        assert client.get(f"/collection/{year}/05/").status_code == 404
