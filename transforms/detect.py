"""Find the AI: AI signals per mention and a combined, explainable AI score.

``detect_signals(mentions, kb_products)`` returns one row per piece of evidence (keyword, vendor,
peer-registered product, CPV code, survey self-declaration, portfolio field), each with a weight and
a Dutch reason. ``score_mentions(mentions, signals, threshold)`` combines them per mention by a
noisy-OR (weights in ``transforms/vocab/weights.yaml``; see docs/detection.md).

Everything is vectorised: texts are folded once, and terms are matched once per *distinct* text, so
a ledger that repeats the same description a thousand times costs one match.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.detect_sources import kb_signals, portfolio_signals, self_declared_signals, survey_shared_keys
from transforms.detect_vocab import Vocabulary, load_vocabulary, spaced_series

__all__ = ["detect_signals", "score_mentions", "score_table", "SIGNAL_COLUMNS", "SCORE_COLUMNS", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = 0.5
SIGNAL_COLUMNS = ["source_key", "kind", "detail", "weight", "reason"]
SCORE_COLUMNS = ["source_key", "ai_score", "is_candidate", "reasons", "kb_product_id"]
_TIER_KIND = {"strong": "keyword_strong", "medium": "keyword_medium", "weak": "keyword_weak",
              "negative": "keyword_negative"}
_TIER_WORD = {"strong": "sterke AI-term", "medium": "middelsterke AI-term", "weak": "zwakke aanwijzing"}


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("object")
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def _empty_signals() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "weight" else "object") for c in SIGNAL_COLUMNS})


def _match_unique(texts: pd.Series, regex) -> pd.DataFrame:
    """Match a regex once per distinct text: DataFrame[text, match] (one row per hit)."""
    uniq = pd.Series(pd.unique(texts[texts.str.len() > 0]), dtype="object")
    if uniq.empty:
        return pd.DataFrame({"text": pd.Series(dtype="object"), "match": pd.Series(dtype="object")})
    hits = uniq.str.findall(regex)
    frame = pd.DataFrame({"text": uniq, "match": hits}).explode("match").dropna(subset=["match"])
    return frame.drop_duplicates()


def _keyword_signals(keys: pd.Series, head: pd.Series, body: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Keyword hits in title/product (full weight) and in the description (damped)."""
    factor = float(vocab.weights.get("description_factor", 1.0))
    parts = []
    for where, texts in (("head", head), ("body", body)):
        hits = _match_unique(texts, vocab.keyword_re)
        if hits.empty:
            continue
        joined = pd.DataFrame({"source_key": keys.values, "text": texts.values}).merge(hits, on="text")
        joined["where"] = where
        parts.append(joined[["source_key", "match", "where"]])
    if not parts:
        return _empty_signals()
    hits = pd.concat(parts, ignore_index=True)
    hits = hits.sort_values("where", ascending=False, kind="stable")  # "head" before "body"
    hits = hits.drop_duplicates(["source_key", "match"])
    terms = vocab.terms
    meta = pd.DataFrame(
        {
            "match": list(terms),
            "tier": [t.tier for t in terms.values()],
            "base": [t.weight for t in terms.values()],
            "label": [t.label or t.term for t in terms.values()],
            "own_reason": [t.reason for t in terms.values()],
        }
    )
    hits = hits.merge(meta, on="match", how="left")
    in_body = hits["where"].eq("body")
    positive = hits["base"] > 0
    hits["weight"] = np.where(in_body & positive, hits["base"] * factor, hits["base"])
    where_word = np.where(in_body, "beschrijving noemt", "noemt")
    tier_word = hits["tier"].map(_TIER_WORD).fillna("")
    generic = where_word + " '" + hits["label"].astype(str) + "' (" + tier_word + ")"
    hits["reason"] = np.where(hits["own_reason"].notna(), hits["own_reason"].astype(object), generic)
    hits["kind"] = hits["tier"].map(_TIER_KIND)
    hits["detail"] = hits["match"]
    return hits[SIGNAL_COLUMNS]


