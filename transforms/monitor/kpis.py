"""Monitoring KPIs for one period, computed from the inventory (pure pandas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["compute_kpis", "inventory_rows", "DONE_DPIA_STATUSES"]

DONE_DPIA_STATUSES = {"afgerond", "uitgevoerd", "gereed", "vastgesteld", "done", "completed"}
STATUSES = ("candidate", "confirmed", "rejected", "retired")


def inventory_rows(systems: pd.DataFrame, classifications: pd.DataFrame, published_ids: set[str],
                   period: str, taken_at: dt.datetime) -> pd.DataFrame:
    """The rows of ``inventory_snapshots`` for a period: one per system, its state that month."""
    cols = ["system_id", "ai_act_class", "publication_category", "dpia_required", "dpia_status", "iama_recommended"]
    cls = classifications.reindex(columns=cols)
    df = systems.reindex(columns=["system_id", "status", "name", "department"]).merge(cls, on="system_id", how="left")
    df["period"] = period
    df["published"] = df["system_id"].isin(published_ids)
    df["taken_at"] = taken_at
    return df


def _done(status: pd.Series) -> pd.Series:
    return status.fillna("").astype(str).str.strip().str.lower().isin(DONE_DPIA_STATUSES)


def compute_kpis(inventory: pd.DataFrame, *, as_of: dt.date, source_status: pd.DataFrame,
                 candidates_count: int, mentions_count: int, defer_until: pd.Series | None = None,
                 flagged_at: pd.Series | None = None, peer_new_entries: int = 0,
                 peer_organisations: int = 0) -> dict[str, float]:
    """Headline figures for management; every value is a number (stored in the ``kpis`` table)."""
    k: dict[str, float] = {}
    status = inventory["status"].fillna("candidate")
    for s in STATUSES:
        k[f"systems_{s}"] = int((status == s).sum())
    confirmed = inventory[status == "confirmed"]
    k["systems_active"] = len(confirmed)  # "actieve systemen" are confirmed ones: candidates are not systems yet
    for code, n in confirmed["ai_act_class"].fillna("needs_review").value_counts().items():
        k[f"class_{code}"] = int(n)
    for cat, n in confirmed["publication_category"].fillna("onbekend").value_counts().items():
        k[f"pubcat_{cat}"] = int(n)
    need = confirmed[confirmed["dpia_required"].fillna(False).astype(bool)]
    k["dpia_required"] = len(need)
    k["dpia_done"] = int(_done(need["dpia_status"]).sum())
    if len(need):  # no figure at all rather than 0 of 0 = 100%
        k["dpia_coverage_pct"] = round(100.0 * k["dpia_done"] / len(need), 1)
    k["iama_recommended"] = int(confirmed["iama_recommended"].fillna(False).astype(bool).sum())
    k["published"] = int(confirmed["published"].fillna(False).astype(bool).sum())
    if len(confirmed):
        k["register_coverage_pct"] = round(100.0 * k["published"] / len(confirmed), 1)
    backlog = status == "candidate"
    if defer_until is not None:
        deferred = pd.to_datetime(pd.Series(defer_until).reset_index(drop=True), errors="coerce")
        deferred.index = backlog.index
        backlog &= deferred.isna() | (deferred <= pd.Timestamp(as_of))
    k["review_backlog"] = int(backlog.sum())
    if flagged_at is not None and backlog.any():
        seen = pd.to_datetime(pd.Series(flagged_at.values, index=backlog.index)[backlog], errors="coerce").dropna()
        k["backlog_oldest_days"] = max(0, int((pd.Timestamp(as_of) - seen.min()).days)) if len(seen) else 0
    else:
        k["backlog_oldest_days"] = 0
    ss = source_status
    k["sources"] = len(ss)
    k["sources_failed"] = int(ss["error"].notna().sum()) if len(ss) else 0
    k["rows_in"] = int(ss["rows_in"].sum()) if len(ss) else 0
    k["rows_quarantined"] = int(ss["rows_quarantined"].sum()) if len(ss) else 0
    k["mentions"] = int(mentions_count)
    k["candidates"] = int(candidates_count)
    k["peer_new_entries"] = int(peer_new_entries)
    k["peer_organisations"] = int(peer_organisations)
    return {name: float(v) for name, v in k.items()}
