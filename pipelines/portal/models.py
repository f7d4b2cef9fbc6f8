"""The portal's own records: people and system tokens.

Receipts, reviews, explanations and releases are the register's
(`pipelines.register.models`), which the pipeline reads too.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from pipelines.contract.i18n import LANGUAGES

TOKEN_PREFIX = "evs_"


class User(AbstractUser):
    """A person: a region's data contact (`submitter`, bound to one region) or an analyst."""

    SUBMITTER = "submitter"
    ANALYST = "analyst"
    ROLES = ((SUBMITTER, SUBMITTER), (ANALYST, ANALYST))

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=ROLES, default=SUBMITTER)
    region_code = models.CharField(max_length=2, blank=True, default="")
    # The language the person reads: the frame of the mail they get is in it first.
    lang = models.CharField(
        max_length=2, choices=[(lang, lang) for lang in LANGUAGES], default=LANGUAGES[0]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # noqa: RUF012 (Django reads it as a plain list)

    @property
    def is_analyst(self) -> bool:
        return self.role == self.ANALYST

    def save(self, *args: object, **kwargs: object) -> None:
        self.username = self.email
        super().save(*args, **kwargs)


def token_digest(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough to store them by:
    the token itself is shown once and kept nowhere."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A region's incident system submitting on its own."""

    region_code = models.CharField(max_length=2)
    name = models.CharField(max_length=100, blank=True, default="")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    @classmethod
    def create(cls, region_code: str, name: str = "") -> tuple[ApiToken, str]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(
            region_code=region_code, name=name, digest=token_digest(token)
        ), token

    def __str__(self) -> str:
        return f"{self.region_code} {self.name}".strip()
