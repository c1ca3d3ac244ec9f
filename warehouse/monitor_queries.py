"""Queries the monitor stage needs: impact facts per system and the AI-literacy inputs."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.db import fetch_df, table_exists

__all__ = ["impact_facts", "literacy_inputs"]

_IMPACT_SQL = """
WITH ledger_end AS (
    SELECT max(record_date) AS d FROM mentions WHERE source_type = 'spend_ledger' AND record_date <= ?
), m AS (
    SELECT p.system_id, m.source_id, m.source_type, m.department, m.amount_eur, m.record_date
    FROM provenance p JOIN mentions m ON m.source_key = p.source_key
)
SELECT s.system_id, s.name, s.description, c.ai_act_class, c.ai_act_area, c.publication_category,
       coalesce(sum(m.amount_eur) FILTER (WHERE m.source_type = 'spend_ledger'
                AND m.record_date > (SELECT d FROM ledger_end) - INTERVAL 365 DAY
                AND m.record_date <= (SELECT d FROM ledger_end)), 0) AS yearly_spend_eur,
       count(DISTINCT m.source_id) AS n_sources,
       count(DISTINCT lower(trim(coalesce(m.department, s.department)))) AS n_departments
FROM systems s
LEFT JOIN classifications c USING (system_id)
LEFT JOIN m USING (system_id)
WHERE s.status IN ('candidate', 'confirmed')
GROUP BY ALL
"""


def impact_facts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per active system with what :func:`transforms.monitor.impact.score_impact` needs.

    Yearly spend is the ledger's last twelve months up to its latest booking on or before ``as_of``."""
    return fetch_df(con, _IMPACT_SQL, [as_of])


def literacy_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(training_records, headcount, departments of confirmed systems and of their owners)."""
    training = (fetch_df(con, "SELECT person_key, department, role, course, completed_on, completed FROM training_records")
                if table_exists(con, "training_records") else pd.DataFrame(
                    columns=["person_key", "department", "role", "course", "completed_on", "completed"]))
    headcount = (fetch_df(con, "SELECT department, role, headcount, must_train FROM headcount")
                 if table_exists(con, "headcount") else pd.DataFrame(columns=["department", "role", "headcount", "must_train"]))
    depts = [r[0] for r in con.execute(
        """SELECT DISTINCT d FROM (
               SELECT department AS d FROM systems WHERE status = 'confirmed'
               UNION ALL
               SELECT json_extract_string(fields_json, '$.owner') FROM systems WHERE status = 'confirmed')
           WHERE d IS NOT NULL AND trim(d) <> '' ORDER BY 1""").fetchall()]
    return training, headcount, depts
