"""The portal's Django application."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "pipelines.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
