"""The pages: a region's data contact uploads and reads verdicts; the analyst follows
the collection. Every view that shows a submission checks its region first."""

from __future__ import annotations

import csv
import io
import smtplib
import tempfile
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.issues import Issue
from pipelines.contract.template import write_templates
from pipelines.portal import services
from pipelines.portal.forms import UploadForm
from pipelines.portal.models import Review, Submission, User
from pipelines.portal.texts import current_language, t
from pipelines.settings import FIRST_YEAR
from pipelines.settings import today as finland_today
from pipelines.validate.verdict import Verdict

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ISSUES = 200


def region_of(request: HttpRequest, submission: Submission) -> None:
    """A submitter sees their own region only; another region's receipt does not exist
    for them (404, not 403: its existence is not told either)."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_analyst and submission.region_code != user.region_code:
        raise Http404


def chosen_year(request: HttpRequest) -> int:
    try:
        return services.parse_year(request.GET.get("year"))
    except services.Refused:
        return services.default_year()


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or process manager: the database answers."""
    count = Submission.objects.count()
    return JsonResponse({"status": "ok", "submissions": count})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_analyst:
        return redirect("collection", year=chosen_year(request))
    if not user.region_code:
        raise PermissionDenied
    return region_page(request, user.region_code, chosen_year(request), UploadForm())


def region_page(
    request: HttpRequest, region_code: str, year: int, form: UploadForm, status: int = 200
) -> HttpResponse:
    deadline, close = services.evstats().collection_dates(year)
    history = list(Submission.objects.filter(region_code=region_code, year=year))
    snapshot = services.pipeline_status(year)
    for sub in history:
        sub.held = services.in_force(sub, snapshot)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/region.html",
        {
            "region": (region_code, services.regions().get(region_code, "")),
            "year": year,
            "years": list(range(finland_today().year, FIRST_YEAR - 1, -1)),
            "form": form,
            "history": history,
            "deadline": deadline,
            "close": close,
            "closed": finland_today() > close,
            "snapshot": snapshot,
            "kinds": kind_labels(),
            "review": services.current_review(region_code, year),
        },
        status=status,
    )


def kind_labels() -> dict[str, str]:
    lang = current_language()
    return {k: c.labels[lang] for k, c in services.schema().contracts.items()}


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = UploadForm(request.POST, request.FILES, analyst=user.is_analyst)
    region_code = user.region_code
    if not form.is_valid():
        return region_page(request, region_code, services.default_year(), form, status=400)
    if user.is_analyst:
        region_code = form.cleaned_data["region"]
    year = form.cleaned_data["year"]
    lang = current_language()
    f = form.cleaned_data["file"]
    if f.size > services.evstats().limits.max_bytes:
        return refused(request, services.too_large())
    upload_ = services.Upload(f.name, f.read())
    try:
        if request.POST.get("action") == "check":
            verdict = services.check(upload_, region_code, year, lang)
            return render(request, "portal/verdict.html", verdict_context(verdict, checked=True))
        submission, _ = services.submit(upload_, region_code, year, lang, user=user)
    except services.Refused as exc:
        return refused(request, exc)
    messages.success(request, t("received_message", file=submission.file_name))
    return redirect("submission", pk=submission.pk)


def refused(request: HttpRequest, exc: services.Refused) -> HttpResponse:
    return render(
        request,
        "portal/refused.html",
        {"message": exc.text or t(exc.key, **exc.params)},
        status=exc.status,
    )


def verdict_context(verdict: Verdict, *, checked: bool) -> dict[str, object]:
    schema = services.schema()
    lang = current_language()
    issues = [
        {
            "severity": schema.text(i.severity, lang),
            "level": i.severity,
            "row": i.row,
            "column": verdict.headers.get(i.column or "", i.column),
            "value": i.value,
            "message": i.message,
        }
        for i in verdict.issues[:SHOWN_ISSUES]
    ]
    kind = kind_labels()[verdict.kind] if verdict.kind else t("unknown_kind")
    return {
        "verdict": verdict,
        "kind": kind,
        "issues": issues,
        "hidden": max(0, len(verdict.issues) - SHOWN_ISSUES),
        "errors": verdict.count("fatal") + verdict.count("error"),
        "warnings": verdict.count("warning"),
        "checked": checked,
    }


def verdict_of(submission: Submission) -> Verdict:
    """The verdict as the receipt keeps it: what the region was shown when it uploaded."""
    return Verdict(
        submission.file_name,
        submission.kind,
        submission.region_code,
        submission.year,
        [Issue(**i) for i in submission.issues],
        submission.rows,
        headers=submission.headers,
    )


@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    context = verdict_context(verdict_of(sub), checked=False)
    context.update(
        submission=sub,
        region_name=services.regions().get(sub.region_code, ""),
        in_force=services.in_force(sub, services.pipeline_status(sub.year)),
        explained=explained_warnings(sub),
        reasons=[
            (
                code,
                services.schema().codelists["explanation_reasons"].label(code, current_language()),
            )
            for code in services.schema().codelists["explanation_reasons"].codes
        ],
    )
    return render(request, "portal/verdict.html", context)


@login_required
def annotated(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    from pipelines.validate.annotate import annotated_workbook  # openpyxl: only when asked

    data = annotated_workbook(
        services.stored_file(sub), verdict_of(sub), services.schema(), sub.lang
    )
    name = f"{Path(sub.file_name).stem}_{t('annotated_suffix', sub.lang)}.xlsx"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=XLSX)


