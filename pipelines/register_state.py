"""Which register entries are in which publication state, and which entries in the national register are ours.

Both are read defensively, in one place each, so that the lead can switch them over when the
publication flow (``concept → vrijgegeven → gepubliceerd → gedepubliceerd``) and the detection of
own entries (table ``own_register_entries``) land:

- :func:`publication_items`: when ``register_entries`` has a ``publication_state`` column, that state
  (and ``published_json`` for the live version, when present); otherwise every confirmed system's
  entry counts as *gepubliceerd* and a retired or rejected system as *gedepubliceerd*.
- :func:`own_entries`: the ``own_register_entries`` table when it exists; otherwise the loaded
  national register's entries (``peer_register_entries``) whose organisation code or folded name is
  this municipality's.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from pipelines.config import AigripConfig
from transforms.text import fold
from warehouse.db import fetch_df

__all__ = ["publication_items", "own_entries", "table_columns", "OWN_ENTRY_COLUMNS"]

OWN_ENTRY_COLUMNS = ["entry_key", "lars", "name", "description_short", "goal", "status", "categories",
                     "publication_category", "provider", "lawful_basis", "begin_date", "url", "system_id"]


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of a table, empty when the table does not exist."""
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
    return {r[0] for r in rows}


def publication_items(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """[{system_id, name, state, entry}] for every system with a register entry or a withdrawn one."""
    cols = table_columns(con, "register_entries")
    if not cols:
        return []
    items: list[dict] = []
    if "publication_state" in cols:
        live = "r.published_json" if "published_json" in cols else "NULL"
        rows = con.execute(
            f"SELECT r.system_id, s.name, r.publication_state, r.entry_json, {live} "
            "FROM register_entries r LEFT JOIN systems s USING (system_id) ORDER BY r.system_id").fetchall()
        for sid, name, state, entry_json, published_json in rows:
            state = str(state or "concept").lower()
            text = published_json if state == "gepubliceerd" and published_json else entry_json
            items.append({"system_id": sid, "name": name, "state": state,
                          "entry": json.loads(text) if text and state != "gedepubliceerd" else None})
        return items
    rows = con.execute(
        "SELECT r.system_id, s.name, r.entry_json FROM register_entries r JOIN systems s USING (system_id) "
        "WHERE s.status = 'confirmed' ORDER BY r.system_id").fetchall()
    items = [{"system_id": sid, "name": name, "state": "gepubliceerd", "entry": json.loads(js)}
             for sid, name, js in rows if js]
    gone = con.execute("SELECT system_id, name FROM systems WHERE status IN ('retired', 'rejected')").fetchall()
    items += [{"system_id": sid, "name": name, "state": "gedepubliceerd", "entry": None} for sid, name in gone]
    return items


def own_entries(con: duckdb.DuckDBPyConnection, config: AigripConfig) -> pd.DataFrame:
    """This municipality's own entries in the loaded national register (columns :data:`OWN_ENTRY_COLUMNS`)."""
    peer_cols = table_columns(con, "peer_register_entries")
    if not peer_cols:
        return pd.DataFrame(columns=OWN_ENTRY_COLUMNS)
    if table_columns(con, "own_register_entries"):
        # the knowledge stage's recognition (transforms.knowledge.own_entries); the full entries come from
        # peer_register_entries, which holds every field the drift compares
        df = fetch_df(con, "SELECT p.* FROM peer_register_entries p JOIN own_register_entries o USING (entry_key)")
    else:
        national = [s.id for s in config.sources if s.type == "national_register"]
        sql = "SELECT * FROM peer_register_entries"
        params: list = []
        if national:
            sql += f" WHERE source_id IN ({', '.join('?' for _ in national)})"
            params = national
        df = fetch_df(con, sql, params)
        code, name = config.organisation.code.lower(), fold(config.organisation.name)
        if len(df):
            mine = (df["org_code"].fillna("").str.lower() == code) | (df["organisation"].fillna("").map(fold) == name)
            df = df[mine]
    for c in OWN_ENTRY_COLUMNS:
        if c not in df.columns:
            df[c] = None
    return df[OWN_ENTRY_COLUMNS].reset_index(drop=True)
