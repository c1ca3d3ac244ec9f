"""The requirement / assessment / review decisions of the log, per live system (merged-away ids
follow their successor), latest first per key."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from transforms.obligations.vocab import OBLIGATION_ACTIONS

__all__ = ["obligation_decisions", "latest_per_key", "as_date"]

_COLUMNS = ["event_id", "at", "reviewer", "action", "system_id", "reason", "fields"]


def _resolve(system_id: str, successors: dict[str, str]) -> str:
    seen = set()
    while system_id in successors and system_id not in seen:
        seen.add(system_id)
        system_id = successors[system_id]
    return system_id


def obligation_decisions(decisions: pd.DataFrame | None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``review_decisions`` rows of the obligation actions, in log order, with ``fields`` parsed
    (a dict) and ``system_id`` resolved through ``system_ids.successor_id``."""
    if decisions is None or decisions.empty:
        return pd.DataFrame(columns=_COLUMNS)
    d = decisions[decisions["action"].isin(OBLIGATION_ACTIONS)].copy()
    if d.empty:
        return pd.DataFrame(columns=_COLUMNS)
    successors: dict[str, str] = {}
    if registry is not None and len(registry) and "successor_id" in registry.columns:
        r = registry.dropna(subset=["successor_id"])
        successors = dict(zip(r["system_id"].astype(str), r["successor_id"].astype(str), strict=True))
    d["system_id"] = d["system_id"].astype(str).map(lambda s: _resolve(s, successors))
    d["fields"] = d["fields_json"].map(lambda v: json.loads(v) if isinstance(v, str) and v else {})
    d["at"] = pd.to_datetime(d["at"])
    return d[_COLUMNS].reset_index(drop=True)


def latest_per_key(events: pd.DataFrame, action: str, key_field: str | None) -> pd.DataFrame:
    """Per (system_id, fields[key_field]) the merged state of its decisions in log order: a later
    decision overrides only the fields it sets. Columns: system_id, key, the merged fields, reviewer,
    at and reason of the last decision."""
    ev = events[events["action"] == action]
    state: dict[tuple[str, str], dict] = {}
    for e in ev.itertuples(index=False):
        fields = dict(e.fields or {})
        key = str(fields.get(key_field) or "").strip().lower() if key_field else ""
        if key_field and not key:
            continue
        cur = state.setdefault((e.system_id, key), {})
        cur.update({k: v for k, v in fields.items() if v is not None})
        cur.update(_reviewer=e.reviewer, _at=e.at, _reason=e.reason)
    rows = [{"system_id": sid, "key": key, **vals} for (sid, key), vals in state.items()]
    return pd.DataFrame(rows)


def as_date(value: object) -> dt.date | None:
    """A date from a decision field or table cell (date, timestamp, ISO text); None when empty or unreadable."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()
