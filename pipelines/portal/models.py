"""The portal's own records: people, system tokens and upload receipts.

Receipts are the region's proof of submission and the analyst's view of the
collection; the files themselves go to the pipeline's inbox, and what the
pipeline made of them is read from its status snapshot, never from here.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

TOKEN_PREFIX = "evs_"


class User(AbstractUser):
    """A person: a region's data contact (`submitter`, bound to one region) or an analyst."""

    SUBMITTER = "submitter"
    ANALYST = "analyst"
    ROLES = ((SUBMITTER, SUBMITTER), (ANALYST, ANALYST))

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=ROLES, default=SUBMITTER)
    region_code = models.CharField(max_length=2, blank=True, default="")

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


class Submission(models.Model):
    """The receipt of one uploaded file: when, what, its hash and the verdict it got."""

    region_code = models.CharField(max_length=2, db_index=True)
    year = models.IntegerField(db_index=True)
    kind = models.CharField(max_length=16, null=True, blank=True)
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    rows = models.IntegerField(default=0)
    received_at = models.DateTimeField()
    accepted = models.BooleanField()
    errors = models.IntegerField(default=0)
    warnings = models.IntegerField(default=0)
    lang = models.CharField(max_length=2)
    issues = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=("year", "region_code", "kind")),)

    @property
    def status(self) -> str:
        return "accepted" if self.accepted else "rejected"

    def __str__(self) -> str:
        return f"{self.year}/{self.region_code} {self.file_name}"


class Review(models.Model):
    """The analyst's word on a region's year: accepted, or returned for correction with a
    message the region sees. It covers the files received up to it: a later upload
    needs a new review."""

    ACCEPTED = "accepted"
    RETURNED = "returned"
    STATES = ((ACCEPTED, ACCEPTED), (RETURNED, RETURNED))

    region_code = models.CharField(max_length=2)
    year = models.IntegerField()
    state = models.CharField(max_length=16, choices=STATES)
    message = models.TextField(blank=True, default="")
    reviewed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ("-reviewed_at", "-id")
        indexes = (models.Index(fields=("year", "region_code")),)

    def __str__(self) -> str:
        return f"{self.year}/{self.region_code} {self.state}"


class Explanation(models.Model):
    """A region's answer to a plausibility warning on one of its files: a reason from the
    code list `explanation_reasons` and free text (screened for personal data)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="explanations"
    )
    rule = models.CharField(max_length=64)
    row = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=32)
    text = models.TextField(blank=True, default="")
    explained_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    explained_at = models.DateTimeField()

    class Meta:
        ordering = ("submission", "rule", "row")
        constraints = (
            models.UniqueConstraint(fields=("submission", "rule", "row"), name="one_per_warning"),
        )

    def __str__(self) -> str:
        return f"{self.submission_id} {self.rule} {self.reason}"
