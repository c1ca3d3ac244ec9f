"""Writing one source's result into the warehouse: raw table, quarantine, accounting, side tables.

Accounting rule (docs/contracts.md §8): ``rows_in == rows_loaded + rows_quarantined + rows_filtered`` for
every source, where ``rows_in`` is counted from the input itself (see ``connectors.base``). A failed source records its error, contributes no rows, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pandas as pd

from connectors.base import ConnectorResult
from warehouse.db import first_row, replace_table, table_exists

__all__ = [
    "raw_table_name", "store_source_result", "store_peer_entries", "store_dpia_records",
    "latest_peer_snapshot", "drop_missing_sources",
]

PEER_COLUMNS = [
    "entry_key", "source_id", "organisation", "org_code", "org_type", "lars", "name", "description_short",
    "goal", "status", "categories", "publication_category", "provider", "impact_assessments", "lawful_basis",
    "begin_date", "end_date", "standard_version", "url", "snapshot_id", "raw_json",
]


def raw_table_name(source_id: str) -> str:
    return f"raw_{source_id}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    view = f"_ins_{table}"
    con.register(view, df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    finally:
        con.unregister(view)


def store_source_result(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    source_type: str,
    result: ConnectorResult | None,
    error: str | None,
    seconds: float,
) -> dict:
    """Write a connector's result (or its failure) and return the accounting counts."""
    raw = raw_table_name(source_id)
    con.execute("DELETE FROM quarantine WHERE source_id = ?", [source_id])
    if result is None:
        con.execute(f"DROP TABLE IF EXISTS {raw}")
        counts = {"rows_in": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_filtered": 0}
    else:
        frame = result.frame
        replace_table(con, raw, frame, create=True) if len(frame.columns) else con.execute(f"DROP TABLE IF EXISTS {raw}")
        q = result.quarantine.copy()
        if not q.empty:
            q = q.assign(source_id=source_id)[["source_id", "row_ref", "reason", "raw_text"]]
            q = q.astype({"row_ref": "object", "reason": "object", "raw_text": "object"})
            _insert_frame(con, "quarantine", q)
        counts = {"rows_in": int(result.rows_in), "rows_loaded": int(result.rows_loaded), "rows_quarantined": len(q),
                  "rows_filtered": int(result.rows_filtered)}
    con.execute("DELETE FROM source_status WHERE source_id = ?", [source_id])
    con.execute(
        "INSERT INTO source_status (source_id, type, rows_in, rows_loaded, rows_quarantined, error, seconds, "
        "loaded_at, rows_filtered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [source_id, source_type, counts["rows_in"], counts["rows_loaded"], counts["rows_quarantined"],
         error, round(seconds, 3), _now(), counts["rows_filtered"]],
    )
    return counts | {"error": error}


def latest_peer_snapshot(con: duckdb.DuckDBPyConnection, source_id: str) -> tuple[str, str] | None:
    row = first_row(con,
        "SELECT snapshot_id, content_hash FROM peer_snapshots WHERE source_id = ? ORDER BY fetched_at DESC LIMIT 1",
        [source_id],
    )
    return (row[0], row[1]) if row else None


def store_peer_entries(con: duckdb.DuckDBPyConnection, source_id: str, entries: pd.DataFrame,
                       entry_hashes: pd.Series) -> dict:
    """Replace this source's peer entries; record a dated snapshot only when the content changed.

    Returns {snapshot_id, new_snapshot (bool), new_entries (entries not seen in any earlier snapshot)}.
    """
    digest = hashlib.sha256("\n".join(sorted(map(str, entry_hashes))).encode()).hexdigest()
    last = latest_peer_snapshot(con, source_id)
    now = _now()
    if last and last[1] == digest:
        snapshot_id, new_snapshot = last[0], False
    else:
        snapshot_id, new_snapshot = f"{source_id}@{now:%Y%m%dT%H%M%S%f}", True
        con.execute(
            "INSERT INTO peer_snapshots VALUES (?, ?, ?, ?, ?, ?)",
            [snapshot_id, source_id, now, digest, len(entries),
             int(entries["org_code"].fillna(entries["organisation"]).nunique()) if len(entries) else 0],
        )
    df = entries.copy()
    df["source_id"] = source_id
    df["snapshot_id"] = snapshot_id
    for c in PEER_COLUMNS:
        if c not in df.columns:
            df[c] = None
    con.execute("DELETE FROM peer_register_entries WHERE source_id = ?", [source_id])
    _insert_frame(con, "peer_register_entries", df[PEER_COLUMNS])
    hist = pd.DataFrame({
        "entry_key": df["entry_key"].astype(str).values,
        "content_hash": entry_hashes.astype(str).values,
        "first_snapshot_id": snapshot_id,
        "first_seen_at": now,
        "organisation": df["organisation"].values,
        "org_code": df["org_code"].values,
        "name": df["name"].values,
    }).drop_duplicates(["entry_key", "content_hash"])
    before = con.execute("SELECT count(*) FROM peer_entry_history").fetchall()[0][0]
    if not hist.empty:
        con.register("_hist", hist)
        try:
            con.execute(
                "INSERT INTO peer_entry_history SELECT h.* FROM _hist h WHERE NOT EXISTS ("
                "SELECT 1 FROM peer_entry_history p WHERE p.entry_key = h.entry_key AND p.content_hash = h.content_hash)"
            )
        finally:
            con.unregister("_hist")
    after = con.execute("SELECT count(*) FROM peer_entry_history").fetchall()[0][0]
    return {"snapshot_id": snapshot_id, "new_snapshot": new_snapshot, "new_entries": int(after - before)}


def store_dpia_records(con: duckdb.DuckDBPyConnection, source_id: str, frame: pd.DataFrame) -> int:
    con.execute("DELETE FROM dpia_records WHERE source_id = ?", [source_id])
    if frame is None or frame.empty:
        return 0
    df = frame.copy()
    df["source_id"] = source_id
    cols = ["source_id", "row_ref", "name", "status", "date", "outcome", "link"]
    for c in cols:
        if c not in df.columns:
            df[c] = None
    df = df[cols]
    df["date"] = pd.to_datetime(df["date"], errors="coerce").dt.date
    _insert_frame(con, "dpia_records", df)
    return len(df)


def drop_missing_sources(con: duckdb.DuckDBPyConnection, keep: list[str]) -> None:
    """Forget sources that were removed from the config (their status, quarantine, side rows)."""
    rows = con.execute("SELECT source_id FROM source_status").fetchall()
    for (sid,) in rows:
        if sid in keep:
            continue
        for table in ("source_status", "quarantine", "peer_register_entries", "dpia_records", "training_records",
                      "headcount"):
            con.execute(f"DELETE FROM {table} WHERE source_id = ?", [sid])
        if table_exists(con, raw_table_name(sid)):
            con.execute(f"DROP TABLE {raw_table_name(sid)}")
