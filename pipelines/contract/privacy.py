"""Personal data detection: Finnish personal identity codes (henkilötunnus),
e-mail addresses and phone numbers.

Such data must never reach a log, a message or an output: a file that holds
it is rejected, and every text that came from a region (values, headers, file
and sheet names, a workbook's metadata) passes through `mask_personal_data`
before it is stored or shown. The patterns are data, in
`schemas/personal_data.yaml`; identity codes are also checked by date and check
character, so that an incident number that merely looks like one is not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.contract.schema import SCHEMA_DIR, read_yaml

PERSONAL_DATA = SCHEMA_DIR / "personal_data.yaml"
CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
CENTURY.update({c: 2000 for c in "ABCDEF"})
FRAGMENT = re.compile(r"\{\{(\w+)\}\}")
GROUP_NAME = re.compile(r"\(\?P<\w+>")


def is_valid_hetu(ddmmyy: str, sign: str, individual: str, check: str) -> bool:
    """True when the date exists and the check character matches (mod 31); the sign
    and the check character may be written in lower case."""
    try:
        born = CENTURY[sign.upper()] + int(ddmmyy[4:6])
        date(born, int(ddmmyy[2:4]), int(ddmmyy[0:2]))
    except ValueError:
        return False
    return CHECK_CHARS[int(ddmmyy + individual) % 31] == check.upper()


def _hetu_checks_out(code: str) -> bool:
    return is_valid_hetu(code[:6], code[6], code[7:10], code[10])


# The checks a kind in `personal_data.yaml` may name.
CHECKS: dict[str, Callable[[str], bool]] = {"hetu": _hetu_checks_out}


@dataclass(frozen=True)
class Pattern:
    """One way a kind of personal data is written. `regex` finds it, look-arounds
    included; `candidate` is what Polars scans for (a text holding a match of
    `regex` holds one of it); `mask` shows a match; `check`, when there is one,
    must pass too."""

    kind: str
    regex: re.Pattern[str]
    candidate: str
    mask: str
    check: Callable[[str], bool] | None = None


def load_patterns(path: Path = PERSONAL_DATA) -> tuple[Pattern, ...]:
    """The patterns of `personal_data.yaml`, in the order they are tried."""
    spec = read_yaml(path)
    patterns = []
    for kind, rules in spec["kinds"].items():
        before = "".join(f"(?<!{p})" for p in rules.get("not_preceded_by", ()))
        after = "".join(f"(?!{p})" for p in rules.get("not_followed_by", ()))
        for written in rules["patterns"]:
            core = _expand(written, spec["fragments"])
            patterns.append(
                Pattern(
                    kind=kind,
                    regex=re.compile(before + core + after),
                    # Polars (Rust) refuses a group name used twice in one pattern.
                    candidate=rules.get("candidate", GROUP_NAME.sub("(?:", core)),
                    mask=rules["mask"],
                    check=CHECKS[rules["check"]] if "check" in rules else None,
                )
            )
    return tuple(patterns)


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    """The pattern with each `{{name}}` replaced by its fragment, fragments within
    fragments too; a cycle of fragments is an error, not a hang."""
    for _ in range(len(fragments) + 1):
        if not FRAGMENT.search(pattern):
            return pattern
        pattern = FRAGMENT.sub(lambda m: fragments[m.group(1)], pattern)
    raise ValueError(f"personal data fragments refer to each other in a cycle: {pattern}")


PATTERNS = load_patterns()
# A cheap filter for vectorised scans in Polars, whose regex engine has no
# look-around: a text holds a candidate whenever it holds a match, and identifiers
# such as `05-00000001` are not sent through the Python checks.
CANDIDATE_RE = "|".join(f"(?:{c})" for c in dict.fromkeys(p.candidate for p in PATTERNS))
# The same filter in Python: one search tells most texts hold nothing, three times
# faster than trying each pattern (the annotated copy masks every cell).
CANDIDATE = re.compile(CANDIDATE_RE)


def _scan(text: str, hidden: str = "*") -> tuple[str, list[tuple[str, str]]]:
    """The text masked, and (kind, text) of each piece of personal data masked in it.

    Each pattern reads the text the ones before it masked, so a piece is found and
    masked once, whichever pattern could take it. Masking can free a piece a digit
    was glued to (`09 123 4567+358401234567`), so the patterns run again until they
    find nothing: what comes out holds nothing to mask."""
    found: list[tuple[str, str]] = []

    def masked(pattern: Pattern, match: re.Match[str]) -> str:
        if pattern.check is not None and not pattern.check(match.group(0)):
            return match.group(0)
        found.append((pattern.kind, match.group(0)))
        kept = {k: v or "" for k, v in match.groupdict().items()}
        return pattern.mask.replace("*", hidden).format_map(kept)

    before = -1
    while len(found) > before and CANDIDATE.search(text):
        before = len(found)
        for pattern in PATTERNS:
            text = pattern.regex.sub(lambda m, p=pattern: masked(p, m), text)
    return text, found


def find_hetus(text: str) -> list[re.Match[str]]:
    """The identity codes in the text whose date and check character are right."""
    return [
        m
        for p in PATTERNS
        if p.kind == "hetu"
        for m in p.regex.finditer(text)
        if p.check is None or p.check(m.group(0))
    ]


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) of every piece of personal data: 'hetu', 'email', 'phone'."""
    return _scan(text)[1]


def mask_personal_data(text: str, hidden: str = "*") -> str:
    """Keep just enough for the contact to find the value: `131052-****`,
    `***@example.fi`, `040 ****`. `hidden` stands for each character hidden where
    `*` may not (a workbook's sheet name)."""
    return _scan(text, hidden)[0]
