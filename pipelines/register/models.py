"""The register's tables: receipts, the region-years' lifecycle, reviews, explanations,
releases and how the year's last run ended.

`Submission`, `Review` and `Explanation` were the portal's own tables before the
register took them over: their database tables keep the names they had, so receipt
ids stay what regions and release manifests know them by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pipelines.register import lifecycle


class Submission(models.Model):
    """The receipt of one received file: when, from which channel, what, its hash, the
    verdict it got at receipt (the verdict, which runs only confirm) and its state in
    the lifecycle. The file itself is in the archive under its SHA-256
    (`register.receipts.stored_path`)."""

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
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    token = models.ForeignKey("portal.ApiToken", null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=16, choices=[(c, c) for c in lifecycle.CHANNELS])
    # Order of receipt within the region's year, taken under the region-year's lock:
    # what decides which file is the latest, never a clock or an id.
    seq = models.IntegerField()
    state = models.CharField(max_length=16, choices=[(s, s) for s in lifecycle.FILE_STATES])
    # The earlier receipt of the same bytes, when this one repeats it.
    repeats = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    # The file's figures (counts only) for the plausibility checks of later files.
    figures = models.JSONField(null=True, blank=True)
    # For the folder channel: the name of the file in `inbox/<year>/<region>/`.
    source = models.CharField(max_length=255, blank=True, default="")
    # When a run took the file into the warehouse (null: not yet, or since a rebuild).
    loaded_at = models.DateTimeField(null=True, blank=True)
    # Whether the year's last run published this file as the one in force (null before
    # any run has looked at it): the API's `in_force`.
    published = models.BooleanField(null=True, blank=True)

    class Meta:
        db_table = "portal_submission"
        ordering = ("-received_at", "-id")
        indexes = (
            models.Index(
                fields=("year", "region_code", "kind"), name="portal_subm_year_748c7c_idx"
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("year", "region_code", "seq"), name="one_seq_per_region_year"
            ),
        )

    @property
    def status(self) -> str:
        return "accepted" if self.accepted else "rejected"

    @property
    def in_statistics(self) -> str:
        """Whether the statistics use the file: `yes` once a run has published it,
        `waiting` while it is in force in the register and no run has published it yet
        (the sensor's run is on its way), `no` otherwise (rejected, superseded, or the
        bytes already in force)."""
        if self.published:
            return "yes"
        if self.accepted and self.state == lifecycle.IN_FORCE:
            return "waiting"
        return "no"

    def __str__(self) -> str:
        return f"{self.year}/{self.region_code} #{self.seq} {self.file_name}"


class RegionYear(models.Model):
    """One region's year in the lifecycle (`lifecycle.REGION_YEAR`), and the counter of its
    receipts: a receipt locks this row, so two arriving at once are ordered."""

    year = models.IntegerField()
    region_code = models.CharField(max_length=2)
    state = models.CharField(
        max_length=16,
        choices=[(s, s) for s in lifecycle.REGION_YEAR_STATES],
        default=lifecycle.OPEN,
    )
    release = models.IntegerField(null=True, blank=True)
    next_seq = models.IntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ("year", "region_code")
        constraints = (
            models.UniqueConstraint(fields=("year", "region_code"), name="one_per_region_year"),
        )

    def __str__(self) -> str:
        return f"{self.year}/{self.region_code} {self.state}"


class Review(models.Model):
    """The analyst's word on a region's year, kept as its history: accepted, or returned
    for correction with a message the region sees. The region-year's state says which
    word stands."""

    ACCEPTED = "accepted"
    RETURNED = "returned"
    STATES = ((ACCEPTED, ACCEPTED), (RETURNED, RETURNED))

    region_code = models.CharField(max_length=2)
    year = models.IntegerField()
    state = models.CharField(max_length=16, choices=STATES)
    message = models.TextField(blank=True, default="")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField()

    class Meta:
        db_table = "portal_review"
        ordering = ("-reviewed_at", "-id")
        indexes = (
            models.Index(fields=("year", "region_code"), name="portal_revi_year_6282a3_idx"),
        )

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
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    explained_at = models.DateTimeField()

    class Meta:
        db_table = "portal_explanation"
        ordering = ("submission", "rule", "row")
        constraints = (
            models.UniqueConstraint(fields=("submission", "rule", "row"), name="one_per_warning"),
        )

    def __str__(self) -> str:
        return f"{self.submission_id} {self.rule} {self.reason}"


class Release(models.Model):
    """A release of a year: requested (its number allocated then, so a retried run makes
    the same release), then released or refused with the reason."""

    REQUESTED = "requested"
    RELEASED = "released"
    REFUSED = "refused"
    STATES = ((REQUESTED, REQUESTED), (RELEASED, RELEASED), (REFUSED, REFUSED))

    year = models.IntegerField()
    number = models.IntegerField()
    state = models.CharField(max_length=16, choices=STATES, default=REQUESTED)
    date = models.DateField()
    note = models.TextField(blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    path = models.CharField(max_length=1024, blank=True, default="")

    class Meta:
        ordering = ("year", "number", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("year", "number"),
                condition=models.Q(state="released"),
                name="one_release_per_number",
            ),
            models.UniqueConstraint(
                fields=("year",), condition=models.Q(state="requested"), name="one_open_request"
            ),
        )

    @property
    def name(self) -> str:
        return f"v{self.number}"

    def __str__(self) -> str:
        return f"{self.year} {self.name} {self.state}"


class YearRun(models.Model):
    """How the year's last pipeline run ended, for the analyst's view: a failed run leaves
    the published tables as they were, so the analyst must be told here."""

    year = models.IntegerField(unique=True)
    run_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.year} {self.outcome}"
