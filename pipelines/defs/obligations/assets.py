"""obligations: per system the Algoritmekader requirements, DPIA/IAMA/FRIA, periodic review, and the
legal duties with their deadlines (recording deadlines that moved since the previous run)."""

from __future__ import annotations

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.obligations.assessments import system_assessments
from transforms.obligations.decisions import obligation_decisions
from transforms.obligations.duties import deadline_moves, obligation_status, system_obligations
from transforms.obligations.requirements import system_requirements
from transforms.obligations.reviews import system_reviews
from warehouse import read_table, replace_table
from warehouse.db import fetch_df
from warehouse.decision_log import decisions_frame, log_path, read_decisions

__all__ = ["build_obligations_assets", "SYSTEM_CHANGES_SQL"]

# The latest change of each system by a reviewer (edit, merge, split), for "changed since the DPIA".
SYSTEM_CHANGES_SQL = """
SELECT coalesce(d."into", d.system_id) AS system_id, max(d.at) AS changed_at,
       arg_max(CASE d.action WHEN 'edit' THEN 'bewerkt' WHEN 'merge' THEN 'samengevoegd' ELSE 'gesplitst' END, d.at) AS change
FROM review_decisions d
WHERE d.action IN ('edit', 'merge', 'split') AND coalesce(d."into", d.system_id) IS NOT NULL
GROUP BY 1
"""
_LIVE = "status = 'confirmed'"


def build_obligations_assets(config: AigripConfig) -> list:
    def _inputs(con, config: AigripConfig):
        systems = read_table(con, "systems", _LIVE)
        cls = read_table(con, "classifications")
        # the log itself (not the review_decisions table): a run of just this group sees the latest edits
        log = decisions_frame(read_decisions(log_path(config.data_dir)))
        events = obligation_decisions(log, read_table(con, "system_ids"))
        return systems, cls, events

    @asset(group_name="obligations", deps=["classifications"], kinds={"duckdb"},
           description="Algoritmekader requirements and measures that apply to each confirmed system, with status, owner and evidence.")
    def requirements(aigrip: AigripResource):
        with aigrip.connect() as con:
            systems, cls, events = _inputs(con, aigrip.config)
            settings = aigrip.config.obligations
            req = system_requirements(systems, cls, events, organisation=aigrip.config.organisation.name,
                                      default_role=settings.ai_act_role)
            n = replace_table(con, "requirements", req)
        done = int(req["status"].isin(["gedaan", "niet van toepassing"]).sum()) if n else 0
        return result("requirements", {"items": n, "systems": int(req["system_id"].nunique()) if n else 0, "settled": done},
                      req, ["system_id", "slug", "title", "status"])

    @asset(group_name="obligations", deps=["classifications"], kinds={"duckdb"},
           description="DPIA, IAMA and FRIA per confirmed system: required and why, status, date, link, flags.")
    def assessments(aigrip: AigripResource):
        with aigrip.connect() as con:
            systems, cls, events = _inputs(con, aigrip.config)
            settings = aigrip.config.obligations
            changes = fetch_df(con, SYSTEM_CHANGES_SQL)
            out = system_assessments(systems, cls, events, changes, aigrip.as_of_date, settings.assessment_max_age_years)
            n = replace_table(con, "assessments", out)
        return result("assessments", {"rows": n, "missing": int(out["flag_missing"].sum()) if n else 0,
                                      "outdated": int(out["flag_outdated"].sum()) if n else 0},
                      out, ["system_id", "assessment", "required", "status", "flags"])

    @asset(group_name="obligations", deps=["classifications"], kinds={"duckdb"},
           description="Periodic review per confirmed system: interval by risk, last and next review, overdue.")
    def reviews(aigrip: AigripResource):
        with aigrip.connect() as con:
            systems, cls, events = _inputs(con, aigrip.config)
            settings = aigrip.config.obligations
            out = system_reviews(systems, cls, events, aigrip.as_of_date, settings.review_intervals.model_dump())
            n = replace_table(con, "reviews", out)
        return result("reviews", {"systems": n, "overdue": int(out["overdue"].sum()) if n else 0},
                      out, ["system_id", "risk_group", "next_review", "overdue"])

    @asset(group_name="obligations", deps=["requirements", "assessments"], kinds={"duckdb"},
           description="Legal duties per confirmed system with legal source, applies-from date and deadline; records moved deadlines.")
    def obligations(aigrip: AigripResource):
        with aigrip.connect() as con:
            systems, cls, _ = _inputs(con, aigrip.config)
            previous = read_table(con, "obligations")
            current = system_obligations(systems, cls)
            current = obligation_status(current, read_table(con, "requirements"), read_table(con, "assessments"),
                                        aigrip.as_of_date)
            moves = deadline_moves(previous, current, aigrip.as_of_date)
            n = replace_table(con, "obligations", current)
            if len(moves):
                con.register("_moves", moves)
                con.execute("INSERT INTO deadline_moves BY NAME SELECT * FROM _moves")
                con.unregister("_moves")
        return result("obligations", {"obligations": n, "overdue": int((current["status"] == "te laat").sum()) if n else 0,
                                      "deadlines_moved": len(moves)},
                      current, ["system_id", "obligation_id", "deadline", "status"])

    return [requirements, assessments, reviews, obligations]
