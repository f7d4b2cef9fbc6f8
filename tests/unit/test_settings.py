"""Settings: one date for every face, and every setting reaching the pipeline's resources."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.settings import today

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"


def test_today_is_finlands_date_whatever_the_machines_zone():
    # 23:30 UTC on 4 December is 01:30 on 5 December in Helsinki (UTC+2 in winter),
    # and 21:30 UTC on 30 June is 00:30 on 1 July (UTC+3 in summer).
    assert today(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == date(2026, 12, 5)
    assert today(datetime(2026, 12, 4, 21, 59, tzinfo=UTC)) == date(2026, 12, 4)
    assert today(datetime(2026, 6, 30, 21, 30, tzinfo=UTC)) == date(2026, 7, 1)


def calls(path: Path) -> set[str]:
    """Dotted names of everything called in a module, such as `date.today`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = getattr(node, "func", None)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found.add(f"{func.value.id}.{func.attr}")
    return found


def test_no_face_asks_the_machine_for_its_own_date():
    """The portal judged dates against Helsinki's date and the pipeline against the
    machine's (UTC in containers): a row dated today sent before 3 a.m. got two
    verdicts. Every face takes `pipelines.settings.today`."""
    offenders = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if calls(p) & {"date.today", "timezone.localdate", "datetime.today"}
    )
    assert offenders == []
