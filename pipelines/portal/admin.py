"""The framework's admin for the analyst: people, tokens and receipts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pipelines.portal.models import ApiToken, User
from pipelines.register.models import Submission


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "role", "region_code", "is_active", "last_login")
    list_filter = ("role", "region_code", "is_active")
    search_fields = ("email",)
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("evstats", {"fields": ("role", "region_code", "lang")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "last_login")}),
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
