"""The register_entries step: draft entries, their versions and publication states (DuckDB in, out).

Shared by the publish asset and the tests. The draft of each confirmed system is built and validated;
its version is recorded in ``register_versions`` when new; the decision log's release, publish and
withdraw decisions are replayed into ``register_states``; their outcome is written back to
``review_decisions.applied/apply_note`` so reviewers see why a step did (not) take effect.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from pipelines.publishing import confirmed_systems
from transforms.publish.register import to_national_entry, validate_entry
from transforms.publish.states import entry_hash, next_versions, replay_states, resolve_event_systems
from warehouse import replace_table
from warehouse.db import fetch_df, read_table

__all__ = ["update_register"]


def _successors(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute("SELECT system_id, successor_id FROM system_ids WHERE successor_id IS NOT NULL").fetchall()
    return {a: b for a, b in rows}


def update_register(con: duckdb.DuckDBPyConnection, org: dict) -> tuple[pd.DataFrame, dict]:
    """Write register_entries, register_versions (new rows) and register_states; returns the drafts
    frame and counts for the asset's metadata."""
    now = pd.Timestamp(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0))
    rows, drafts = [], {}
    for system, cls in confirmed_systems(con):
        entry = to_national_entry(system, cls, org)
        h = entry_hash(entry)
        drafts[system["system_id"]] = (h, entry)
        rows.append({"system_id": system["system_id"], "entry_json": json.dumps(entry, ensure_ascii=False),
                     "problems": "; ".join(validate_entry(entry)) or None, "entry_hash": h})
    df = pd.DataFrame(rows, columns=["system_id", "entry_json", "problems", "entry_hash"])
    replace_table(con, "register_entries", df)
    history = read_table(con, "register_versions")
    new = next_versions(history, drafts, now)
    if len(new):
        con.register("_new_versions", new)
        con.execute("INSERT INTO register_versions BY NAME SELECT * FROM _new_versions")
        con.unregister("_new_versions")
        history = pd.concat([history, new], ignore_index=True) if len(history) else new
    decisions = fetch_df(con,
        "SELECT event_id, \"at\", reviewer, action, system_id, source_keys, fields_json, reason FROM review_decisions "
        "WHERE action IN ('edit', 'confirm', 'release', 'publish', 'withdraw') ORDER BY rowid")  # log order
    systems = fetch_df(con, "SELECT system_id, status, decision_reason, decided_at FROM systems")
    owners = dict(con.execute("SELECT source_key, system_id FROM provenance").fetchall())
    known = dict(con.execute("SELECT event_id, system_id FROM register_event_systems").fetchall())
    resolved = resolve_event_systems(decisions, known, owners)
    if resolved:
        con.executemany("INSERT INTO register_event_systems VALUES (?, ?)", list(resolved.items()))
    owners |= known | resolved
    previous = {sid: h for sid, h in con.execute(
        "SELECT system_id, coalesce(published_hash, released_hash) FROM register_states").fetchall() if h}
    outcome = replay_states(decisions, systems, drafts, history, _successors(con), owners, previous)
    replace_table(con, "register_states", outcome.states)
    for item in outcome.report:
        con.execute("UPDATE review_decisions SET applied = ?, apply_note = ? WHERE event_id = ?",
                    [item["applied"], item["apply_note"], item["event_id"]])
    states = outcome.states["state"].value_counts().to_dict() if len(outcome.states) else {}
    counts = {"register_entries": len(df), "invalid_entries": int(df["problems"].notna().sum()) if len(df) else 0,
              "new_versions": len(new), **{f"state_{k}": int(v) for k, v in sorted(states.items())}}
    return df, counts