def _vendor_signals(keys: pd.Series, vendor_norm: pd.Series, text: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Curated AI vendors (on the normalised vendor name) and AI products (in title/description)."""
    w = vocab.weights
    parts = []
    if vocab.vendor_re is not None:
        hits = _match_unique(vendor_norm, vocab.vendor_re)
        if not hits.empty:
            j = pd.DataFrame({"source_key": keys.values, "text": vendor_norm.values}).merge(hits, on="text")
            info = j["match"].map(vocab.vendors)
            level = info.map(lambda v: v["level"])
            name = info.map(lambda v: v["name"])
            what = info.map(lambda v: v.get("what", ""))
            j["weight"] = level.map(w["vendor"]).astype(float)
            j["reason"] = np.where(
                level.eq("specialist"),
                "leverancier " + name + " staat op de lijst van AI-leveranciers (" + what + ")",
                "leverancier " + name + " levert ook AI-producten (" + what + ")",
            )
            j["kind"] = "vendor"
            j["detail"] = "vendor:" + name
            parts.append(j[SIGNAL_COLUMNS])
    if vocab.product_re is not None:
        hits = _match_unique(text, vocab.product_re)
        if not hits.empty:
            j = pd.DataFrame({"source_key": keys.values, "text": text.values}).merge(hits, on="text")
            info = j["match"].map(vocab.products)
            name = info.map(lambda v: v["name"])
            what = info.map(lambda v: v.get("what", ""))
            j["weight"] = float(w["product"])
            j["reason"] = "product " + name + " staat op de lijst van AI-producten (" + what + ")"
            j["kind"] = "vendor"
            j["detail"] = "product:" + name
            parts.append(j[SIGNAL_COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else _empty_signals()


def _as_codes(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [c for c in (x.strip(" []'\"") for x in value.split(",")) if c]
    try:
        return [str(c) for c in value if c is not None]
    except TypeError:
        return []


def _cpv_signals(keys: pd.Series, cpv: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Weak hints from CPV codes; a hint code also covers the codes below it (48460000 -> 4846xxxx)."""
    has = cpv.map(lambda v: len(_as_codes(v)) > 0)
    if not has.any():
        return _empty_signals()
    frame = pd.DataFrame({"source_key": keys[has].values, "code": cpv[has].map(_as_codes).values}).explode("code")
    frame["code"] = frame["code"].astype(str).str.replace(r"\D", "", regex=True).str[:8]
    w = vocab.weights["cpv"]
    out = []
    for hint, (level, label) in vocab.cpv.items():
        prefix = hint.rstrip("0") or hint
        prefix = prefix if len(prefix) >= 3 else hint[:3]
        sel = frame[frame["code"].str.startswith(prefix)]
        if sel.empty:
            continue
        out.append(pd.DataFrame({
            "source_key": sel["source_key"].values,
            "kind": "cpv",
            "detail": sel["code"].values,
            "weight": float(w[level]),
            "reason": [f"CPV {c} valt onder {hint} ({label}): aanwijzing voor data-/AI-werk" for c in sel["code"]],
        }))
    if not out:
        return _empty_signals()
    res = pd.concat(out, ignore_index=True).sort_values("weight", ascending=False, kind="stable")
    return res.drop_duplicates(["source_key", "detail"])


def _share_survey_answers(out: pd.DataFrame, shared: dict[str, str], vocab: Vocabulary) -> pd.DataFrame:
    """Damp the answer-wide signals (vendor, 'uses AI') of survey systems split from one answer; more
    so when a sibling system in the same answer has its own evidence and so explains the answer."""
    keys = out["source_key"].to_numpy(dtype=object)
    resp = pd.Series([shared.get(k) for k in keys], dtype="object")
    own = (out["kind"].isin(["keyword_strong", "kb_product"]) | out["detail"].astype(str).str.startswith("product:")) \
        & (out["weight"] >= 0.5)
    own_keys = set(out.loc[own.to_numpy() & resp.notna().to_numpy(), "source_key"])
    explained = {shared[k] for k in own_keys}
    sel = (resp.notna() & out["kind"].isin(["vendor", "self_declared"]).reset_index(drop=True)
           & (out["weight"] > 0).reset_index(drop=True)).to_numpy()
    sibling = np.fromiter(((r in explained) and (k not in own_keys) for k, r in zip(keys, resp, strict=True)), bool, len(out))
    factor = np.where(sibling, float(vocab.weights.get("survey_sibling_factor", 1.0)),
                      float(vocab.weights.get("survey_shared_factor", 1.0)))
    out = out.copy()
    out.loc[sel, "weight"] = out.loc[sel, "weight"].to_numpy() * factor[sel]
    note = np.where(sibling, " (antwoord noemt meerdere systemen; een ander systeem verklaart het)",
                    " (antwoord geldt voor meerdere genoemde systemen)")
    out.loc[sel, "reason"] = out.loc[sel, "reason"].to_numpy(dtype=object) + note[sel]
    return out


def detect_signals(mentions: pd.DataFrame, kb_products: pd.DataFrame | None = None,
                   vocab: Vocabulary | None = None) -> pd.DataFrame:
    """All AI signals of the mentions: DataFrame[source_key, kind, detail, weight, reason].

    kinds: keyword_strong, keyword_medium, keyword_weak, keyword_negative (negative weight: damps
    the score), vendor, kb_product, cpv, self_declared, portfolio_field.
    """
    vocab = vocab or load_vocabulary()
    if mentions is None or len(mentions) == 0:
        return _empty_signals()
    keys = _col(mentions, "source_key").astype(str)
    title = _col(mentions, "title").fillna("").astype(str)
    product = _col(mentions, "product").fillna("").astype(str)
    head_raw = np.where(product.str.len() > 0, np.where(product.values == title.values, title, title + " | " + product), title)
    head = spaced_series(pd.Series(head_raw, index=mentions.index, dtype="object"))
    body = spaced_series(_col(mentions, "description"))
    body = body.where(body != head, "")
    vendor_norm = _col(mentions, "vendor_norm")
    if vendor_norm.isna().all() and "vendor" in mentions.columns:
        vendor_norm = _col(mentions, "vendor")
    vendor_norm = spaced_series(vendor_norm)
    both = (head + " " + body).str.strip()
    parts = [
        _keyword_signals(keys, head, body, vocab),
        _vendor_signals(keys, vendor_norm, both, vocab),
        _cpv_signals(keys, _col(mentions, "cpv_codes"), vocab),
        kb_signals(keys, head, _col(mentions, "product"), vendor_norm, kb_products, vocab),
        self_declared_signals(mentions, vocab),
        portfolio_signals(mentions, vocab),
    ]
    parts = [p for p in parts if p is not None and not p.empty]
    if not parts:
        return _empty_signals()
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"].astype(float)
    shared = survey_shared_keys(mentions)
    if shared:
        out = _share_survey_answers(out, shared, vocab)
    out = out.sort_values("weight", ascending=False, kind="stable").drop_duplicates(["source_key", "kind", "detail"])
    return out[SIGNAL_COLUMNS].sort_values(["source_key", "weight"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _join_reasons(keys: np.ndarray, reasons: np.ndarray) -> dict[str, str]:
    """'; '-joined distinct reasons per key, for keys already grouped together (sorted)."""
    out: dict[str, str] = {}
    if len(keys) == 0:
        return out
    bounds = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(keys)]))
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        out[keys[a]] = "; ".join(dict.fromkeys(reasons[a:b].tolist()))
    return out


