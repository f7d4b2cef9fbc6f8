"""Personal data detection: Finnish personal identity codes (henkilötunnus),
e-mail addresses and phone numbers.

Such data must never reach a log, a message or an output: a file that holds
it is rejected, and every value shown to anyone passes through
`mask_personal_data` first. Identity codes are checked by date and check
character, so that an incident number that merely looks like one is not flagged.
"""

from __future__ import annotations

import re
from datetime import date

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
CENTURY.update({c: 2000 for c in "ABCDEF"})
HETU_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])(?![0-9A-Za-z])")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A Finnish number: +358 or a leading 0, then an area or operator code that does not
# start with 0 (so a zero-padded running number like 00000001 is not a phone).
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+358[\s-]?[1-9]\d{0,2}|0[1-9]\d{0,2})[\s-]?\d{3}[\s-]?\d{3,4}(?!\w)"
)
# A cheap filter for vectorised scans in Polars, whose regex engine has no
# look-around: the patterns above with each look-around turned into a consumed
# character, so a text holds a candidate whenever it holds a match, and
# identifiers such as `05-00000001` are not sent through the Python checks.
CANDIDATE_RE = (
    r"\d{6}[-+A-FU-Y]\d{3}|@|(?:^|[^\w+])(?:\+358[\s-]?[1-9]\d{0,2}|0[1-9]\d{0,2})"
    r"[\s-]?\d{3}[\s-]?\d{3,4}(?:\W|$)"
)


def is_valid_hetu(ddmmyy: str, sign: str, individual: str, check: str) -> bool:
    """True when the date exists and the check character matches (mod 31)."""
    try:
        date(CENTURY[sign] + int(ddmmyy[4:6]), int(ddmmyy[2:4]), int(ddmmyy[0:2]))
    except ValueError:
        return False
    return CHECK_CHARS[int(ddmmyy + individual) % 31] == check


def find_hetus(text: str) -> list[re.Match[str]]:
    return [m for m in HETU_RE.finditer(text) if is_valid_hetu(*m.groups())]


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) of every piece of personal data: 'hetu', 'email', 'phone'."""
    found = [("hetu", m.group(0)) for m in find_hetus(text)]
    found += [("email", m.group(0)) for m in EMAIL_RE.finditer(text)]
    found += [("phone", m.group(0)) for m in PHONE_RE.finditer(text)]
    return found


def mask_personal_data(text: str) -> str:
    """Keep just enough for the contact to find the value: `131052-****`,
    `***@example.fi`, `040 ****`."""
    for m in reversed(find_hetus(text)):
        text = text[: m.start()] + m.group(1) + m.group(2) + "****" + text[m.end() :]
    text = EMAIL_RE.sub(lambda m: "***@" + m.group(0).split("@", 1)[1], text)
    return PHONE_RE.sub(lambda m: m.group(0)[:3] + " ****", text)
