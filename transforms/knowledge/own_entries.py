"""Our own published entries in the loaded national register.

An entry of the loaded register is ours when its organisation code is our ``organisation.code``
(a gm-code, or the register's code for non-municipalities), or, when the entry carries no usable code,
when its organisation name folds to ours ("Gemeente Voorbeeldstad" = "gemeente voorbeeldstad").
The ``own_register_entries`` table is what the report counts as "wij publiceren", what the peer
comparison treats as registered, and what delivery and drift checks start from.
"""

from __future__ import annotations

import pandas as pd

from transforms.knowledge.organisations import org_code_for
from transforms.publish.peers import content_hash
from transforms.text import fold

__all__ = ["own_register_entries", "OWN_COLUMNS"]

OWN_COLUMNS = [
    "entry_key", "source_id", "lars", "organisation", "org_code", "name", "description_short", "status",
    "publication_category", "standard_version", "url", "content_hash", "snapshot_id", "matched_by", "reason",
]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OWN_COLUMNS})


def own_register_entries(peer_entries: pd.DataFrame, org_code: str | None, org_name: str | None) -> pd.DataFrame:
    """The rows of ``peer_entries`` that are our own (see module docstring), in ``OWN_COLUMNS``."""
    if peer_entries is None or len(peer_entries) == 0 or not (org_code or org_name):
        return _empty()
    code = org_code_for(org_name or "", org_code) if org_code or org_name else ""
    name = fold(org_name or "")
    codes = peer_entries["org_code"].fillna("").astype(str).str.lower()
    names = peer_entries["organisation"].fillna("").astype(str).map(fold)
    by_code = codes == code
    by_name = ~by_code & (names == name) & (name != "")
    mine = peer_entries[by_code | by_name].copy()
    if mine.empty:
        return _empty()
    mine["content_hash"] = content_hash(mine)
    mine["matched_by"] = ["org_code" if c else "naam" for c in by_code[by_code | by_name]]
    mine["reason"] = [
        f"organisatiecode {code} in het register" if m == "org_code"
        else f"organisatienaam '{o}' is de onze"
        for m, o in zip(mine["matched_by"], mine["organisation"], strict=True)
    ]
    for col in OWN_COLUMNS:
        if col not in mine.columns:
            mine[col] = None
    return mine[OWN_COLUMNS].sort_values(["name", "entry_key"], kind="stable").reset_index(drop=True)
