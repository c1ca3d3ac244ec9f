"""monitor: the inventory per period, KPIs, the management report, and the published snapshot."""

from __future__ import annotations

import datetime as dt
import json
import traceback

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.publishing import published_system_ids
from pipelines.reporting import literacy_for, peer_news, write_report
from pipelines.resources import AigripResource
from transforms.errors import AigripError
from transforms.monitor.checklist import transparency_kpis
from transforms.monitor.impact import score_impact
from transforms.monitor.kpis import compute_kpis, inventory_rows
from warehouse import publish_snapshot, read_table, replace_table
from warehouse.db import fetch_df
from warehouse.grip_tables import overdue_reviews
from warehouse.monitor_queries import impact_facts

__all__ = ["build_monitor_assets"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def build_monitor_assets(config: AigripConfig) -> list:
    @asset(group_name="monitor", deps=["register_entries"], kinds={"duckdb"},
           description="The inventory as it stands this period (one row per system), kept for trends.")
    def inventory_snapshot(aigrip: AigripResource):
        period = aigrip.period
        with aigrip.connect() as con:
            published = published_system_ids(con)
            rows = inventory_rows(read_table(con, "systems"), read_table(con, "classifications"), published, period, _now())
            con.execute("BEGIN")
            con.execute("DELETE FROM inventory_snapshots WHERE period = ?", [period])
            con.register("_inv", rows)
            con.execute("INSERT INTO inventory_snapshots BY NAME SELECT * FROM _inv")
            con.unregister("_inv")
            con.execute("COMMIT")
        return result("inventory_snapshot", {"period": period, "systems": len(rows)}, rows,
                      ["system_id", "status", "ai_act_class", "published"])

    @asset(group_name="monitor", deps=["classifications"], kinds={"duckdb"},
           description="Impact rank of every active system (risk class, citizen-facing, yearly spend, sources, "
                       "departments) with its reason: quick wins first in the review queue and the report.")
    def system_impact(aigrip: AigripResource):
        with aigrip.connect() as con:
            ranked = score_impact(impact_facts(con, aigrip.as_of_date))
            replace_table(con, "system_impact", ranked)
        return result("system_impact", {"systems": len(ranked)}, ranked,
                      ["impact_rank", "system_id", "impact_score", "impact_reason"])

    @asset(group_name="monitor", deps=["inventory_snapshot", "register_drift", "system_impact"], kinds={"duckdb"},
           description="KPIs for the period and the management report (HTML, PDF, charts, kpis.json).")
    def monitoring_report(context, aigrip: AigripResource):
        period, cfg = aigrip.period, aigrip.config
        with aigrip.connect() as con:
            inv = read_table(con, "inventory_snapshots", "period = ?", [period])
            flagged = fetch_df(con, "SELECT s.system_id, s.defer_until, i.created_at AS flagged_at FROM systems s "
                                  "LEFT JOIN system_ids i USING (system_id)")
            inv = inv.merge(flagged, on="system_id", how="left")
            mentions = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
            cands = con.execute("SELECT count(*) FROM candidates").fetchall()[0][0]
            orgs = con.execute("SELECT count(DISTINCT coalesce(org_code, organisation)) FROM peer_register_entries").fetchall()[0][0]
            kpis = compute_kpis(inv, as_of=aigrip.as_of_date, source_status=read_table(con, "source_status"),
                                candidates_count=cands, mentions_count=mentions, defer_until=inv["defer_until"],
                                flagged_at=inv["flagged_at"], peer_new_entries=len(peer_news(con)),
                                peer_organisations=orgs)
            kpis |= transparency_kpis(inv) | literacy_for(con, cfg, aigrip.as_of_date).kpis()
            overdue = overdue_reviews(con, aigrip.as_of_date)
            if overdue is not None:
                kpis["reviews_overdue"] = float(len(overdue))
            con.execute("DELETE FROM kpis WHERE period = ?", [period])
            con.executemany("INSERT INTO kpis VALUES (?, ?, ?)", [[period, k, v] for k, v in kpis.items()])
            try:  # a report that cannot be written must not keep the run from publishing its snapshot
                path, problem = str(write_report(con, cfg, period, aigrip.as_of_date)), None
            except AigripError as exc:
                path, problem = None, str(exc)
            except Exception as exc:  # noqa: BLE001 - logged in full, summarised in one line
                context.log.error(traceback.format_exc())
                path, problem = None, f"the report for {period} could not be written: {type(exc).__name__}: {exc}"
        if problem:
            context.log.warning(problem)
        counts = {"period": period, "report": path} | ({"report_problem": problem} if problem else {})
        return result("monitoring_report", counts,
                      extra={"kpis": json.dumps(kpis, indent=1)})

    @asset(group_name="monitor", deps=["monitoring_report", "public_site", "obligations", "reviews"],
           description="Publishes the read-only snapshot that the review app, status, export and report read.")
    def published_snapshot(context, aigrip: AigripResource):
        cfg = aigrip.config
        stats = context.instance.get_run_stats(context.run_id) if context.instance else None
        started = dt.datetime.fromtimestamp(stats.start_time, dt.timezone.utc).replace(tzinfo=None) if stats and stats.start_time else None
        with aigrip.connect() as con:
            summary = {r[0]: r[1] for r in con.execute("SELECT source_id, error FROM source_status").fetchall()}
            con.execute("DELETE FROM runs WHERE run_id = ?", [context.run_id])
            con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                        [context.run_id, started, _now(), aigrip.as_of_date,
                         "partial" if any(summary.values()) else "ok", json.dumps({"source_errors": summary})])
        path = publish_snapshot(cfg.warehouse_path)
        return result("published_snapshot", {"path": str(path)})

    return [inventory_snapshot, system_impact, monitoring_report, published_snapshot]
