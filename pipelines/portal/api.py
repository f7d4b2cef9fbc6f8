"""The JSON API for regions' incident systems: `Authorization: Bearer <token>`, one
region per token. Errors are JSON with a message, never an HTML page.

A request is judged in the order that costs a stranger least: the method, then the
token, then the body's declared length and type, and only then is the body read.
A client without a token never gets a byte of its body parsed or spooled to disk;
the language of the answer comes from `?lang=` or `Accept-Language`, never from the
body. What the API promises is written once in `schemas/openapi.yaml`, served at
`/api/v1/openapi.json` and checked against this code by the tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from pipelines.contract.schema import SCHEMA_DIR, read_yaml
from pipelines.portal import ratelimits, services
from pipelines.portal.models import ApiToken, token_digest
from pipelines.portal.services import Refused, uploads
from pipelines.portal.texts import current_language, t
from pipelines.register.models import Submission
from pipelines.settings import today as finland_today

View = Callable[..., JsonResponse]
# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


def answer(data: dict[str, object], status: int = 200) -> JsonResponse:
    """JSON as `evstats validate --format json` writes it: letters, not escapes."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error(status: int, key: str, lang: str, **params: object) -> JsonResponse:
    return answer({"error": key, "message": t(key, lang, **params)}, status)


def language(request: HttpRequest) -> str:
    """`?lang=` first, else the Accept-Language the framework resolved, else Finnish.
    Not from the body: a refusal must not cost reading it."""
    try:
        asked = request.GET.get("lang")
    except TooManyFieldsSent:
        asked = None  # the view reads the query again and answers that refusal
    return asked if asked in ("fi", "sv", "en") else current_language()


def api(*methods: str) -> Callable[[View], View]:
    """An address of the API taking `methods`: any other is 405 with `Allow`; every
    refusal on the way, the framework's own included (a body it cannot parse, too many
    fields, a field too large), is JSON in the language asked."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
            lang = language(request)
            if request.method not in methods:
                allowed = ", ".join(methods)
                response = error(405, "method_not_allowed", lang, allowed=allowed)
                response["Allow"] = allowed
                return response
            try:
                return view(request, lang, *args, **kwargs)
            except Refused as exc:
                return refusal(exc, lang)
            except (TooManyFieldsSent, TooManyFilesSent):
                return error(
                    400,
                    "too_many_fields",
                    lang,
                    fields=django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                    files=django_settings.DATA_UPLOAD_MAX_NUMBER_FILES,
                )
            except RequestDataTooBig:
                kb = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
                return error(413, "field_too_large", lang, limit=kb)
            except (MultiPartParserError, UnreadablePostError):
                return error(400, "body_malformed", lang)
            except DatabaseError:
                return error(503, "register_unavailable", lang)

        return wrapped

    return decorate


def refusal(exc: Refused, lang: str) -> JsonResponse:
    if exc.text:
        response = answer({"error": exc.key, "message": exc.text}, exc.status)
    else:
        response = error(exc.status, exc.key, lang, **exc.params)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="evstats"'
    for name, value in exc.headers.items():
        response[name] = value
    return response


def with_token(view: View) -> View:
    """Resolve the bearer token to its region, or refuse with 401; then, for a body,
    its declared length and type, all before the body is read. Tokens are looked up
    by their hash: only that is stored."""

    @wraps(view)
    def wrapped(request: HttpRequest, lang: str, *args: object, **kwargs: object) -> JsonResponse:
        token = bearer(request)
        if request.method == "POST":
            acceptable_body(request)
        return view(request, token, lang, *args, **kwargs)

    return wrapped


def bearer(request: HttpRequest) -> ApiToken:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    found = None
    if scheme.lower() == "bearer" and given.strip():
        found = ApiToken.objects.filter(digest=token_digest(given.strip()), revoked=False).first()
    if found is None:
        raise Refused(401, "token_invalid")
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def acceptable_body(request: HttpRequest) -> None:
    """A body the API can read: a declared length (a chunked body would reach Django
    empty and be misread as missing fields), within the file limit, and a
    multipart/form-data form with its boundary."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not declared.isdecimal() or "HTTP_TRANSFER_ENCODING" in request.META:
        raise Refused(411, "length_required")
    if int(declared) > services.evstats().limits.max_bytes + FORM_OVERHEAD:
        raise uploads.too_large()
    if request.content_type != "multipart/form-data":
        raise Refused(415, "body_not_multipart")
    if not request.content_params.get("boundary"):
        raise Refused(400, "body_malformed")


def single(fields: MultiValueDict, name: str) -> Any:
    """A field given at most once: of two `year`s, neither is taken for the other."""
    values = fields.getlist(name)
    if len(values) > 1:
        raise Refused(400, "field_repeated", field=name)
    return values[0] if values else None


def uploaded(request: HttpRequest) -> tuple[uploads.Upload, int]:
    f = single(request.FILES, "file")
    year = services.parse_year(single(request.POST, "year"))
    if f is None:
        raise Refused(400, "file_missing")
    if f.size > services.evstats().limits.max_bytes:
        raise uploads.too_large()
    return uploads.Upload(f.name or "", f.read()), year


@api("GET", "POST")
@with_token
@ratelimits.per_token
def submissions(request: HttpRequest, token: ApiToken, lang: str) -> JsonResponse:
    if request.method == "GET":
        year = services.parse_year(single(request.GET, "year"))
        found = Submission.objects.filter(region_code=token.region_code, year=year)
        listed = [uploads.submission_json(sub, lang) for sub in found]
        return answer({"year": year, "submissions": listed})
    upload, year = uploaded(request)
    submission, _ = uploads.submit(upload, token.region_code, year, lang, "api", token=token)
    return answer(uploads.submission_json(submission, lang), 201)


@api("POST")
@with_token
@ratelimits.per_token
def check(request: HttpRequest, token: ApiToken, lang: str) -> JsonResponse:
    upload, year = uploaded(request)
    verdict = uploads.check(upload, token.region_code, year, lang)
    return answer(verdict.as_dict())


@api("GET")
@with_token
def submission(
    request: HttpRequest, token: ApiToken, lang: str, submission_id: int
) -> JsonResponse:
    sub = Submission.objects.filter(pk=submission_id, region_code=token.region_code).first()
    if sub is None:
        return error(404, "submission_not_found", lang)
    return answer(uploads.submission_json(sub, lang))


@cache
def description() -> dict[str, Any]:
    """`schemas/openapi.yaml`, read once per process: the description is data, written
    once beside the contracts, not generated from the views."""
    return read_yaml(SCHEMA_DIR / "openapi.yaml")


@api("GET")
def openapi(request: HttpRequest, lang: str) -> JsonResponse:
    """The API's OpenAPI 3.1 description, open to anyone: an integrator reads it before
    holding a token. The latest year one may send is this year, filled in here."""
    served = copy.deepcopy(description())
    served["components"]["schemas"]["Year"]["maximum"] = finland_today().year
    return answer(served)


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/ (a trailing slash, an id that is not a number):
    404 in JSON, as every answer of the API."""
    return error(404, "api_not_found", language(request))
