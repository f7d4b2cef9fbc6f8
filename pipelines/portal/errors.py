"""The portal's own error pages (400, 403, 404, 500 and a refused form's CSRF check):
in the reader's language, in the portal's frame, with a way back, instead of Django's
bare English "Not Found". The JSON API answers its own errors (`api.py`)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render

from pipelines.contract.i18n import LANGUAGES
from pipelines.portal.texts import t

log = logging.getLogger("evstats.portal")


def page(request: HttpRequest, status: int, key: str, **context: object) -> HttpResponse:
    return render(
        request, "portal/error.html", {"status": status, "key": key, **context}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 400, "error_400")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 403, "error_403")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its token, or with an old one (a page left open past its
    session): say how to go on rather than Django's "CSRF verification failed"."""
    return page(request, 403, "error_403_csrf")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 404, "error_404")


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of an error the portal did not foresee. It names nobody (the register
    may be what failed, so the signed-in user is not looked up), and if even the page
    cannot be drawn, its title in the three languages as plain text."""
    try:
        return page(request, 500, "error_500", user=AnonymousUser())
    except Exception:
        log.exception("the error page itself failed")
        title = " / ".join(t("error_500_title", lang) for lang in LANGUAGES)
        return HttpResponseServerError(title, content_type="text/plain; charset=utf-8")
