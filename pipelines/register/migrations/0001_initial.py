"""The register takes over the portal's receipts, reviews and explanations: the tables
exist (`portal_submission`, `portal_review`, `portal_explanation`, created by the
portal's migrations), so this migration only tells Django they are the register's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0004_move_records_to_register"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state = [
        migrations.CreateModel(
            name="Submission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_code", models.CharField(db_index=True, max_length=2)),
                ("year", models.IntegerField(db_index=True)),
                ("kind", models.CharField(blank=True, max_length=16, null=True)),
                ("file_name", models.CharField(max_length=255)),
                ("stored_name", models.CharField(max_length=255)),
                ("sha256", models.CharField(max_length=64)),
                ("size_bytes", models.BigIntegerField()),
                ("rows", models.IntegerField(default=0)),
                ("received_at", models.DateTimeField()),
                ("accepted", models.BooleanField()),
                ("errors", models.IntegerField(default=0)),
                ("warnings", models.IntegerField(default=0)),
                ("lang", models.CharField(max_length=2)),
                ("issues", models.JSONField(default=list)),
                ("headers", models.JSONField(default=dict)),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="portal.apitoken",
                    ),
                ),
            ],
            options={
                "db_table": "portal_submission",
                "ordering": ("-received_at", "-id"),
                "indexes": [
                    models.Index(
                        fields=["year", "region_code", "kind"], name="portal_subm_year_748c7c_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Review",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_code", models.CharField(max_length=2)),
                ("year", models.IntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[("accepted", "accepted"), ("returned", "returned")], max_length=16
                    ),
                ),
                ("message", models.TextField(blank=True, default="")),
                ("reviewed_at", models.DateTimeField()),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "portal_review",
                "ordering": ("-reviewed_at", "-id"),
                "indexes": [
                    models.Index(fields=["year", "region_code"], name="portal_revi_year_6282a3_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="Explanation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule", models.CharField(max_length=64)),
                ("row", models.IntegerField(blank=True, null=True)),
                ("reason", models.CharField(max_length=32)),
                ("text", models.TextField(blank=True, default="")),
                ("explained_at", models.DateTimeField()),
                (
                    "explained_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="explanations",
                        to="register.submission",
                    ),
                ),
            ],
            options={
                "db_table": "portal_explanation",
                "ordering": ("submission", "rule", "row"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("submission", "rule", "row"), name="one_per_warning"
                    )
                ],
            },
        ),
    ]
    operations = [migrations.SeparateDatabaseAndState(state_operations=state)]
