"""The pages: a region's data contact uploads and reads verdicts; the analyst follows
the collection. Every view that shows a submission checks its region first."""

from __future__ import annotations

import base64
import csv
import io
import smtplib
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from pipelines.contract import issues as issue_records
from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.template import write_templates
from pipelines.portal import ratelimits, services
from pipelines.portal.forms import ExplanationForm, ReleaseForm, ReviewForm, UploadForm
from pipelines.portal.models import User
from pipelines.portal.services import collection as collection_service
from pipelines.portal.services import release as release_service
from pipelines.portal.services import review as review_service
from pipelines.portal.services import uploads
from pipelines.portal.texts import current_language, t
from pipelines.register import lifecycle
from pipelines.register.models import Submission
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


class SetPasswordView(PasswordResetConfirmView):
    """The one-time link's page: the rules are shown with the field (its help text, to
    which Django points the field's `aria-describedby`), and once the password is set
    the person lands on sign-in told so."""

    template_name = "portal/set_password.html"
    success_url = "/login/"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, t("password_set"))
        return response


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or process manager: the register answers (and nothing of
    what it holds is told: the page is open to anyone)."""
    Submission.objects.exists()
    return JsonResponse({"status": "ok"})


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
            "kinds": kind_labels(),
            "review": review_service.current_review(region_code, year),
        },
        status=status,
    )


def kind_labels() -> dict[str, str]:
    lang = current_language()
    return {k: c.labels[lang] for k, c in services.schema().contracts.items()}


@login_required
@require_POST
@ratelimits.per_account
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
        return refused(request, uploads.too_large())
    upload_ = uploads.Upload(f.name, f.read())
    try:
        if request.POST.get("action") == "check":
            verdict = uploads.check(upload_, region_code, year, lang)
            context = verdict_context(verdict, checked=True)
            if verdict.issues and verdict.rows <= uploads.CHECKED_COPY_MAX_ROWS:
                context["annotated"] = checked_copy(upload_, verdict, lang)
            elif verdict.issues:
                context["annotated_on_receipt"] = uploads.CHECKED_COPY_MAX_ROWS
            return render(request, "portal/verdict.html", context)
        channel = "analyst" if user.is_analyst else "portal"
        submission, _ = uploads.submit(upload_, region_code, year, lang, channel, user=user)
    except services.Refused as exc:
        return refused(request, exc)
    level, told = receipt_message(submission)
    messages.add_message(request, level, told)
    return redirect("submission", pk=submission.pk)


def checked_copy(upload_: uploads.Upload, verdict: Verdict, lang: str) -> dict[str, str]:
    """The annotated copy of a file only checked, as a link that holds it (a data: URL):
    built from the bytes of this request and sent in its answer, so nothing of a file
    the region did not submit is kept on the server, and no second request must find it."""
    data = uploads.annotated_copy(upload_.data, verdict, lang)
    return {
        "name": annotated_name(verdict.file, lang),
        "href": f"data:{XLSX};base64,{base64.b64encode(data).decode()}",
    }


def annotated_name(file_name: str, lang: str) -> str:
    return f"{Path(file_name).stem}_{t('annotated_suffix', lang)}.xlsx"


def receipt_message(submission: Submission) -> tuple[int, str]:
    """The receipt's banner, as the verdict below it: red for a rejected file, amber for
    one accepted with warnings, green otherwise; it says when the file changed nothing
    or brought an earlier file back into force."""
    if not submission.accepted:
        return messages.ERROR, t("receipt_rejected", file=submission.file_name)
    level, told = messages.SUCCESS, t("received_message", file=submission.file_name)
    if submission.warnings:
        level = messages.WARNING
        told = t("received_with_warnings", file=submission.file_name, n=submission.warnings)
    if submission.state == lifecycle.UNCHANGED:
        return level, f"{told} {t('receipt_unchanged', n=submission.repeats_id)}"
    if submission.repeats_id:
        return level, f"{told} {t('receipt_repeats', n=submission.repeats_id)}"
    return level, told


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
        "hidden": max(0, verdict.issue_count - SHOWN_ISSUES),
        "errors": verdict.count("fatal") + verdict.count("error"),
        "warnings": verdict.count("warning"),
        "checked": checked,
    }


def verdict_of(submission: Submission) -> Verdict:
    """The verdict as the receipt keeps it, its messages in the reader's language."""
    lang = current_language()
    return Verdict(
        submission.file_name,
        submission.kind,
        submission.region_code,
        submission.year,
        [issue_records.render(services.schema(), i, lang) for i in submission.issues],
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
@require_GET
def submission_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Whether the statistics use the file yet, for the receipt page's script: the page
    says "waiting for the statistics run" and updates itself when the run is done."""
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    state = sub.in_statistics
    return JsonResponse({"in_statistics": state, "text": t(f"in_statistics_{state}")})


@login_required
def annotated(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    lang = current_language()
    data = uploads.annotated_copy(uploads.stored_file(sub), verdict_of(sub), lang)
    name = annotated_name(sub.file_name, lang)
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
    rows = collection_service.collection(year)
    deadline, close = services.evstats().collection_dates(year)
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
            "last_run": collection_service.year_run(year),
            "release": release_service.release_state(year),
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
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("review", year=year, region_code=region_code)
        state, message = form.cleaned_data["state"], form.cleaned_data["message"]
        try:
            done = review_service.decide(region_code, year, state, message, request.user)
        except lifecycle.Blocked as blocked:
            messages.error(request, t(blocked.key, **blocked.params))
            return redirect("review", year=year, region_code=region_code)
        except lifecycle.IllegalTransition:
            messages.error(request, t("review_not_allowed"))
            return redirect("review", year=year, region_code=region_code)
        try:
            sent = review_service.mail_review(done, request.build_absolute_uri("/"))
            messages.success(request, t(f"reviewed_{state}", n=sent))
        except (OSError, smtplib.SMTPException):
            messages.warning(request, t("review_not_mailed"))
        return redirect("collection", year=year)
    in_force = review_service.files_in_review(region_code, year)
    return render(
        request,
        "portal/review.html",
        {
            "year": year,
            "region": (region_code, services.regions()[region_code]),
            "submissions": Submission.objects.filter(region_code=region_code, year=year),
            "current": review_service.current_review(region_code, year),
            "kinds": kind_labels(),
            "in_force": in_force,
            "mail_configured": review_service.mail_configured(),
            "explained": [explained_warnings(f) for f in in_force],
        },
    )


def explained_warnings(submission: Submission) -> dict[str, object]:
    """A file's plausibility warnings, each with the region's explanation if given."""
    answers = {(e.rule, e.row): e for e in submission.explanations.all()}
    reasons = services.schema().codelists["explanation_reasons"]
    lang = current_language()
    warnings = []
    for issue in review_service.warnings_to_explain(submission):
        answer = answers.get((issue["rule"], issue["row"]))
        reason = reasons.label(answer.reason, lang) if answer else None
        message = issue_records.render(services.schema(), issue, lang).message
        warnings.append({**issue, "message": message, "answer": answer, "reason": reason})
    return {"submission": submission, "warnings": warnings}


@login_required
@require_POST
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Submission, pk=pk)
    region_of(request, sub)
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        # What is wrong with the text itself (a NUL character, too long) in Django's
        # words in the reader's language; else the reason, which must be chosen.
        errors = form.errors.get("text") or [t("explanation_invalid")]
        messages.error(request, " ".join(errors))
        return redirect("submission", pk=pk)
    data = form.cleaned_data
    try:
        saved, masked = review_service.explain(
            sub, data["rule"], data["row"], data["reason"], data["text"], request.user
        )
    except ValueError:
        messages.error(request, t("explanation_invalid"))
    else:
        messages.success(request, t("explanation_saved"))
        if masked:
            messages.warning(request, t("explanation_masked", text=saved.text))
    return redirect("submission", pk=pk)


@login_required
def release(request: HttpRequest, year: int) -> HttpResponse:
    """The release's confirmation step: what it would hold (regions in force, missing,
    changed since the last release, the deadline), then the analyst's confirmation."""
    analyst_only(request)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                release_service.request_release(year, data["note"], request.user, data["number"])
            except lifecycle.Blocked as blocked:
                messages.error(request, t(blocked.key, **blocked.params))
            else:
                messages.success(request, t("release_requested"))
                return redirect("collection", year=year)
        else:
            messages.error(request, t("release_plan_changed"))
    state = release_service.release_state(year)
    deadline, passed = release_service.deadline_passed(year)
    names = services.regions()
    return render(
        request,
        "portal/release.html",
        {
            "year": year,
            "state": state,
            "plan": state.plan,
            "deadline": deadline,
            "deadline_passed": passed,
            "named": {
                group: [(code, names[code]) for code in getattr(state.plan, group)]
                for group in ("in_force", "missing", "changed")
            },
            "note": form["note"].value() or "",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def missing_csv(request: HttpRequest, year: int) -> HttpResponse:
    """Non-submitters of a year with their contacts' addresses, for a reminder e-mail."""
    analyst_only(request)
    labels = kind_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([t(k) for k in ("region_code", "region", "missing_files", "contacts")])
    for row in collection_service.collection(year):
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
