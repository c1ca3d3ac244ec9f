"""Vendor name parts: renamed, taken-over and abbreviated suppliers still share something.

Ledger lines of one product over the years name "Vector Solutions B.V.", "VS B.V.", "Vector
Analytics" (renamed) and "Acquira Vector" (taken over); "MHT B.V." is "Mobiele Handhaving
Techniek". Exact or similar vendor names miss these; the parts do not:

* ``vendor_words`` — the distinctive words of the normalised vendor name (generic company words
  such as "solutions", "data", "ict", "nederland" left out): "vector" is shared by all three;
* ``vendor_initials`` — the initials of a multi-word name ("mobiele handhaving techniek" → "mht");
* ``vendor_short`` — a one-word name of 2–5 letters, possibly an abbreviation ("mht", "vs").

The vendor comparison (settings.py) has a level for "shares a distinctive word or one is the
other's abbreviation", and one blocking rule pairs records of one department sharing a vendor word.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["GENERIC_VENDOR_WORDS", "add_vendor_features", "vendor_parts"]

GENERIC_VENDOR_WORDS = frozenset(
    """
    nederland netherlands holland holding group groep solutions solution software systems system data digital
    ict it tech technology technologies services service labs lab analytics ai international europe emea cloud
    consultancy consulting advies automatisering gemeente the and en de van der het bv nv ltd limited inc gmbh
    operations ireland company co online partners
    """.split()
)
_MIN_LEN = 3


def vendor_parts(name: object) -> tuple[list[str] | None, str | None, str | None]:
    """(distinctive words, initials, short form) of a normalised vendor name; None where absent."""
    if not isinstance(name, str) or not name.strip():
        return None, None, None
    tokens = name.split()
    words = sorted({t for t in tokens if len(t) >= _MIN_LEN and t not in GENERIC_VENDOR_WORDS}) or None
    initials = "".join(t[0] for t in tokens) if len(tokens) >= 2 else None
    short = tokens[0] if len(tokens) == 1 and 2 <= len(tokens[0]) <= 5 and tokens[0].isalpha() else None
    return words, initials, short


def add_vendor_features(profiles: pd.DataFrame, cap: int) -> pd.DataFrame:
    """Copy of ``profiles`` with ``vendor_words``, ``vendor_initials``, ``vendor_short`` and the
    blocking list ``blk_vendor_words`` ("word|department" values shared by at most ``cap``
    profiles). Each distinct vendor name is split once."""
    out = profiles.copy()
    names = out["vendor_norm"].astype("object")
    parts = {n: vendor_parts(n) for n in names.dropna().unique().tolist()}
    none = (None, None, None)
    out["vendor_words"] = [parts.get(n, none)[0] if isinstance(n, str) else None for n in names.tolist()]
    out["vendor_initials"] = [parts.get(n, none)[1] if isinstance(n, str) else None for n in names.tolist()]
    out["vendor_short"] = [parts.get(n, none)[2] if isinstance(n, str) else None for n in names.tolist()]
    dept = out["department_norm"].astype("object")
    flat = pd.DataFrame({"row": range(len(out)), "w": out["vendor_words"].to_numpy(), "d": dept.to_numpy()})
    flat = flat.explode("w").dropna(subset=["w", "d"])
    keys = flat["w"].astype(str) + "|" + flat["d"].astype(str)
    flat = flat.assign(key=keys.to_numpy())
    counts = flat["key"].map(flat["key"].value_counts())
    flat = flat[counts.to_numpy() <= cap]
    lists = flat.groupby("row")["key"].agg(lambda s: sorted(set(s)))
    out["blk_vendor_words"] = pd.Series(lists.reindex(range(len(out))).to_numpy(), index=out.index, dtype="object")
    out["blk_vendor_words"] = out["blk_vendor_words"].where(out["blk_vendor_words"].notna(), None)
    return out
