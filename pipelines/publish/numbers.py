"""Numbers written as each language writes them, with the official symbols.

Finnish and Swedish: decimal comma and a no-break space between thousands
(1 753,0); English: 1,753.0. Symbols follow Statistics Finland: `..` not
published (disclosure control), `.` not available.
"""

from __future__ import annotations

NBSP = "\u00a0"
SUPPRESSED = ".."
NOT_AVAILABLE = "."
# Incidents per 1,000 missions are published with two decimals, everywhere they are written.
RATE_DECIMALS = 2


def fmt_number(
    value: float | int | None, lang: str, decimals: int = 0, *, missing: str = NOT_AVAILABLE
) -> str:
    if value is None:
        return missing
    text = f"{value:,.{decimals}f}"
    if lang in ("fi", "sv"):
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def fmt_signed(value: float | int, lang: str, decimals: int = 0) -> str:
    """A change with its sign; a true minus sign, as typeset text uses."""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + fmt_number(abs(value), lang, decimals)


def percent_sign(lang: str) -> str:
    """Finnish and Swedish put a no-break space before the per cent sign, English none."""
    return "%" if lang == "en" else f"{NBSP}%"


def fmt_percent(value: float | int, lang: str, decimals: int = 0) -> str:
    return fmt_number(value, lang, decimals) + percent_sign(lang)
