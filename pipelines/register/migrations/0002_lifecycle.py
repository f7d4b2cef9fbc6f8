"""The lifecycle: each receipt's channel, order in its region's year, state and the
receipt it repeats; the region-years, releases and the year's last run. Existing
receipts are given the states the old rules implied: the latest accepted file of
each kind in force, the earlier ones superseded, a region's latest review standing
unless a file came after it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHOICES_FILE = [(s, s) for s in ("received", "rejected", "in_force", "superseded", "unchanged")]
CHOICES_CHANNEL = [(c, c) for c in ("portal", "api", "analyst", "folder", "cli")]
CHOICES_REGION_YEAR = [
    (s, s) for s in ("open", "awaiting_review", "accepted", "returned", "released")
]


def backfill(apps, schema_editor):
    db = schema_editor.connection.alias
    Submission = apps.get_model("register", "Submission")
    Review = apps.get_model("register", "Review")
    RegionYear = apps.get_model("register", "RegionYear")
    groups: dict[tuple[int, str], list] = {}
    for sub in Submission.objects.using(db).order_by("received_at", "id"):
        groups.setdefault((sub.year, sub.region_code), []).append(sub)
    for (year, region), subs in groups.items():
        latest: dict[str, object] = {}
        for seq, sub in enumerate(subs, start=1):
            sub.seq = seq
            sub.channel = "api" if sub.token_id else "portal"
            if sub.submitted_by_id and sub.submitted_by.role == "analyst":
                sub.channel = "analyst"
            sub.state = "in_force" if sub.accepted else "rejected"
            if sub.accepted:
                if sub.kind in latest:
                    latest[sub.kind].state = "superseded"
                latest[sub.kind] = sub
        for sub in subs:
            sub.save(using=db, update_fields=["seq", "channel", "state"])
        review = Review.objects.using(db).filter(year=year, region_code=region).first()
        last = subs[-1].received_at
        if review is not None and review.reviewed_at > last:
            state = review.state
        else:
            state = "awaiting_review" if latest else "open"
        RegionYear.objects.using(db).create(
            year=year, region_code=region, state=state, next_seq=len(subs) + 1, changed_at=last
        )


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            "submission",
            "channel",
            models.CharField(choices=CHOICES_CHANNEL, default="portal", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField("submission", "seq", models.IntegerField(null=True)),
        migrations.AddField(
            "submission",
            "state",
            models.CharField(choices=CHOICES_FILE, default="received", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            "submission",
            "repeats",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to="register.submission",
            ),
        ),
        migrations.AddField("submission", "figures", models.JSONField(blank=True, null=True)),
        migrations.AddField(
            "submission", "source", models.CharField(blank=True, default="", max_length=255)
        ),
        migrations.AddField("submission", "loaded_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField("submission", "published", models.BooleanField(blank=True, null=True)),
        migrations.CreateModel(
            name="RegionYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField()),
                ("region_code", models.CharField(max_length=2)),
                (
                    "state",
                    models.CharField(choices=CHOICES_REGION_YEAR, default="open", max_length=16),
                ),
                ("release", models.IntegerField(blank=True, null=True)),
                ("next_seq", models.IntegerField(default=1)),
                ("changed_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("year", "region_code"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "region_code"), name="one_per_region_year"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Release",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField()),
                ("number", models.IntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("requested", "requested"),
                            ("released", "released"),
                            ("refused", "refused"),
                        ],
                        default="requested",
                        max_length=16,
                    ),
                ),
                ("date", models.DateField()),
                ("note", models.TextField(blank=True, default="")),
                ("requested_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("reason", models.TextField(blank=True, default="")),
                ("path", models.CharField(blank=True, default="", max_length=1024)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("year", "number", "id"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "released")),
                        fields=("year", "number"),
                        name="one_release_per_number",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "requested")),
                        fields=("year",),
                        name="one_open_request",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="YearRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField(unique=True)),
                ("run_id", models.CharField(max_length=64)),
                ("outcome", models.CharField(max_length=16)),
                ("finished_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField("submission", "seq", models.IntegerField()),
        migrations.AddConstraint(
            "submission",
            models.UniqueConstraint(
                fields=("year", "region_code", "seq"), name="one_seq_per_region_year"
            ),
        ),
    ]
