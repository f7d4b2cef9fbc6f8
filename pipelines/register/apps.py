"""The register's Django application."""

from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "pipelines.register"
    label = "register"
    default_auto_field = "django.db.models.BigAutoField"
