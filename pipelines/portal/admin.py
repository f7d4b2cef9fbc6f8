"""The framework's admin for the analyst: people, tokens and receipts, named in the
analyst's language."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.functional import lazy

from pipelines.portal.models import ApiToken, User
from pipelines.portal.texts import t, texts
from pipelines.register.models import Submission

# A portal text read when a page shows it (lazily), in that page's language.
text = lazy(t, str)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "role", "region_code", "is_active", "last_login")
    list_filter = ("role", "region_code", "is_active")
    search_fields = ("email",)
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (text("admin_fieldset_role"), {"fields": ("role", "region_code", "lang")}),
        (
            text("admin_fieldset_status"),
            {"fields": ("is_active", "is_staff", "is_superuser", "last_login")},
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "role", "region_code", "lang", "password1", "password2")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("region_code", "name", "created_at", "last_used_at", "revoked")
    list_filter = ("region_code", "revoked")
    readonly_fields = ("digest", "created_at", "last_used_at")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("year", "region_code", "seq", "kind", "file_name", "channel", "state")
    list_filter = ("year", "region_code", "kind", "state", "channel")
    readonly_fields = tuple(f.name for f in Submission._meta.fields)


# The admin's names of the apps, models and fields whose own names are English only
# (ours and django-axes', which has no Finnish or Swedish), as portal texts: admin_<app>,
# admin_<app>_<model> and its plural with "_plural", and admin_field_<field> for our
# records' fields. Set on the loaded models rather than in their Meta and field
# arguments: Django keeps those in its migrations (Meta's original attributes, a
# field's own `verbose_name` argument), not the names the admin shows.
NAMED_MODELS = {
    "portal": ["apitoken"],
    "register": ["submission"],
    "axes": ["accessattempt", "accesslog", "accessfailurelog"],
}
admin.site.site_header = admin.site.site_title = text("admin_site_header")
for app_label, models in NAMED_MODELS.items():
    config = apps.get_app_config(app_label)
    config.verbose_name = text(f"admin_{app_label}")
    for model_name in models:
        meta = config.get_model(model_name)._meta
        meta.verbose_name = text(f"admin_{app_label}_{model_name}")
        meta.verbose_name_plural = text(f"admin_{app_label}_{model_name}_plural")
for model in (User, ApiToken, Submission):
    for field in model._meta.fields:
        if f"admin_field_{field.name}" in texts():
            field.verbose_name = text(f"admin_field_{field.name}")