def score_mentions(mentions: pd.DataFrame, signals: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD,
                   vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per mention: DataFrame[source_key, ai_score, is_candidate, reasons, kb_product_id].

    score = (1 - prod(1 - w) over positive signals) * prod(1 + w) over negative signals, counting
    at most ``max_per_kind`` (weights.yaml) of the strongest signals of each kind.
    """
    vocab = vocab or load_vocabulary()
    keys = _col(mentions, "source_key").astype(str).reset_index(drop=True)
    base = pd.DataFrame({"source_key": keys})
    if signals is None or signals.empty:
        base["ai_score"] = 0.0
        base["is_candidate"] = False
        base["reasons"] = ""
        base["kb_product_id"] = None
        return base
    per_kind = int(vocab.weights.get("max_per_kind", 2))
    s = signals.copy()  # signals of keys not in ``mentions`` are dropped by the reindexing below
    s["weight"] = s["weight"].astype(float)
    s = s.sort_values(["source_key", "kind", "weight"], ascending=[True, True, False], kind="stable")
    s = s[(s.groupby(["source_key", "kind"], sort=False).cumcount() < per_kind) | (s["weight"] < 0)]
    pos = s[s["weight"] > 0]
    neg = s[s["weight"] < 0]
    log_miss = np.log1p(-pos["weight"].clip(upper=0.999)).groupby(pos["source_key"]).sum()
    damp = np.log1p(neg["weight"].clip(lower=-0.999)).groupby(neg["source_key"]).sum()
    score = (1.0 - np.exp(log_miss)).reindex(keys, fill_value=0.0) * np.exp(damp.reindex(keys, fill_value=0.0))
    ordered = s.assign(_neg=s["weight"] < 0, _abs=-s["weight"].abs())
    ordered = ordered.sort_values(["source_key", "_neg", "_abs"], kind="stable")
    reasons = _join_reasons(ordered["source_key"].to_numpy(dtype=object), ordered["reason"].to_numpy(dtype=object))
    kb = s[s["kind"] == "kb_product"].sort_values("weight", ascending=False, kind="stable")
    kb = dict(kb.drop_duplicates("source_key")[["source_key", "detail"]].itertuples(index=False, name=None))
    base["ai_score"] = score.clip(0.0, 1.0).round(4).to_numpy()
    base["is_candidate"] = base["ai_score"] >= float(threshold)
    key_arr = keys.to_numpy(dtype=object)
    base["reasons"] = pd.Series([reasons.get(k, "") for k in key_arr], dtype="object")
    base["kb_product_id"] = pd.Series([kb.get(k) for k in key_arr], dtype="object")
    return base[SCORE_COLUMNS]


def score_table(df: pd.DataFrame, text_column: str, vendor_column: str | None = None,
                kb_products: pd.DataFrame | None = None, threshold: float | None = None,
                as_of: object = None) -> pd.DataFrame:
    """See :func:`transforms.detect_table.score_table` (kept there to avoid an import cycle)."""
    from transforms.detect_table import score_table as _score_table

    return _score_table(df, text_column, vendor_column, kb_products, threshold, as_of)
