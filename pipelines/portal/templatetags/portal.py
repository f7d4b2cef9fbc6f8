"""`{% t "key" n=3 %}`: a portal text with parameters, in the page's language."""

from django import template

from pipelines.portal.texts import t as text

register = template.Library()


@register.simple_tag
def t(key: str, **params: object) -> str:
    return text(key, **params)


@register.filter
def get(mapping: dict, key: str) -> object:
    return mapping.get(key)