@cache
def template_files(lang: str) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        return {p.name: p.read_bytes() for p in write_templates(services.schema(), lang, Path(tmp))}


@login_required
def template_download(request: HttpRequest, lang: str, name: str) -> HttpResponse:
    if lang not in LANGUAGES or name not in template_files(lang):
        raise Http404
    content_type = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    data = template_files(lang)[name]
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=name, content_type=content_type
    )


def analyst_only(request: HttpRequest) -> None:
    if not request.user.is_analyst:  # type: ignore[union-attr]
        raise PermissionDenied


@login_required
def collection(request: HttpRequest, year: int) -> HttpResponse:
    analyst_only(request)
    rows = services.collection(year)
    deadline, close = services.evstats().collection_dates(year)
    reviews = {row.code: services.current_review(row.code, year) for row in rows}
    totals = {
        kind: {
            state: sum(1 for r in rows if r.cells[kind].state == state)
            for state in ("accepted", "rejected", "missing")
        }
        for kind in services.KINDS
    }
    return render(
        request,
        "portal/collection.html",
        {
            "year": year,
            "years": list(range(finland_today().year, FIRST_YEAR - 1, -1)),
            "rows": rows,
            "totals": totals,
            "kinds": [(k, kind_labels()[k]) for k in services.KINDS],
            "deadline": deadline,
            "close": close,
            "snapshot": services.pipeline_status(year),
            "last_run": services.last_run(year),
            "reviews": reviews,
            "release": services.release_state(year),
            "upload_form": UploadForm(analyst=True),
        },
    )


@login_required
def review(request: HttpRequest, year: int, region_code: str) -> HttpResponse:
    """One region's year for the analyst: its files, the last word on them, and the form
    to accept the year or return it for correction with a message."""
    analyst_only(request)
    if region_code not in services.regions():
        raise Http404
    if request.method == "POST":
        state = request.POST.get("state")
        message = request.POST.get("message", "")
        if state not in (Review.ACCEPTED, Review.RETURNED) or (
            state == Review.RETURNED and not message.strip()
        ):
            messages.error(request, t("review_needs_message"))
            return redirect("review", year=year, region_code=region_code)
        files = services.files_in_review(region_code, year)
        waiting = sum(len(services.unexplained(f)) for f in files)
        if state == Review.ACCEPTED and waiting:
            messages.error(request, t("review_explanations_missing", n=waiting))
            return redirect("review", year=year, region_code=region_code)
        done = services.review(region_code, year, state, message, request.user)
        try:
            sent = services.mail_review(done, request.build_absolute_uri("/"))
            messages.success(request, t(f"reviewed_{state}", n=sent))
        except (OSError, smtplib.SMTPException):
            messages.warning(request, t("review_not_mailed"))
        return redirect("collection", year=year)
    return render(
        request,
        "portal/review.html",
        {
            "year": year,
            "region": (region_code, services.regions()[region_code]),
            "submissions": Submission.objects.filter(region_code=region_code, year=year),
            "current": services.current_review(region_code, year),
            "kinds": kind_labels(),
            "explained": [
                explained_warnings(f) for f in services.files_in_review(region_code, year)
            ],
        },
    )


def explained_warnings(submission: Submission) -> dict[str, object]:
    """A file's plausibility warnings, each with the region's explanation if given."""
    answers = {(e.rule, e.row): e for e in submission.explanations.all()}
    reasons = services.schema().codelists["explanation_reasons"]
    lang = current_language()
    warnings = []
    for issue in services.warnings_to_explain(submission):
        answer = answers.get((issue["rule"], issue["row"]))
        reason = reasons.label(answer.reason, lang) if answer else None
        warnings.append({**issue, "answer": answer, "reason": reason})
    return {"submission": submission, "warnings": warnings}


@login_required
@require_POST
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    row = request.POST.get("row")
    try:
        services.explain(
            sub,
            request.POST.get("rule", ""),
            int(row) if row else None,
            request.POST.get("reason", ""),
            request.POST.get("text", ""),
            request.user,
        )
    except ValueError:
        messages.error(request, t("explanation_invalid"))
    else:
        messages.success(request, t("explanation_saved"))
    return redirect("submission", pk=pk)


@login_required
@require_POST
def release(request: HttpRequest, year: int) -> HttpResponse:
    analyst_only(request)
    if not services.release_state(year)["ready"]:
        messages.error(request, t("release_not_ready"))
    else:
        services.request_release(year, request.POST.get("note", ""))
        messages.success(request, t("release_requested"))
    return redirect("collection", year=year)


@login_required
def missing_csv(request: HttpRequest, year: int) -> HttpResponse:
    """Non-submitters of a year with their contacts' addresses, for a reminder e-mail."""
    analyst_only(request)
    labels = kind_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([t(k) for k in ("region_code", "region", "missing_files", "contacts")])
    for row in services.collection(year):
        gaps = [labels[k] for k in services.KINDS if row.cells[k].state != "accepted"]
        if gaps:
            writer.writerow(
                [row.code, row.name, ", ".join(gaps), " ".join(services.contacts(row.code))]
            )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="missing_{year}.csv"'
    return response
