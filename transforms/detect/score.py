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

from transforms.detect.cross import cross_source_signals
from transforms.detect.learned import peer_model_signals
from transforms.detect.peer_model import PeerModel
from transforms.detect.sources import kb_signals, portfolio_signals, self_declared_signals, survey_shared_keys
from transforms.detect.texts import mention_texts, text_column
from transforms.detect.vocabulary import Vocabulary, load_vocabulary, spaced_series
from transforms.text import factorize_text

__all__ = ["detect_signals", "score_mentions", "SIGNAL_COLUMNS", "SCORE_COLUMNS", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = 0.5
SIGNAL_COLUMNS = ["source_key", "kind", "detail", "weight", "reason"]
SCORE_COLUMNS = ["source_key", "ai_score", "is_candidate", "reasons", "kb_product_id"]
_SHARED_KINDS = ["vendor", "self_declared"]
_TIER_KIND = {"strong": "keyword_strong", "medium": "keyword_medium", "weak": "keyword_weak",
              "negative": "keyword_negative"}
_TIER_WORD = {"strong": "sterke AI-term", "medium": "middelsterke AI-term", "weak": "zwakke aanwijzing"}


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("object")
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def _empty_signals() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "weight" else "object") for c in SIGNAL_COLUMNS})


def _join_hits(keys: pd.Series, texts: pd.Series, regex, enrich=None) -> pd.DataFrame:
    """DataFrame[source_key, match, …]: every regex hit of every mention. Each distinct text is
    matched once; ``enrich(hits)`` adds columns (weight, reason, …) per distinct hit, before the hits
    are joined back to the mentions on integer codes (ledgers repeat descriptions heavily)."""
    codes, uniques = factorize_text(texts)
    uniq = pd.Series(uniques, dtype="object")
    nonempty = uniq.str.len().fillna(0).to_numpy() > 0
    hits = pd.DataFrame({"code": np.flatnonzero(nonempty), "match": uniq[nonempty].str.findall(regex).to_numpy()})
    hits = hits.explode("match").dropna(subset=["match"]).drop_duplicates()
    if hits.empty:
        return pd.DataFrame({"source_key": pd.Series(dtype="object"), "match": pd.Series(dtype="object")})
    if enrich is not None:
        hits = enrich(hits.reset_index(drop=True))
    idx = np.flatnonzero(np.isin(codes, hits["code"].unique()))  # only the mentions with a hit
    rows = pd.DataFrame({"source_key": keys.to_numpy(dtype=object)[idx], "code": codes[idx]}).merge(hits, on="code")
    return rows.drop(columns="code")


def _keyword_meta(vocab: Vocabulary) -> pd.DataFrame:
    terms = vocab.terms
    return pd.DataFrame({
        "match": list(terms),
        "tier": [t.tier for t in terms.values()],
        "base": [t.weight for t in terms.values()],
        "label": [t.label or t.term for t in terms.values()],
        "own_reason": [t.reason for t in terms.values()],
    })


