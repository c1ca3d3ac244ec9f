"""detect: ``signals`` (why a mention looks like AI) and ``candidates`` (scored, with reasons)."""

from __future__ import annotations

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.detect import detect_signals, score_mentions
from warehouse import read_table, replace_table

__all__ = ["build_detect_assets"]


def build_detect_assets(config: AigripConfig) -> list:
    @asset(group_name="detect", deps=["mentions", "kb_products"], kinds={"duckdb"},
           description="AI signals per mention: keywords, vendors, peer-registered products, CPV codes, self-declarations.")
    def signals(aigrip: AigripResource):
        with aigrip.connect() as con:
            df = detect_signals(read_table(con, "mentions"), read_table(con, "kb_products"))
            n = replace_table(con, "signals", df)
        return result("signals", {"signals": n, "mentions_with_signal": int(df["source_key"].nunique()) if n else 0},
                      df, ["source_key", "kind", "weight", "reason"])

    @asset(group_name="detect", deps=["signals"], kinds={"duckdb"},
           description="Mentions whose AI score passes the threshold, each with readable reasons.")
    def candidates(aigrip: AigripResource):
        threshold = aigrip.config.detection.threshold
        with aigrip.connect() as con:
            scored = score_mentions(read_table(con, "mentions"), read_table(con, "signals"), threshold)
            cands = scored[scored["is_candidate"].astype(bool)].reset_index(drop=True)
            n = replace_table(con, "candidates", cands)
        return result("candidates", {"candidates": n, "mentions_scored": len(scored), "threshold": threshold},
                      cands.sort_values("ai_score", ascending=False), ["source_key", "ai_score", "reasons"])

    return [signals, candidates]
