"""Writing the AI-literacy sources (training register, headcount) into their warehouse tables."""

from __future__ import annotations

import duckdb
import pandas as pd

__all__ = ["store_literacy_rows", "LITERACY_TABLES"]

LITERACY_TABLES = {
    "training_register": ("training_records",
                          ["source_id", "row_ref", "person_key", "department", "role", "course", "completed_on", "completed"]),
    "headcount": ("headcount", ["source_id", "row_ref", "department", "role", "headcount", "must_train"]),
}


def store_literacy_rows(con: duckdb.DuckDBPyConnection, source_id: str, source_type: str,
                        frame: pd.DataFrame | None) -> int:
    """Replace this source's rows (none when the source failed, so no stale figures remain)."""
    table, cols = LITERACY_TABLES[source_type]
    con.execute(f"DELETE FROM {table} WHERE source_id = ?", [source_id])
    if frame is None or frame.empty:
        return 0
    df = frame.assign(source_id=source_id).reindex(columns=cols)
    con.register("_lit", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _lit")
    finally:
        con.unregister("_lit")
    return len(df)
