"""Correct or explain: a region answers each plausibility warning of its file, and the
analyst cannot accept the year while one is unanswered."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipelines.register.models import Explanation, RegionYear, Review, Submission
from pipelines.register.review import explanations_in_force
from tests.unit.portal.conftest import GOOD, earlier_year, signed_in

pytestmark = pytest.mark.django_db


def doubled(data_dir):
    """Region 05 had 20 incidents in 2022 (its file in force in the register); its 2023
    file holds 41 (a hidden doubling)."""
    earlier_year(incidents=20)
    header, *rows = GOOD.decode().splitlines()
    lines = [f"{copy}{row}" for copy in ("a", "b") for row in rows] + [f"c{rows[0]}"]
    return "\n".join([header, *lines]).encode()


def test_the_doubling_is_explained_before_the_year_can_be_accepted(data_dir, contact, analyst):
    region = signed_in(contact)
    region.post(
        "/upload/",
        {
            "file": SimpleUploadedFile("a.csv", doubled(data_dir)),
            "year": "2023",
            "action": "submit",
        },
    )
    sub = Submission.objects.get(year=2023)
    page = region.get(f"/submissions/{sub.pk}/").content.decode()
    assert "Selitä poikkeamat" in page and "41" in page and "20" in page

    analyst_client = signed_in(analyst)
    refused = analyst_client.post(
        "/collection/2023/05/", {"state": "accepted", "message": ""}, follow=True
    ).content.decode()
    assert "1 poikkeama on vielä selittämättä" in refused
    assert Review.objects.count() == 0

    region.post(
        f"/submissions/{sub.pk}/explain",
        {"rule": "incidents_changed", "reason": "unknown", "text": "x"},
    )
    assert Explanation.objects.count() == 0  # a reason outside the code list
    region.post(
        f"/submissions/{sub.pk}/explain",
        {
            "rule": "incidents_changed",
            "reason": "recording_practice",
            "text": "Kirjaamme nyt myös sanallisen uhkailun. Yhteys 040 1234567.",
        },
    )
    answer = Explanation.objects.get()
    assert answer.reason == "recording_practice" and "1234567" not in answer.text
    review_page = analyst_client.get("/collection/2023/05/").content.decode()
    assert "Kirjaamiskäytäntö on muuttunut" in review_page
    assert "Kirjaamme nyt myös sanallisen uhkailun" in review_page
    analyst_client.post("/collection/2023/05/", {"state": "accepted", "message": ""})
    assert Review.objects.get().state == "accepted"
    # What the pipeline reads is the register itself (no export file any more).
    assert RegionYear.objects.get(year=2023, region_code="05").state == "accepted"
    assert not (data_dir / "signoff").exists()
    [explained] = explanations_in_force(2023)
    text = explained.pop("text")
    assert explained == {
        "region_code": "05",
        "kind": "incidents",
        "sha256": sub.sha256,
        "rule": "incidents_changed",
        "row": None,
        "reason": "recording_practice",
    }
    assert text.startswith("Kirjaamme nyt myös sanallisen uhkailun.") and "1234567" not in text


def test_another_region_cannot_explain(data_dir, contact, other_contact):
    signed_in(contact).post(
        "/upload/",
        {
            "file": SimpleUploadedFile("a.csv", doubled(data_dir)),
            "year": "2023",
            "action": "submit",
        },
    )
    sub = Submission.objects.get(year=2023)
    response = signed_in(other_contact).post(
        f"/submissions/{sub.pk}/explain",
        {"rule": "incidents_changed", "reason": "real_change", "text": ""},
    )
    assert response.status_code == 404 and Explanation.objects.count() == 0
