"""Forms of the portal; Django brings the CSRF token, field errors and their translations."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from pipelines.portal import services
from pipelines.portal.texts import t
from pipelines.settings import FIRST_YEAR
from pipelines.settings import today as finland_today


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the address as the user name; its refusals in the
    portal's words (Django's name the field by its model name, "email")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            "invalid_login": t("sign_in_failed"),
            "inactive": t("sign_in_inactive"),
        }
        self.fields["username"].label = t("email_label")
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})


def year_choices() -> list[tuple[int, int]]:
    """Years still open for uploads, newest first: a closed year is not offered at all."""
    today = finland_today()
    settings = services.evstats()
    return [
        (y, y)
        for y in range(today.year, FIRST_YEAR - 1, -1)
        if today <= settings.collection_dates(y)[1]
    ]


class UploadForm(forms.Form):
    file = forms.FileField()
    year = forms.TypedChoiceField(coerce=int)
    region = forms.ChoiceField(required=False)

    def __init__(self, *args: object, analyst: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = t("file")
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"
        self.fields["year"].label = t("year")
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = services.default_year()
        if analyst:
            self.fields["region"].label = t("region")
            self.fields["region"].required = True
            self.fields["region"].choices = [
                (code, f"{code} {name}") for code, name in services.regions().items()
            ]
        else:
            del self.fields["region"]


class ReviewForm(forms.Form):
    """The analyst's decision on a region's year: a return needs a message for the region."""

    state = forms.ChoiceField(choices=[("accepted", "accepted"), ("returned", "returned")])
    message = forms.CharField(required=False, max_length=5000)

    def clean(self) -> dict[str, object]:
        """A message refused on its own (a NUL character, too long) is not also called
        missing: the analyst is told what is wrong with the one they wrote."""
        data = super().clean() or {}
        if "message" in self.errors:
            return data
        if data.get("state") == "returned" and not str(data.get("message", "")).strip():
            raise forms.ValidationError(t("review_needs_message"))
        return data


class ExplanationForm(forms.Form):
    """A region's answer to one plausibility warning of one of its files."""

    rule = forms.CharField(max_length=64)
    row = forms.IntegerField(required=False, min_value=1)
    reason = forms.ChoiceField()
    text = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (code, code) for code in services.schema().codelists["explanation_reasons"].codes
        ]


class ReleaseForm(forms.Form):
    """The analyst's confirmation of the release shown to them: `number` is the version
    the confirmation page showed, so a release that became another meanwhile (a region
    revised, another request) is refused rather than made unseen."""

    note = forms.CharField(required=False, max_length=2000)
    number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