def _keyword_signals(keys: pd.Series, head: pd.Series, body: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Keyword hits in title/product (full weight) and in the description (damped)."""
    factor = float(vocab.weights.get("description_factor", 1.0))
    meta = _keyword_meta(vocab)

    def enrich_for(in_body: bool):
        def enrich(hits: pd.DataFrame) -> pd.DataFrame:
            h = hits.merge(meta, on="match", how="left")
            positive = h["base"] > 0
            h["weight"] = np.where(positive & in_body, h["base"] * factor, h["base"])
            where_word = "beschrijving noemt" if in_body else "noemt"
            generic = where_word + " '" + h["label"].astype(str) + "' (" + h["tier"].map(_TIER_WORD).fillna("") + ")"
            h["reason"] = np.where(h["own_reason"].notna(), h["own_reason"].astype(object), generic)
            h["kind"] = h["tier"].map(_TIER_KIND)
            h["detail"] = h["match"]
            return h[["code", "kind", "detail", "weight", "reason"]]
        return enrich

    parts = []
    for in_body, texts in ((False, head), (True, body)):
        joined = _join_hits(keys, texts, vocab.keyword_re, enrich_for(in_body))
        if not joined.empty:
            parts.append(joined[SIGNAL_COLUMNS])
    if not parts:
        return _empty_signals()
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True).drop_duplicates(["source_key", "detail"])  # title hit wins


def _vendor_signals(keys: pd.Series, vendor_norm: pd.Series, text: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Curated AI vendors (on the normalised vendor name) and AI products (in title/description)."""
    w = vocab.weights
    parts = []
    if vocab.vendor_re is not None:
        j = _join_hits(keys, vendor_norm, vocab.vendor_re)
        if not j.empty:
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
        j = _join_hits(keys, text, vocab.product_re)
        if not j.empty:
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
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [c for c in (x.strip(" []'\"") for x in value.split(",")) if c]
    try:
        return [str(c) for c in value if c is not None]
    except TypeError:
        return []


def _has_codes(value: object) -> bool:
    """``len(_as_codes(value)) > 0``, cheaply for the many empty lists of ledger lines."""
    try:
        if len(value) == 0:  # type: ignore[arg-type]
            return False
    except TypeError:
        return False
    return len(_as_codes(value)) > 0


def _cpv_signals(keys: pd.Series, cpv: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Weak hints from CPV codes; a hint code also covers the codes below it (48460000 -> 4846xxxx)."""
    present = cpv.notna().to_numpy()  # element-wise: a list or array of codes counts as present
    has = pd.Series(False, index=cpv.index)
    if present.any():
        has[present] = np.fromiter((_has_codes(v) for v in cpv[present].to_numpy(dtype=object)), bool, int(present.sum()))
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


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the strongest of identical (mention, kind, detail) signals."""
    if frame is None or frame.empty:
        return frame
    frame = frame.sort_values("weight", ascending=False, kind="stable")
    return frame.drop_duplicates(["source_key", "kind", "detail"])


def _share_survey_answers(out: pd.DataFrame, shared: dict[str, str], vocab: Vocabulary) -> pd.DataFrame:
    """Damp the answer-wide signals (vendor, 'uses AI') of survey systems split from one answer; more
    so when a sibling system in the same answer has its own evidence and so explains the answer."""
    keys = out["source_key"].to_numpy(dtype=object)
    resp = pd.Series([shared.get(k) for k in keys], dtype="object")
    detail = out["detail"].astype(str)
    own = (out["kind"].isin(["keyword_strong", "kb_product"]) | detail.str.startswith("product:")) \
        & (out["weight"] >= 0.5)
    answer_wide = out["kind"].isin(_SHARED_KINDS) | (out["kind"].eq("cross_source") & detail.str.startswith("vendor:"))
    own_keys = set(out.loc[own.to_numpy() & resp.notna().to_numpy(), "source_key"])
    explained = {shared[k] for k in own_keys}
    sel = (resp.notna() & answer_wide.reset_index(drop=True)
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
                   vocab: Vocabulary | None = None, peer_model: PeerModel | None = None) -> pd.DataFrame:
    """All AI signals of the mentions: DataFrame[source_key, kind, detail, weight, reason].

    kinds: keyword_strong, keyword_medium, keyword_weak, keyword_negative (negative weight: damps
    the score), vendor, kb_product, cpv, self_declared, portfolio_field, and cross_source: evidence
    borrowed from strong candidates in other sources (same supplier, same product name), computed
    from a first scoring pass over the other signals (see ``transforms.detect.cross``), and
    peer_model: the text reads like what peers register (``transforms.detect.peer_model``).
    """
    vocab = vocab or load_vocabulary()
    if mentions is None or len(mentions) == 0:
        return _empty_signals()
    keys = _col(mentions, "source_key").astype(str)
    head, body, both = mention_texts(mentions)
    vendor_norm = text_column(mentions, "vendor_norm")
    if vendor_norm.isna().all() and "vendor" in mentions.columns:
        vendor_norm = text_column(mentions, "vendor")
    vendor_norm = spaced_series(vendor_norm)
    product_sp = spaced_series(text_column(mentions, "product"))
    parts = [
        _keyword_signals(keys, head, body, vocab),  # already one row per (mention, term)
        _dedupe(_vendor_signals(keys, vendor_norm, both, vocab)),
        _cpv_signals(keys, _col(mentions, "cpv_codes"), vocab),
        _dedupe(kb_signals(keys, head, _col(mentions, "product"), vendor_norm, kb_products, vocab, product_sp)),
        self_declared_signals(mentions, vocab),
        portfolio_signals(mentions, vocab),
        peer_model_signals(keys, both, peer_model, vocab),
    ]
    parts = [p for p in parts if p is not None and not p.empty]
    if not parts:
        return _empty_signals()
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"].astype(float)
    shared = survey_shared_keys(mentions)
    first = _share_survey_answers(out, shared, vocab) if shared else out
    own_score = _own_scores(keys, first, vocab)
    cross = cross_source_signals(mentions, head, vendor_norm, product_sp, own_score, vocab)
    if cross.empty:
        return first[SIGNAL_COLUMNS].reset_index(drop=True)
    out = pd.concat([out, cross], ignore_index=True)
    if shared:
        out = _share_survey_answers(out, shared, vocab)
    return out[SIGNAL_COLUMNS].reset_index(drop=True)


def _own_scores(keys: pd.Series, signals: pd.DataFrame, vocab: Vocabulary) -> np.ndarray:
    """Score per mention (aligned with ``keys``) from ``signals``; a mention without signals scores 0
    and a repeated key shares its score, so only the signalled keys are scored."""
    signalled = pd.Series(pd.unique(signals["source_key"].to_numpy(dtype=object)), dtype="object")
    score = np.append(_scores(signalled, signals, vocab)[0], 0.0)
    return score[pd.Index(signalled.to_numpy(dtype=object)).get_indexer(keys.to_numpy(dtype=object))]


def _join_reasons(keys: np.ndarray, reasons: np.ndarray) -> dict:
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


def _scores(keys: pd.Series, signals: pd.DataFrame, vocab: Vocabulary) -> tuple[np.ndarray, pd.DataFrame]:
    """Noisy-OR score per key (aligned with ``keys``) and the counted signals (k, kind, is_kb, w,
    detail, reason; k = position of the mention), at most ``max_per_kind`` per kind plus all
    negative ones."""
    per_kind = int(vocab.weights.get("max_per_kind", 2))
    # integer codes: position of each signal's mention (-1: not among ``keys``) and of its kind
    pos_of = pd.Index(keys.to_numpy(dtype=object)).get_indexer(signals["source_key"].to_numpy(dtype=object))
    s = pd.DataFrame({
        "k": pos_of, "kind": pd.factorize(signals["kind"].to_numpy(dtype=object))[0],
        "is_kb": (signals["kind"] == "kb_product").to_numpy(), "w": signals["weight"].to_numpy(dtype=float),
        "detail": signals["detail"].to_numpy(dtype=object), "reason": signals["reason"].to_numpy(dtype=object),
    })
    s = s[s["k"] >= 0].sort_values(["k", "kind", "w"], ascending=[True, True, False], kind="stable")
    s = s[(s.groupby(["k", "kind"], sort=False).cumcount() < per_kind).to_numpy() | (s["w"] < 0).to_numpy()]
    n = len(keys)
    w = s["w"].to_numpy()
    k = s["k"].to_numpy()
    miss = np.zeros(n)
    np.add.at(miss, k[w > 0], np.log1p(-np.minimum(w[w > 0], 0.999)))
    damp = np.zeros(n)
    np.add.at(damp, k[w < 0], np.log1p(np.maximum(w[w < 0], -0.999)))
    return (1.0 - np.exp(miss)) * np.exp(damp), s


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
    score, s = _scores(keys, signals, vocab)
    n = len(keys)
    w = s["w"].to_numpy()
    ordered = s.assign(_neg=w < 0, _abs=-np.abs(w)).sort_values(["k", "_neg", "_abs"], kind="stable")
    reasons = _join_reasons(ordered["k"].to_numpy(), ordered["reason"].to_numpy(dtype=object))
    kb = s[s["is_kb"].to_numpy()].sort_values("w", ascending=False, kind="stable").drop_duplicates("k")
    kb_ids = np.full(n, None, dtype=object)
    kb_ids[kb["k"].to_numpy()] = kb["detail"].to_numpy(dtype=object)
    texts = np.full(n, "", dtype=object)
    for i, text in reasons.items():
        texts[i] = text
    base["ai_score"] = np.clip(score, 0.0, 1.0).round(4)
    base["is_candidate"] = base["ai_score"] >= float(threshold)
    base["reasons"] = pd.Series(texts, dtype="object")
    base["kb_product_id"] = pd.Series(kb_ids, dtype="object")
    return base[SCORE_COLUMNS]

