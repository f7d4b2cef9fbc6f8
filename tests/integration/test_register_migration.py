"""A portal database from before the register migrates: its receipts, reviews and ids
stay, and they are given the states the old rules implied."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management import call_command
from django.db import connections

from pipelines.register.db import alias
from pipelines.settings import Settings


def test_receipts_and_reviews_of_the_portal_become_the_registers(tmp_path):
    db = alias(Settings(data_dir=str(tmp_path)))
    call_command("migrate", "portal", "0003", database=db, verbosity=0)
    t = [datetime(2025, 2, d, 10, tzinfo=UTC).isoformat() for d in range(1, 8)]
    receipts = [  # id, region, kind, accepted, received
        (11, "05", "incidents", True, t[0]),
        (12, "05", "missions", True, t[1]),
        (13, "05", "incidents", False, t[2]),
        (14, "05", "incidents", True, t[3]),
        (15, "06", "incidents", True, t[4]),
    ]
    with connections[db].cursor() as cur:
        for sid, region, kind, accepted, at in receipts:
            cur.execute(
                "INSERT INTO portal_submission (id, region_code, year, kind, file_name, "
                "stored_name, sha256, size_bytes, rows, received_at, accepted, errors, "
                "warnings, lang, issues, headers) VALUES "
                "(%s, %s, 2023, %s, 'f.csv', %s, %s, 1, 1, %s, %s, 0, 0, 'fi', '[]', '{}')",
                [sid, region, kind, f"s{sid}.csv", f"{sid:064d}", at, accepted],
            )
        # 05 accepted before its last file (so it awaits review again); 06 after its file.
        for region, at in (("05", t[2]), ("06", t[5])):
            cur.execute(
                "INSERT INTO portal_review (region_code, year, state, message, reviewed_at) "
                "VALUES (%s, 2023, 'accepted', '', %s)",
                [region, at],
            )
    call_command("migrate", database=db, verbosity=0)
    from pipelines.register.models import RegionYear, Submission

    found = list(
        Submission.objects.using(db).order_by("id").values_list("id", "seq", "state", "channel")
    )
    assert found == [
        (11, 1, "superseded", "portal"),
        (12, 2, "in_force", "portal"),
        (13, 3, "rejected", "portal"),
        (14, 4, "in_force", "portal"),
        (15, 1, "in_force", "portal"),
    ]
    years = dict(RegionYear.objects.using(db).values_list("region_code", "state"))
    assert years == {"05": "awaiting_review", "06": "accepted"}
    assert RegionYear.objects.using(db).get(region_code="05").next_seq == 5
