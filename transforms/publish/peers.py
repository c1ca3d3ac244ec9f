"""Peer-register snapshots: a stable content hash per entry and what is new since the last snapshot."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

__all__ = ["content_hash", "new_since", "HASHED_COLUMNS"]

# What an entry *says*; snapshot_id, raw_json (key order, unused fields) and row_ref are ignored.
HASHED_COLUMNS = (
    "entry_key", "organisation", "org_code", "org_type", "lars", "name", "description_short", "goal",
    "status", "categories", "publication_category", "provider", "impact_assessments", "lawful_basis",
    "begin_date", "end_date", "standard_version", "url",
)


def _canon(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    return str(value).strip()


def content_hash(entries: pd.DataFrame) -> pd.Series:
    """16-hex sha256 of each entry's content; equal content gives an equal hash on every fetch."""
    cols = [c for c in HASHED_COLUMNS if c in entries.columns]
    records = entries[cols].to_dict("records")
    hashes = [
        hashlib.sha256(json.dumps({k: _canon(r[k]) for k in cols}, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
        for r in records
    ]
    return pd.Series(hashes, index=entries.index, dtype=object, name="content_hash")


def new_since(history: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Entries of ``current`` that peers registered or changed since the snapshots in ``history``.

    ``history`` has at least entry_key and content_hash (the ``peer_entry_history`` table).
    Returns the new/changed rows of ``current`` with ``content_hash`` and ``change`` ∈
    {``nieuw``, ``gewijzigd``}.
    """
    out = current.copy()
    out["content_hash"] = content_hash(current)
    known_keys = set(history["entry_key"]) if len(history) else set()
    known_pairs = set(zip(history["entry_key"], history["content_hash"], strict=True)) if len(history) else set()
    pairs = list(zip(out["entry_key"], out["content_hash"], strict=True))
    is_new = [p not in known_pairs for p in pairs]
    out = out[is_new].copy()
    out["change"] = ["gewijzigd" if k in known_keys else "nieuw" for k in out["entry_key"]]
    return out.reset_index(drop=True)
