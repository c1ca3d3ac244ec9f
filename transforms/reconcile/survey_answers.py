"""Survey answers before matching: which vendor belongs to which named system, and non-answers.

A department survey cell may name several systems and several vendors ("ChatGPT en DeepL",
"OpenAI, DeepL"). The survey connector already gives one record per system; this module gives each
record only *its* vendor, so a DeepL invoice cannot join ChatGPT through the vendor "OpenAI, DeepL":

1. a vendor part that the record's own system name mentions is its vendor ("DeepL" → DeepL);
2. parts that a sibling record of the same answer mentions belong to that sibling;
3. the parts left over go to the records left over, when there is exactly one of each, or as many
   of each (then by position);
4. otherwise the record keeps no vendor for matching (the answer as written stays in ``raw_json``).

Vendor answers that name no vendor ("weet ik niet", "geen idee", "?", "n.v.t." …) are no vendor, for
every source, so they never make or break a match nor raise a vendor conflict.
"""

from __future__ import annotations

import re

import pandas as pd

from transforms.text import fold, normalise_vendor

__all__ = ["attribute_survey_vendors", "is_no_vendor", "split_vendors"]

_SPLIT = re.compile(r"\s*(?:[,;/&+\n]|\s(?:en|and)\s)\s*", re.IGNORECASE)
_NO_VENDOR = re.compile(
    r"^(?:weet\s*(?:ik\s*)?(?:het\s*)?niet\b.*|ik weet (?:het )?niet\b.*|geen idee\b.*|onbekend\b.*|niet bekend\b.*"
    r"|nvt|n\s*v\s*t|n\s*a|na|unknown|geen|-+|\?+|x|idem|zie boven\b.*|navragen\b.*|nog uitzoeken\b.*"
    r"|diverse|divers|meerdere|zelf|eigen beheer|intern)$"
)


def is_no_vendor(value: object) -> bool:
    """True for an answer that names no vendor ("Weet ik niet", "geen idee", "?", "n.v.t.")."""
    text = re.sub(r"[^\w\s?-]", " ", fold(value)).strip()
    text = re.sub(r"\s+", " ", text)
    return bool(text) and bool(_NO_VENDOR.match(text))


def split_vendors(value: object) -> list[str]:
    """The vendors one answer lists ("OpenAI, DeepL" → ["OpenAI", "DeepL"]); non-answers dropped."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    parts = [p.strip(" .") for p in _SPLIT.split(str(value)) if p and p.strip(" .")]
    return [p for p in parts if not is_no_vendor(p)]


def _mentions(name: str, vendor: str) -> bool:
    v = normalise_vendor(vendor)
    if not v:
        return False
    words = set(re.findall(r"[a-z0-9]+", fold(name)))
    return v in fold(name) or bool(set(v.split()) & words)


def _response(source_key: str) -> tuple[str, int]:
    head, _, idx = source_key.rpartition("-")
    return (head, int(idx)) if head and idx.isdigit() else (source_key, 1)


def attribute_survey_vendors(records: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``records`` with ``vendor``/``vendor_norm`` fixed as described in the module docstring."""
    df = records.copy()
    if df.empty or "vendor" not in df.columns:
        return df
    vendors = df["vendor"].astype("object").tolist()
    none_mask = [is_no_vendor(v) for v in vendors]
    for i, flag in enumerate(none_mask):
        if flag:
            vendors[i] = None
    stype = df["source_type"].astype("object").tolist() if "source_type" in df.columns else [None] * len(df)
    names = [str(p if isinstance(p, str) and p else (t or "")) for p, t in
             zip(df.get("product", pd.Series([None] * len(df))).tolist(), df["title"].tolist(), strict=True)]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (st, key) in enumerate(zip(stype, df["source_key"].astype(str), strict=True)):
        if st == "survey" and vendors[i] is not None and len(split_vendors(vendors[i])) > 1:
            head, _ = _response(key)
            groups.setdefault((head, str(vendors[i])), []).append(i)
    for (_, answer), rows in groups.items():
        parts = split_vendors(answer)
        rows = sorted(rows, key=lambda r: _response(str(df["source_key"].iloc[r]))[1])
        chosen: dict[int, str] = {}
        taken: set[int] = set()
        for r in rows:
            own = [k for k, p in enumerate(parts) if _mentions(names[r], p)]
            if len(own) == 1:
                chosen[r] = parts[own[0]]
                taken.add(own[0])
        left_rows = [r for r in rows if r not in chosen]
        left_parts = [p for k, p in enumerate(parts) if k not in taken]
        if left_rows and len(left_rows) == len(left_parts):
            chosen.update(zip(left_rows, left_parts, strict=True))
        for r in rows:
            vendors[r] = chosen.get(r)
    changed = [v != o for v, o in zip(vendors, df["vendor"].astype("object").tolist(), strict=True)]
    df["vendor"] = pd.Series(vendors, index=df.index, dtype="object")
    if "vendor_norm" in df.columns:
        norm = df["vendor_norm"].astype("object").tolist()
        df["vendor_norm"] = pd.Series(
            [(normalise_vendor(v) or None) if c else n for v, c, n in zip(vendors, changed, norm, strict=True)],
            index=df.index, dtype="object")
    return df
