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


# Receipts of 2026 as the register kept them before issues were parameters: messages
# in the upload's language, one in a wording reworded since, one no wording reads.
OLD_ISSUES = [
    {
        "severity": "error",
        "row": 3,
        "column": "urgency",
        "value": "E",
        "rule": "code",
        "message": "Arvo ”E” ei ole sallittu sarakkeessa kiireellisyysluokka. "
        "Sallitut arvot: A, B, C, D.",
    },
    {
        "severity": "warning",
        "row": None,
        "column": None,
        "value": None,
        "rule": "incidents_changed",
        "message": "Tiedostossa on 41 tapahtumaa, kun alueella oli vuonna 2023 20. Näin suuri "
        "muutos on epätavallinen: tarkista, ettei tapahtumia puutu tai ole kahteen kertaan, "
        "tai selitä muutos.",
    },
    {
        "severity": "error",
        "row": 4,
        "column": "staff_count",
        "value": "x",
        "rule": "integer_format",
        "message": "Tämä teksti on muokattu käsin.",
    },
]


def test_stored_messages_become_codes_and_parameters_rendered_in_any_language(tmp_path):
    import json

    db = alias(Settings(data_dir=str(tmp_path)))
    call_command("migrate", "register", "0002", database=db, verbosity=0)
    with connections[db].cursor() as cur:
        cur.execute(
            "INSERT INTO portal_submission (id, region_code, year, kind, file_name, "
            "stored_name, sha256, size_bytes, rows, received_at, accepted, errors, "
            "warnings, lang, issues, headers, seq, state, channel, source) VALUES "
            "(21, '05', 2024, 'incidents', 'f.csv', 's.csv', %s, 1, 3, %s, 0, 2, 1, 'fi', "
            "%s, '{}', 1, 'rejected', 'portal', '')",
            ["0" * 64, datetime(2025, 2, 1, tzinfo=UTC).isoformat(), json.dumps(OLD_ISSUES)],
        )
    call_command("migrate", "register", database=db, verbosity=0)
    from pipelines.contract.issues import render
    from pipelines.contract.schema import load_schema
    from pipelines.register.models import Submission

    stored = Submission.objects.using(db).get(pk=21).issues
    code, changed, edited = stored
    assert code == {
        "severity": "error",
        "row": 3,
        "column": "urgency",
        "value": "E",
        "rule": "code",
        "params": {"column": "kiireellisyysluokka", "expected": "A, B, C, D"},
    }
    assert changed["params"] == {
        "column": None,
        "found": 41,
        "previous_year": 2023,
        "expected": 20,
    }
    assert edited == OLD_ISSUES[2]
    schema = load_schema()
    shown = [render(schema, i, "sv").message for i in stored]
    assert shown == [
        "Värdet ”E” är inte tillåtet i kolumnen kiireellisyysluokka. Tillåtna värden: A, B, C, D.",
        "Filen har 41 händelser, medan området år 2023 hade 20. En så stor förändring är "
        "ovanlig: kontrollera att inga händelser saknas eller finns två gånger, eller förklara "
        "förändringen.",
        "Tämä teksti on muokattu käsin.",
    ]
    # Back: every message in the upload's language again (the reworded one in today's words).
    call_command("migrate", "register", "0002", database=db, verbosity=0)
    back = Submission.objects.using(db).get(pk=21).issues
    assert back[0] == OLD_ISSUES[0]
    assert back[1]["message"].startswith(
        "Tiedostossa on 41 tapahtumaa, kun alueen tapahtumamäärä vuonna 2023 oli 20."
    )
    assert back[2] == OLD_ISSUES[2]
