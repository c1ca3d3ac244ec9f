"""What changed this period: the inventory snapshot of this period against the previous one."""

from __future__ import annotations

import pandas as pd

__all__ = ["period_changes", "CHANGE_LABELS"]

CHANGE_LABELS = {
    "new": "Nieuw gevonden",
    "confirmed": "Bevestigd",
    "rejected": "Afgewezen",
    "published": "Gepubliceerd in het register",
    "withdrawn": "Uit het register gehaald",
}


def period_changes(now: pd.DataFrame, before: pd.DataFrame | None) -> dict[str, list[dict]]:
    """Systems per kind of change (new, confirmed, rejected, published, withdrawn); each row has
    system_id, name, department. Without an earlier period everything in ``now`` is 'new'."""
    cols = ["system_id", "name", "department"]
    now = now.copy()
    now["published"] = now["published"].fillna(False).astype(bool)
    if before is None or before.empty:
        prev = pd.DataFrame({"system_id": pd.Series(dtype=object), "status_prev": pd.Series(dtype=object),
                             "published_prev": pd.Series(dtype=bool)})
    else:
        prev = before.rename(columns={"status": "status_prev", "published": "published_prev"})[
            ["system_id", "status_prev", "published_prev"]]
    df = now.merge(prev, on="system_id", how="outer", indicator=True)
    df["published_prev"] = df["published_prev"].fillna(False).astype(bool)
    df["published"] = df["published"].fillna(False).astype(bool)
    is_new = (df["_merge"] == "left_only") & df["status"].isin(["candidate", "confirmed"])
    changed = df["status"] != df["status_prev"]
    masks = {
        "new": is_new,
        "confirmed": (df["status"] == "confirmed") & (changed | is_new),
        "rejected": (df["status"] == "rejected") & (changed | (df["_merge"] == "left_only")),
        "published": df["published"] & ~df["published_prev"],
        "withdrawn": df["published_prev"] & ~df["published"],
    }
    out = {}
    for kind, mask in masks.items():
        rows = df.loc[mask, cols].sort_values(["name", "system_id"], na_position="last")
        out[kind] = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return out
