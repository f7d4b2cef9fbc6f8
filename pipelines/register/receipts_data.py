"""What a receipt records of a verdict, as plain data: the stages build it without
Django set up (the register's models need it), the register stores it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Judged:
    """A file's verdict as the register keeps it: counts, issues as rule codes and
    masked parameters (`Issue.record`, no message: it is rendered in the reader's
    language), the header names the file used, the language of the upload, and the
    file's figures (counts only) for later files' plausibility checks."""

    file_name: str
    kind: str | None
    accepted: bool
    rows: int
    errors: int
    warnings: int
    issues: list[dict[str, Any]]
    headers: dict[str, str]
    lang: str
    suffix: str
    figures: dict[str, Any] | None = None
