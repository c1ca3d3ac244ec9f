"""National records: every national-register entry plus this municipality's own published entries,
in one shape, with the matching features and capped blocking columns the national settings use.

Only published register fields are used (name, organisation, provider, description); nothing of a
municipality's internal inventory enters the national picture.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from transforms.reconcile.features import STOPWORDS
from transforms.text import fold_series, normalise_vendor_series

__all__ = ["RECORD_COLUMNS", "BLOCK_CAP", "national_records", "prepare_records"]

RECORD_COLUMNS = ["record_key", "organisation", "org_key", "name", "provider", "description", "lars", "own"]
BLOCK_CAP = 200
# description words kept per record (the longest distinct content words): bounds the comparison cost
_MAX_DESC_WORDS = 40
# providers that say "we built it ourselves", not who supplies it
_NO_PROVIDER = {"", "eigen ontwikkeling", "eigen beheer", "intern", "zelf ontwikkeld", "nvt", "n v t", "geen",
                "onbekend", "niet van toepassing", "gemeente"}


def _text(values: Any, n: int) -> pd.Series:
    if values is None:
        return pd.Series([None] * n, dtype="object")
    s = pd.Series(values, dtype="object").reset_index(drop=True)
    s = s.where(s.notna(), None).map(lambda v: str(v).strip() if v is not None else None)
    return s.where(s.map(lambda v: bool(v)), None)


def national_records(peer_entries: pd.DataFrame, own_entries: list[dict] | None = None,
                     own_org: dict | None = None) -> pd.DataFrame:
    """One row per register entry: the loaded peer entries (``peer_register_entries``) and this
    municipality's own published entries (national-standard dicts, ``own=True``)."""
    peer = peer_entries if peer_entries is not None else pd.DataFrame()
    n = len(peer)

    def get(column: str) -> pd.Series:
        return _text(peer[column].tolist(), n) if column in peer.columns else _text(None, n)

    desc = get("description_short").fillna(get("goal"))
    peers = pd.DataFrame({
        "record_key": get("entry_key").fillna(pd.Series([f"peer:{i}" for i in range(n)], dtype="object")),
        "organisation": get("organisation"),
        "org_key": get("org_code").fillna(get("organisation").map(lambda o: o.lower() if o else None)),
        "name": get("name"), "provider": get("provider"), "description": desc, "lars": get("lars"),
        "own": False,
    })
    org = own_org or {}
    own_rows = [{
        "record_key": f"eigen:{e.get('source_id') or i}",
        "organisation": org.get("name") or e.get("organization"),
        "org_key": (org.get("code") or str(org.get("name") or "").lower()) or None,
        "name": e.get("name"), "provider": e.get("provider"),
        "description": e.get("description_short") or e.get("goal"), "lars": e.get("lars"), "own": True,
    } for i, e in enumerate(own_entries or [])]
    frames = [peers] + ([pd.DataFrame(own_rows, columns=RECORD_COLUMNS)] if own_rows else [])
    out = pd.concat(frames, ignore_index=True)[RECORD_COLUMNS] if n or own_rows else pd.DataFrame(columns=RECORD_COLUMNS)
    out["own"] = out["own"].astype(bool)
    return out.reset_index(drop=True)


def _words(folded: pd.Series, limit: int | None = None) -> pd.Series:
    """Distinct content words (>= 3 letters, no stop words) per text, sorted; None when there are none."""
    uniques = folded.unique()
    mapping = {}
    for text in uniques:
        words = sorted({w for w in str(text).replace("-", " ").split() if len(w) >= 3 and w.isalnum()
                        and w not in STOPWORDS})
        if limit and len(words) > limit:
            words = sorted(sorted(words, key=lambda w: (-len(w), w))[:limit])
        mapping[text] = words or None
    return folded.map(mapping)


def _obj(values: pd.Series) -> pd.Series:
    """Plain object dtype (None for missing), the same on every pandas string backend."""
    return pd.Series([None if v is None or v != v else v for v in values.tolist()], dtype="object")


def _capped(values: pd.Series, cap: int) -> pd.Series:
    """Blocking values; a value shared by more than ``cap`` records is dropped (no quadratic block)."""
    counts = values.map(values.value_counts())
    return values.where(values.notna() & (counts <= cap), None)


def _capped_lists(lists: pd.Series, cap: int) -> pd.Series:
    """Per record the words of ``lists`` that at most ``cap`` records share; None when none is left."""
    counts = lists.explode().value_counts()
    common = set(counts[counts > cap].index)
    return lists.map(lambda ws: ([w for w in ws if w not in common] or None) if ws else None)


def prepare_records(records: pd.DataFrame, cap: int = BLOCK_CAP) -> pd.DataFrame:
    """The Splink input: ``unique_id`` (row number) and the features of the national settings."""
    df = pd.DataFrame({"unique_id": np.arange(len(records), dtype=np.int64)})
    name = _obj(fold_series(records["name"].astype("object")).str.replace(r"[^\w]+", " ", regex=True).str.strip())
    df["name_norm"] = name.where(name != "", None)
    df["name_words"] = _words(name.fillna(""))
    provider = _obj(normalise_vendor_series(records["provider"].astype("object")))
    df["provider_norm"] = provider.where(~provider.isin(_NO_PROVIDER), None)
    desc = _obj(fold_series(records["description"].astype("object")).str.replace(r"[^\w]+", " ", regex=True))
    df["desc_words"] = _words(desc, _MAX_DESC_WORDS)
    df["org_key"] = records["org_key"].astype("object").where(records["org_key"].notna(), None)
    # the first content word of the name as written ("Zivver veilig mailen" -> "zivver")
    df["name_key"] = df["name_norm"].map(
        lambda s: next((w for w in s.split() if len(w) >= 3 and w not in STOPWORDS), None) if s else None)
    df["blk_name"] = _capped(df["name_norm"], cap)
    df["blk_provider"] = _capped(df["provider_norm"], cap)
    df["blk_name_words"] = _capped_lists(df["name_words"], cap)
    return df
