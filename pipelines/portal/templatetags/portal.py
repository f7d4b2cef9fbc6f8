"""`{% t "key" n=3 %}`: a portal text with parameters, in the page's language, and
`{{ moment|when }}`: a time as the page's reader writes it, in Finland's time."""

from datetime import datetime

from django import template

from pipelines.portal.texts import current_language, moment
from pipelines.portal.texts import t as text

register = template.Library()


@register.simple_tag
def t(key: str, **params: object) -> str:
    return text(key, **params)


@register.filter
def get(mapping: dict, key: str) -> object:
    return mapping.get(key)


@register.filter
def when(at: datetime | None, precision: str = "") -> str:
    """`{{ s.received_at|when }}`, or `|when:"seconds"` on a receipt; nothing for no time."""
    if at is None:
        return ""
    return moment(at, current_language(), seconds=precision == "seconds")
