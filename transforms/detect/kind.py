"""Kind guess per mention: ``ai`` (infers from data: learning, recognition, language generation) or
``algorithm`` (rules and calculations written by people), each with a Dutch reason.

Evidence, strongest first:
1. the mention's own signals that only AI gives: a strong AI term (except risk profiles and scores,
   ``strong_not_ai`` in kind.yaml), a curated AI vendor or product, a peer product whose
   registrations show AI, a vendor whose peer-registered products are AI, a survey answer
   "uses AI: ja", an AI field in the portfolio; it decides unless the text names a rule technique
   outright (weight 2, e.g. "rekenmodule");
2. the words of its title and description (``transforms/vocab/kind.yaml``: AI techniques against
   rules, calculations and checks);
3. when the text says nothing either way (a bare invoice line or application name, a vague
   description), the words of the nearest real registration the peer model knows, if it is close
   ("lijkt op de registratie 'Scanauto', die 'kentekenherk' noemt").
Without any sign of AI the guess is ``algorithm``: the register counts rule-based algorithms too.
Works on distinct texts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import yaml

from transforms.detect.peer_model import PeerModel
from transforms.detect.vocabulary import VOCAB_DIR, compile_terms, spaced_series

__all__ = ["guess_kinds", "KIND_COLUMNS", "text_kind"]

KIND_COLUMNS = ["source_key", "kind", "kind_reason"]
_NEAREST_MIN = 0.5


@lru_cache(maxsize=1)
def _kind_vocab() -> tuple:
    raw = yaml.safe_load((VOCAB_DIR / "kind.yaml").read_text(encoding="utf-8"))
    terms: dict[str, tuple[str, float]] = {}
    modes: dict[str, str] = {}
    for side in ("ai", "algorithm"):
        for item in raw.get(side) or []:
            term = " ".join(str(item["term"]).lower().split())
            terms.setdefault(term, (side, float(item.get("weight", 1))))
            modes.setdefault(term, item.get("match", "stem"))
    not_ai = frozenset(" ".join(str(t).lower().split()) for t in raw.get("strong_not_ai") or [])
    return terms, compile_terms(modes), not_ai


def text_kind(text: str) -> tuple[float, float, list[str], list[str]]:
    """(AI weight, rule weight, AI words, rule words) of one spaced text."""
    terms, regex, _ = _kind_vocab()
    ai, alg, ai_words, alg_words = 0.0, 0.0, [], []
    for term in dict.fromkeys(regex.findall(text)):
        side, weight = terms[term]
        if side == "ai":
            ai, ai_words = ai + weight, ai_words + [term]
        else:
            alg, alg_words = alg + weight, alg_words + [term]
    return ai, alg, ai_words, alg_words


def _quoted(words: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in words[:3])


def _signal_evidence(signals: pd.DataFrame | None) -> dict[str, str]:
    """source_key -> reason, for mentions with a signal that only AI gives."""
    if signals is None or signals.empty:
        return {}
    kind = signals["kind"].astype(str)
    detail = signals["detail"].astype(str)
    reason = signals["reason"].astype(str)
    weight = signals["weight"].astype(float)
    not_ai = _kind_vocab()[2]
    ai = ((weight >= 0.5) & (
        (kind.eq("keyword_strong") & ~detail.isin(not_ai))
        | (kind.eq("vendor") & (detail.str.startswith("product:") | reason.str.contains("lijst van AI-leveranciers")))
        | (kind.eq("kb_product") & ~reason.str.contains("AI niet zeker"))
        | (kind.eq("self_declared") & detail.eq("ja"))
        | kind.eq("portfolio_field"))) | ((weight >= 0.3) & (
            kind.eq("vendor") & reason.str.contains("levert AI-toepassingen")))
    sel = signals[ai.to_numpy()].sort_values("weight", ascending=False, kind="stable").drop_duplicates("source_key")
    return dict(zip(sel["source_key"].astype(str), sel["reason"].astype(str), strict=True))


def _nearest_text(model: PeerModel | None, texts: pd.Series) -> list[tuple[str, str]]:
    """Per text the (name, spaced full text) of the most similar peer registration, or ("", "")."""
    if model is None or len(texts) == 0:
        return [("", "")] * len(texts)
    best, sim = model.nearest(texts)
    out = []
    for j, score in zip(best.tolist(), sim.tolist(), strict=True):
        if score < _NEAREST_MIN:
            out.append(("", ""))
        else:
            out.append((str(model.peers["name"].iat[j]), str(model.peers["full"].iat[j])))
    return out


def _decide(text: str, nearest: tuple[str, str]) -> tuple[str, str]:
    ai, alg, ai_w, alg_w = text_kind(text)
    if ai > alg:
        why = f"AI: de tekst noemt {_quoted(ai_w)}"
        return "ai", why + (f" (en ook {_quoted(alg_w)})" if alg_w else "")
    if alg > 0 and alg >= ai:
        why = f"algoritme zonder AI: de tekst noemt {_quoted(alg_w)}"
        return "algorithm", why + (f", weegt zwaarder dan {_quoted(ai_w)}" if ai_w else "")
    name, near = nearest
    if near:
        n_ai, n_alg, n_ai_w, n_alg_w = text_kind(near)
        if n_ai > n_alg:
            return "ai", f"AI: lijkt op de registratie '{name}', die {_quoted(n_ai_w)} noemt"
        if n_alg > 0:
            return "algorithm", f"algoritme zonder AI: lijkt op de registratie '{name}', die {_quoted(n_alg_w)} noemt"
    return "algorithm", "algoritme zonder AI: geen aanwijzing voor AI gevonden (geen AI-techniek genoemd)"


def guess_kinds(mentions: pd.DataFrame, signals: pd.DataFrame | None = None,
                model: PeerModel | None = None) -> pd.DataFrame:
    """DataFrame[source_key, kind, kind_reason], one row per mention (in order)."""
    if mentions is None or len(mentions) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in KIND_COLUMNS})
    keys = mentions["source_key"].astype(str).reset_index(drop=True)

    def col(name: str) -> pd.Series:
        if name not in mentions.columns:
            return pd.Series("", index=keys.index, dtype="object")
        v = mentions[name].reset_index(drop=True)
        return v.astype(object).where(v.notna(), "").astype(str)

    title, desc = col("title"), col("description")
    text = spaced_series(title.where(desc.eq(title), title + " " + desc))
    codes, uniq = pd.factorize(text)
    uniq = pd.Series(uniq, dtype="object")
    weights = [text_kind(t) for t in uniq]
    silent = np.array([w[0] == 0 and w[1] == 0 for w in weights], dtype=bool)
    nearest = [("", "")] * len(uniq)
    if silent.any():
        for i, near in zip(np.flatnonzero(silent).tolist(), _nearest_text(model, uniq[silent]), strict=True):
            nearest[i] = near
    decided = [_decide(t, n) for t, n in zip(uniq.tolist(), nearest, strict=True)]
    decisive_rules = np.array([w[1] >= 2 and w[1] >= w[0] for w in weights], dtype=bool)[codes]
    kind = np.array([d[0] for d in decided], dtype=object)[codes]
    reason = np.array([d[1] for d in decided], dtype=object)[codes]
    evidence = _signal_evidence(signals)
    if evidence:
        has = keys.map(evidence)
        sel = has.notna().to_numpy() & (kind == "algorithm") & ~decisive_rules
        kind[sel] = "ai"
        reason[sel] = "AI: " + has[sel].to_numpy(dtype=object)
    return pd.DataFrame({"source_key": keys, "kind": kind, "kind_reason": reason})
