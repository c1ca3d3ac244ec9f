"""reconcile: ``review_decisions`` (the log, loaded) and ``systems`` (deduplicated, stable ids; also
writes ``provenance``, ``system_ids`` and ``system_links``, the near misses for reviewers)."""

from __future__ import annotations

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, asset, asset_check

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.reconcile import reconcile
from warehouse import read_table, replace_table
from warehouse.db import fetch_df, first_row
from warehouse.decision_log import decisions_frame, log_path, read_decisions, seed_log

__all__ = ["build_reconcile_assets", "CANDIDATE_RECORDS_SQL", "PREVIOUS_SQL"]

# Last run's provenance, plus the last known system of records not in it (their source failed or was
# switched off in the last run): ids survive a source that is away for a run.
PREVIOUS_SQL = """
SELECT system_id, source_key, match_probability, match_reason FROM provenance
UNION ALL
SELECT h.system_id, h.source_key, NULL, NULL FROM source_key_history h
WHERE NOT EXISTS (SELECT 1 FROM provenance p WHERE p.source_key = h.source_key)
"""
_REMEMBER_SQL = """
INSERT OR REPLACE INTO source_key_history
SELECT source_key, system_id, now()::TIMESTAMP FROM provenance
"""

# Candidate mentions, plus any mention a reviewer named in a decision (a system the detector missed,
# or a flagged-then-rejected record that must stay rejected even when it no longer scores).
CANDIDATE_RECORDS_SQL = """
SELECT m.*, coalesce(c.ai_score, 0.0) AS ai_score,
       coalesce(c.reasons, 'aangewezen door een beoordelaar (besluit in het logboek)') AS reasons,
       c.kb_product_id
FROM mentions m LEFT JOIN candidates c USING (source_key)
WHERE c.source_key IS NOT NULL
   OR m.source_key IN (SELECT unnest(source_keys) FROM review_decisions WHERE source_keys IS NOT NULL)
ORDER BY m.source_key
"""


def build_reconcile_assets(config: AigripConfig) -> tuple[list, list]:
    @asset(group_name="reconcile", kinds={"duckdb"},
           description="The reviewers' append-only decision log, loaded as it is on disk (the audit trail).")
    def review_decisions(aigrip: AigripResource):
        cfg = aigrip.config
        path = log_path(cfg.data_dir)
        if cfg.review_seed is not None:
            seed_log(path, cfg.review_seed)
        events = read_decisions(path)
        df = decisions_frame(events)
        with aigrip.connect() as con:
            n = replace_table(con, "review_decisions", df)
        return result("review_decisions", {"decisions": n}, df, ["at", "reviewer", "action", "system_id", "reason"])

    @asset(group_name="reconcile", deps=["candidates", "review_decisions"], kinds={"duckdb"},
           description="Candidate mentions deduplicated into systems (Splink), stable AIG- ids, reviewer decisions applied.")
    def systems(aigrip: AigripResource):
        cfg = aigrip.config
        with aigrip.connect() as con:
            records = fetch_df(con, CANDIDATE_RECORDS_SQL)
            decisions = read_table(con, "review_decisions")
            if aigrip.known_then and aigrip.as_of and len(decisions):  # a history run: the decisions taken by then
                at = pd.to_datetime(decisions["at"], errors="coerce", utc=True).dt.tz_localize(None)
                decisions = decisions[at.isna() | (at < pd.Timestamp(aigrip.as_of_date) + pd.Timedelta(days=1))]
            options = {"threshold": cfg.reconcile.threshold} if cfg.reconcile.threshold is not None else {}
            res = reconcile(
                records,
                previous=fetch_df(con, PREVIOUS_SQL),
                registry=read_table(con, "system_ids"),
                decisions=decisions,
                con=con,
                model_path=cfg.reconcile.model,
                as_of=aigrip.as_of_date,
                **options,
            )
            n = replace_table(con, "systems", res.systems)
            replace_table(con, "provenance", res.provenance)
            replace_table(con, "system_links", res.links)
            con.execute(_REMEMBER_SQL)
            replace_table(con, "system_ids", res.registry)
            outcome = res.decisions
            if len(outcome) and len(decisions):
                applied = decisions.drop(columns=["applied", "apply_note"]).merge(
                    outcome[["event_id", "applied", "apply_note"]], on="event_id", how="left")
                replace_table(con, "review_decisions", applied)
        by_status = res.systems["status"].value_counts().to_dict() if n else {}
        return result("systems", {"systems": n, "source_records": len(res.provenance),
                                  "near_misses": int(len(res.links) // 2)}
                      | {f"status_{k}": int(v) for k, v in by_status.items()},
                      res.systems, ["system_id", "status", "name", "vendor", "n_sources"])

    @asset_check(asset=systems, name="unique_system_id", description="Every system_id occurs once.")
    def unique_system_id(aigrip: AigripResource) -> AssetCheckResult:
        with aigrip.connect() as con:
            dupes = con.execute(
                "SELECT count(*) FROM (SELECT system_id FROM systems GROUP BY system_id HAVING count(*) > 1)"
            ).fetchall()[0][0]
        return AssetCheckResult(passed=dupes == 0, severity=AssetCheckSeverity.ERROR,
                                metadata={"duplicated_ids": int(dupes)})

    @asset_check(asset=systems, name="every_candidate_in_one_system",
                 description="Every candidate mention belongs to exactly one system.")
    def every_candidate_in_one_system(aigrip: AigripResource) -> AssetCheckResult:
        with aigrip.connect() as con:
            missing, multi = first_row(con,
                "SELECT (SELECT count(*) FROM candidates c WHERE NOT EXISTS "
                "(SELECT 1 FROM provenance p WHERE p.source_key = c.source_key)), "
                "(SELECT count(*) FROM (SELECT source_key FROM provenance GROUP BY 1 HAVING count(*) > 1))"
            )
        return AssetCheckResult(passed=missing == 0 and multi == 0,
                                metadata={"unassigned": int(missing), "in_several_systems": int(multi)})

    return [review_decisions, systems], [unique_system_id, every_candidate_in_one_system]
