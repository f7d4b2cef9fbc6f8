"""What the portal does, by concern (as pretix's services): `uploads` (a file's verdict
and its receipt), `collection` (the analyst's view of a year), `review` (sign-off and
explanations) and `release` (asking for a release). Views and the API stay thin over
them; the rules of the lifecycle are the register's (`pipelines.register.lifecycle`).

Shared here: the settings, the schema, the regions, and the years one may upload for.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings as django_settings

from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema, load_schema
from pipelines.portal.texts import current_language
from pipelines.settings import FIRST_YEAR, Settings
from pipelines.settings import today as finland_today

KINDS = ("incidents", "missions")


class Refused(Exception):
    """A request the portal does not take, with the HTTP status that says why, the key
    of its message in `schemas/portal.yaml`, and the headers the answer must carry
    (`Retry-After` of a rate limit)."""

    def __init__(
        self,
        status: int,
        key: str,
        text: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.text = text
        self.headers = headers or {}
        self.params = params


@cache
def schema() -> Schema:
    return load_schema()


def evstats() -> Settings:
    return django_settings.EVSTATS


def regions(lang: str | None = None) -> dict[str, str]:
    """Region codes in the order of the published tables, with their official names in
    `lang` (by default the reader's: the page's language) from `schemas/codelists.yaml`."""
    shown = lang or current_language()
    return {code: labels[shown] for code, labels in schema().codelists["regions"].codes.items()}


def plausibility_rules() -> set[str]:
    return set(schema().plausibility)


def default_year() -> int:
    """The year being collected: the previous calendar year until its hard close, then
    the current one (whose collection runs into the next year)."""
    today = finland_today()
    _, close = evstats().collection_dates(today.year - 1)
    return today.year - 1 if today <= close else today.year


def parse_year(value: str | None) -> int:
    if not value:
        raise Refused(400, "year_missing")
    # The value is echoed in the answer: masked, as anything a region sent.
    shown = mask_personal_data(value[:40])
    try:
        year = int(value)
    except ValueError:
        raise Refused(400, "year_invalid", year=shown, first=FIRST_YEAR) from None
    if not FIRST_YEAR <= year <= finland_today().year:
        raise Refused(400, "year_invalid", year=shown, first=FIRST_YEAR)
    return year


def ensure_open(year: int) -> None:
    """After the hard close the year's figures are being published: no more uploads."""
    _, close = evstats().collection_dates(year)
    if finland_today() > close:
        raise Refused(409, "collection_closed", year=year, close=close)


def contacts(region_code: str) -> list[str]:
    """The region's active contacts' addresses, in order."""
    return [address for _, address in _contacts(region_code)]


def contacts_by_language(region_code: str) -> dict[str, list[str]]:
    """The region's active contacts' addresses by the language of their account."""
    found: dict[str, list[str]] = {}
    for lang, address in _contacts(region_code):
        found.setdefault(lang, []).append(address)
    return found


def _contacts(region_code: str) -> list[tuple[str, str]]:
    from pipelines.portal.models import User

    return [
        (lang, address)
        for address, lang in User.objects.filter(
            region_code=region_code, role=User.SUBMITTER, is_active=True
        )
        .order_by("email")
        .values_list("email", "lang")
    ]
