"""Dutch number, money, percentage and date formatting for what management and citizens read.

``1234.5`` → ``"1.234,5"``, ``dt.date(2026, 12, 6)`` → ``"6 december 2026"``, ``"2026-11"`` →
``"november 2026"``. A share of nothing is never 100%: :func:`nl_pct` of 0 of 0 is ``"—"``.
"""

from __future__ import annotations

import datetime as dt
import math

from jinja2 import Undefined

__all__ = ["MONTHS", "nl_number", "nl_int", "nl_money", "nl_pct", "share", "nl_date", "nl_period", "nl_delta"]

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
_NONE = "—"


def _missing(value: object) -> bool:
    """None, NaN, or a figure a template asks for that was never computed (jinja2's Undefined)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or isinstance(value, Undefined)


def nl_number(value: object, decimals: int = 1) -> str:
    """1234.5 → '1.234,5'; whole numbers lose the decimals (8.0 → '8'); None → '—'."""
    if _missing(value):
        return _NONE
    v = float(value)  # type: ignore[arg-type]
    if v.is_integer() and decimals <= 1:
        decimals = 0
    text = f"{v:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def nl_int(value: object) -> str:
    """12345 → '12.345'."""
    return _NONE if _missing(value) else nl_number(round(float(value)), 0)  # type: ignore[arg-type]


def nl_money(value: object) -> str:
    """48250.4 → '€ 48.250' (whole euros; a no-break space keeps the sign with the amount)."""
    return _NONE if _missing(value) else f"€\u00a0{nl_int(value)}"


def share(part: float, whole: float) -> float | None:
    """part / whole as a percentage, or None when there is nothing to divide by (never 0/0 = 100%)."""
    if _missing(whole) or not whole:
        return None
    return 100.0 * float(part) / float(whole)


def nl_pct(part: float, whole: float | None = None, decimals: int = 0) -> str:
    """nl_pct(3, 4) → '75%'; nl_pct(0, 0) → '—'; nl_pct(62.5) (a percentage already) → '63%'."""
    pct = float(part) if whole is None and not _missing(part) else (None if whole is None else share(part, whole))
    if pct is None:
        return _NONE
    return f"{nl_number(round(pct, decimals), decimals)}%"


def nl_date(value: object) -> str:
    """date(2026, 12, 6) or '2026-12-06' → '6 december 2026'."""
    if _missing(value) or value == "":
        return _NONE
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        value = dt.date.fromisoformat(str(value)[:10])
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def nl_period(period: str) -> str:
    """'2026-11' → 'november 2026'."""
    year, month = str(period).split("-")[:2]
    return f"{MONTHS[int(month) - 1]} {int(year)}"


def nl_delta(value: float | None, decimals: int = 1) -> str:
    """+3 / −2 / '' for no change; None (no earlier period) → ''."""
    if _missing(value) or not value:
        return ""
    sign = "+" if value > 0 else "−"
    return f"{sign}{nl_number(abs(float(value)), decimals)}"  # type: ignore[arg-type]
