"""detect: ``signals`` (why a mention looks like AI) and ``candidates`` (scored, with reasons)."""

from __future__ import annotations

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.defs.detect.reads import (
    bulk_mentions,
    candidate_mentions,
    detect_mentions,
    peer_entries,
    peer_model_inputs_key,
)
from pipelines.resources import AigripResource
from transforms.detect import detect_signals, fit_peer_model, guess_kinds, own_texts, score_mentions
from warehouse import read_table, replace_table
from warehouse.db import fetch_df

__all__ = ["build_detect_assets"]


# the last fit by its inputs' key: the candidates asset reuses the model the signals asset fitted
_FITTED: dict = {}


def _peer_model(con):
    key = peer_model_inputs_key(con)
    if key not in _FITTED:
        _FITTED.clear()
        _FITTED[key] = fit_peer_model(peer_entries(con), ledger=own_texts(bulk_mentions(con)))
    return _FITTED[key]


def build_detect_assets(config: AigripConfig) -> list:

    @asset(group_name="detect", deps=["mentions", "kb_products"], kinds={"duckdb"},
           description="AI signals per mention: keywords, vendors, peer-registered products, CPV codes, "
                       "self-declarations, and the peer model fitted on the peers' registrations.")
    def signals(aigrip: AigripResource):
        with aigrip.connect() as con:
            mentions = detect_mentions(con)
            model = _peer_model(con)
            df = detect_signals(mentions, read_table(con, "kb_products"), peer_model=model)
            n = replace_table(con, "signals", df)
        counts = {"signals": n, "mentions_with_signal": int(df["source_key"].nunique()) if n else 0,
                  "peer_model_positives": model.n_positive if model else 0,
                  "peer_model_negatives": model.n_negative if model else 0}
        return result("signals", counts, df, ["source_key", "kind", "weight", "reason"])

    @asset(group_name="detect", deps=["signals"], kinds={"duckdb"},
           description="Mentions whose AI score passes the threshold, each with readable reasons.")
    def candidates(aigrip: AigripResource):
        threshold = aigrip.config.detection.threshold
        with aigrip.connect() as con:
            keys, signals = fetch_df(con, "SELECT source_key FROM mentions"), read_table(con, "signals")
            n_mentions = len(keys)
            if threshold > 0:  # a mention without signals scores 0 and cannot pass: score the signalled ones
                keys = keys[keys["source_key"].isin(signals["source_key"].unique())].reset_index(drop=True)
            scored = score_mentions(keys, signals, threshold)
            cands = scored[scored["is_candidate"].astype(bool)].reset_index(drop=True)
            keys = set(cands["source_key"])
            kinds = guess_kinds(candidate_mentions(con, sorted(keys)), signals[signals["source_key"].isin(keys)],
                                _peer_model(con))
            cands = cands.merge(kinds.drop_duplicates("source_key"), on="source_key", how="left")
            n = replace_table(con, "candidates", cands)
        n_ai = int((cands["kind"] == "ai").sum()) if n else 0
        return result("candidates", {"candidates": n, "candidates_ai": n_ai, "candidates_algorithm": n - n_ai,
                                     "mentions_scored": n_mentions, "threshold": threshold},
                      cands.sort_values("ai_score", ascending=False), ["source_key", "ai_score", "kind", "reasons"])

    return [signals, candidates]
