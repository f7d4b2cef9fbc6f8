"""The JSON API for regions' incident systems: `Authorization: Bearer <token>`, one
region per token. Errors are JSON with a message, never an HTML page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pipelines.portal import services
from pipelines.portal.models import ApiToken, token_digest
from pipelines.portal.services import uploads
from pipelines.portal.texts import current_language, t
from pipelines.register.models import Submission

View = Callable[..., JsonResponse]


def answer(data: dict[str, object], status: int = 200) -> JsonResponse:
    """JSON as `evstats validate --format json` writes it: letters, not escapes."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error(status: int, key: str, lang: str, **params: object) -> JsonResponse:
    return answer({"error": key, "message": t(key, lang, **params)}, status)


def language(request: HttpRequest) -> str:
    """`?lang=` first, else the Accept-Language the framework resolved, else Finnish."""
    asked = request.GET.get("lang") or request.POST.get("lang")
    return asked if asked in ("fi", "sv", "en") else current_language()


def with_token(view: View) -> View:
    """Resolve the bearer token to its region, or answer 401; turn a refusal into its
    status and message. Tokens are looked up by their hash: only that is stored."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        lang = language(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            found = None
            if scheme.lower() == "bearer" and token.strip():
                found = ApiToken.objects.filter(
                    digest=token_digest(token.strip()), revoked=False
                ).first()
            if found is None:
                response = error(401, "token_invalid", lang)
                response["WWW-Authenticate"] = 'Bearer realm="evstats"'
                return response
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
            return view(request, found, lang, *args, **kwargs)
        except services.Refused as exc:
            if exc.text:
                return answer({"error": exc.key, "message": exc.text}, exc.status)
            return error(exc.status, exc.key, lang, **exc.params)
        except DatabaseError:
            return error(503, "register_unavailable", lang)

    return wrapped


def too_large(request: HttpRequest) -> bool:
    """Refuse an oversized body by its declared length, before it is read at all."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    return declared > services.evstats().limits.max_bytes + 64 * 1024


def uploaded(request: HttpRequest) -> tuple[uploads.Upload, int]:
    if too_large(request):
        raise uploads.too_large()
    f = request.FILES.get("file")
    year = services.parse_year(request.POST.get("year"))
    if f is None:
        raise services.Refused(400, "file_missing")
    if f.size > services.evstats().limits.max_bytes:
        raise uploads.too_large()
    return uploads.Upload(f.name or "", f.read()), year


@with_token
@require_http_methods(["GET", "POST"])
def submissions(request: HttpRequest, token: ApiToken, lang: str) -> JsonResponse:
    if request.method == "GET":
        year = services.parse_year(request.GET.get("year"))
        found = Submission.objects.filter(region_code=token.region_code, year=year)
        listed = [uploads.submission_json(sub) for sub in found]
        return answer({"year": year, "submissions": listed})
    upload, year = uploaded(request)
    submission, _ = uploads.submit(upload, token.region_code, year, lang, "api", token=token)
    return answer(uploads.submission_json(submission), 201)


@with_token
@require_POST
def check(request: HttpRequest, token: ApiToken, lang: str) -> JsonResponse:
    upload, year = uploaded(request)
    verdict = uploads.check(upload, token.region_code, year, lang)
    return answer(verdict.as_dict())


@with_token
@require_GET
def submission(request: HttpRequest, token: ApiToken, lang: str, pk: int) -> JsonResponse:
    sub = Submission.objects.filter(pk=pk, region_code=token.region_code).first()
    if sub is None:
        return error(404, "submission_not_found", lang)
    return answer(uploads.submission_json(sub))
