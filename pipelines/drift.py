"""Drift against the national register: read the inventory, our own register entries and the delivery
state, call :func:`transforms.publish.drift.register_drift`. Used by the ``register_drift`` asset."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from pipelines.config import AigripConfig
from pipelines.delivery import read_state, state_path
from pipelines.register_state import own_entries, table_columns
from transforms.publish.delivery import fold_state
from transforms.publish.drift import register_drift

__all__ = ["compute_drift"]


def compute_drift(con: duckdb.DuckDBPyConnection, config: AigripConfig) -> pd.DataFrame:
    own = own_entries(con, config)
    delivered = fold_state(read_state(state_path(config.data_dir)))
    entries = {}
    if table_columns(con, "register_entries"):
        entries = {sid: json.loads(js) for sid, js in
                   con.execute("SELECT system_id, entry_json FROM register_entries").fetchall() if js}
    systems = [{"system_id": sid, "name": name, "status": status, "entry": entries.get(sid),
                "lars": (delivered.get(sid) or {}).get("lars")}
               for sid, name, status in con.execute("SELECT system_id, name, status FROM systems").fetchall()]
    return register_drift(own, systems)
