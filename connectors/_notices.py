"""Shared helpers for the tender connectors (TenderNed, TED)."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from transforms.text import fold

__all__ = ["NOTICE_COLUMNS", "cpv8", "notice_frame", "parse_date", "pick_lang", "buyer_matches", "to_float"]

NOTICE_COLUMNS = ["row_ref", "notice_id", "kenmerk", "date", "title", "description", "buyer", "cpv_codes",
                  "notice_type", "url", "winner", "winner_kvk", "value_eur"]
_CPV = re.compile(r"(\d{8})")
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_DMY = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def cpv8(codes: object) -> list[str]:
    """CPV codes as 8 digits without check digit: '72000000-5' -> '72000000'; accepts str/list/dicts."""
    if codes is None:
        return []
    if isinstance(codes, (str, int)):
        codes = re.split(r"[;,\s]+", str(codes))
    out: list[str] = []
    for c in codes:
        if isinstance(c, dict):
            c = c.get("code") or c.get("id") or ""
        m = _CPV.search(str(c))
        if m and m.group(1) not in out:
            out.append(m.group(1))
    return out


def parse_date(value: object) -> date | None:
    """'2026-04-18', '2016-11-23+01:00', '20250101', '18-04-2026' → date; else None."""
    if value is None:
        return None
    text = str(value).strip()
    for rx, order in ((_DATE, (0, 1, 2)), (_DMY, (2, 1, 0))):
        m = rx.search(text)
        if m:
            g = m.groups()
            try:
                return date(int(g[order[0]]), int(g[order[1]]), int(g[order[2]]))
            except ValueError:
                return None
    return None


def pick_lang(value: object, prefer: tuple[str, ...] = ("nld", "eng")) -> str | None:
    """Text of a multilingual TED field (dict keyed by language, values str or list), nld then eng."""
    if value is None:
        return None
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        for lang in prefer + tuple(lowered):
            if lang in lowered and lowered[lang]:
                return pick_lang(lowered[lang], prefer)
        return None
    if isinstance(value, list):
        parts = [p for p in (pick_lang(v, prefer) for v in value) if p]
        return "; ".join(dict.fromkeys(parts)) or None
    text = str(value).strip()
    return text or None


def to_float(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("€", "").replace("EUR", "").strip().replace(" ", "")
    if "," in text and ("." not in text or text.rfind(",") > text.rfind(".")):
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def buyer_matches(name: object, wanted: str | None) -> bool:
    """Case/accent-insensitive containment of the configured buyer in the notice's buyer name."""
    return not wanted or (name is not None and fold(wanted) in fold(name))


def notice_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=NOTICE_COLUMNS).astype(object)
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    frame["value_eur"] = pd.to_numeric(frame["value_eur"], errors="coerce").astype("float64")
    frame["cpv_codes"] = frame["cpv_codes"].map(lambda v: [str(c) for c in v] if isinstance(v, (list, tuple, np.ndarray)) else [])
    return frame
