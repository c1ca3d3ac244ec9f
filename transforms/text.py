"""Text helpers shared by every stage: folding, vendor-name normalisation, tokens."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["fold", "normalise_vendor", "tokens", "fold_series", "normalise_vendor_series", "factorize_text",
           "LEGAL_FORMS"]

LEGAL_FORMS = (
    "b.v.", "bv", "b.v", "n.v.", "nv", "n.v", "v.o.f.", "vof", "holding", "holdings", "group", "groep",
    "gmbh", "ltd", "limited", "inc", "llc", "plc", "s.a.", "sa", "ag", "nederland", "netherlands",
    "the netherlands", "benelux", "europe", "bvba", "c.v.", "cv", "u.a.", "ua", "cooperatie",
    "stichting",
)
_LEGAL_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True)) + r")(?![\w])"
)
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """Lower-case, strip accents and collapse whitespace; None/NaN become ''."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = str(text)
    if not s.isascii():  # NFKD leaves ASCII as it is and it has no combining marks
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACES.sub(" ", s.lower()).strip()


def normalise_vendor(name: object) -> str:
    """'CENTRIC NETHERLANDS B.V.' -> 'centric'; legal forms, punctuation and accents removed."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return _normalise_vendor_str(str(name))


@lru_cache(maxsize=1 << 17)
def _normalise_vendor_str(name: str) -> str:
    """:func:`normalise_vendor` of a string, remembered: a ledger read in chunks names the same
    suppliers in every chunk (100,000 distinct names in a 1M-line ledger)."""
    s = fold(name)
    if not s:
        return ""
    s = s.replace("&", " en ")
    s = _LEGAL_RE.sub(" ", s)
    s = _NON_WORD.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def tokens(text: object) -> list[str]:
    """Folded word tokens of a text."""
    return [t for t in _NON_WORD.split(fold(text)) if t]


def fold_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`fold` for a Series (object dtype)."""
    s = values.fillna("").astype(str).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return s.str.lower().str.replace(_SPACES, " ", regex=True).str.strip()


def normalise_vendor_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_vendor`; computes each distinct name once."""
    uniques = values.dropna().astype(str).unique()
    mapping = {u: normalise_vendor(u) for u in uniques}
    return values.map(mapping).fillna("")


def factorize_text(values) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of text values: (code per value, -1 when missing; the distinct values as an
    object array, in order of first appearance). On pandas' Arrow-backed ``str`` columns it encodes
    the column natively, without a Python string per row: at a million ledger lines that is ten times
    faster than factorising the same values as objects, with the same codes."""
    if isinstance(values, pd.Series | pd.Index) and isinstance(values.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)
