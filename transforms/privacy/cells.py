"""Text cells safe to open in a spreadsheet (OWASP CSV injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
``'`` so Excel and LibreOffice show it as text instead of running it as a formula. Numbers stay
numbers (only ``str`` values are touched). Newlines and tabs inside a cell are kept; other control
characters (which XLSX cannot hold and which break terminals) are removed. :func:`restore_cell`
undoes the prefix for a file that comes back from an editor (the register's XLSX import).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["neutralise_cell", "restore_cell", "neutralise_frame", "FORMULA_STARTS"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet cell; non-text values are returned unchanged."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    if _needs_prefix(text):  # also text that already starts with the prefix, so restore_cell is exact
        return "'" + text
    return text


def restore_cell(value: object) -> object:
    """The text as it was before :func:`neutralise_cell` (a leading ``'`` before a formula start goes)."""
    if isinstance(value, str) and value.startswith("'") and _needs_prefix(value[1:]):
        return value[1:]
    return value


def _needs_prefix(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or (text.startswith("'") and text[1:].startswith(FORMULA_STARTS))


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and the column names) neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out
