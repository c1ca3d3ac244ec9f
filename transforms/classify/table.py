"""``score_table``: detection and classification for any table of descriptions (``aigrip classify``)."""

from __future__ import annotations

import pandas as pd

from transforms.classify.systems import classify_texts
from transforms.detect import DEFAULT_THRESHOLD, PeerModel, detect_signals, guess_kinds, score_mentions
from transforms.errors import AigripError
from transforms.text import normalise_vendor_series

__all__ = ["score_table"]


def score_table(df: pd.DataFrame, text_column: str, vendor_column: str | None = None,
                kb_products: pd.DataFrame | None = None, threshold: float | None = None,
                as_of: object = None, peer_model: PeerModel | None = None) -> pd.DataFrame:
    """Score every row of ``df``: a copy with ai_score, is_candidate, reasons, kind, kind_reason,
    ai_act_class and publication_category added, same rows in the same order (kind and the classes
    are left blank for a row that is no candidate). Raises AigripError (one readable line) when a
    named column is missing."""

    for col in filter(None, [text_column, vendor_column]):
        if col not in df.columns:
            raise AigripError(f"no column '{col}' in the table; columns are: {', '.join(map(str, df.columns))}")
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    text = df[text_column].astype(object).where(df[text_column].notna(), "").astype(str).reset_index(drop=True)
    keys = pd.Series([f"row:{i}" for i in range(len(df))], dtype="object")
    mentions = pd.DataFrame({"source_key": keys, "source_type": "file", "title": text.to_numpy(dtype=object)})
    if vendor_column:
        vendor = df[vendor_column].astype(object).reset_index(drop=True)
        mentions["vendor"] = vendor.to_numpy(dtype=object)
        mentions["vendor_norm"] = normalise_vendor_series(vendor).to_numpy(dtype=object)
    signals = detect_signals(mentions, kb_products, peer_model=peer_model)
    scored = score_mentions(mentions, signals, threshold)
    cand = scored["is_candidate"].to_numpy(dtype=bool)
    kinds = guess_kinds(mentions[cand], signals, peer_model).set_index("source_key")
    full_text = text if not vendor_column else (text + " | " + mentions["vendor"].fillna("").astype(str))
    cls = classify_texts(full_text, as_of)
    out = df.copy()
    out["ai_score"] = scored["ai_score"].to_numpy()
    out["is_candidate"] = scored["is_candidate"].to_numpy()
    out["reasons"] = scored["reasons"].to_numpy(dtype=object)
    out["kind"] = keys.map(kinds["kind"]).to_numpy(dtype=object)
    out["kind_reason"] = keys.map(kinds["kind_reason"]).to_numpy(dtype=object)
    # a row that is no candidate and has nothing to classify is left blank, not "needs_review"
    blank = (~scored["is_candidate"].to_numpy(dtype=bool)) & cls["ai_act_class"].eq("needs_review").to_numpy()
    out["ai_act_class"] = cls["ai_act_class"].where(~blank, None).to_numpy(dtype=object)
    out["publication_category"] = cls["publication_category"].where(~blank, None).to_numpy(dtype=object)
    return out
