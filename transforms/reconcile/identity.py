"""Stable system ids (docs/contracts.md §4): ``AIG-`` + 6 digits, assigned once and never reused.

Rules, applied deterministically on every run:

1. a group a reviewer decision pins to an id (merge target, the rest of a split system) keeps it;
2. every previous system has a *home*: the group holding most of its records (ties: the lowest
   group label, i.e. the group with the smallest source_key); a previous system's records spread
   over two groups (a split) leave the id with the larger part;
3. a group that is home to several previous systems (a merge) keeps the oldest id (registry
   ``created_at``, then the lowest number); the others get it as ``successor_id``;
4. every other group gets a new id, numbered after the highest id ever issued, in source_key order.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["ID_PREFIX", "REGISTRY_COLUMNS", "format_id", "assign_ids"]

ID_PREFIX = "AIG-"
REGISTRY_COLUMNS = ["system_id", "created_at", "successor_id", "retired_at"]
_ID_RE = re.compile(r"^AIG-(\d{6,})$")


def format_id(number: int) -> str:
    """``AIG-`` + the number as 6 digits."""
    return f"{ID_PREFIX}{number:06d}"


def _number(system_id: str) -> int:
    m = _ID_RE.match(str(system_id))
    return int(m.group(1)) if m else 0


def assign_ids(
    keys: pd.DataFrame,
    *,
    previous: pd.DataFrame,
    registry: pd.DataFrame,
    successors: dict[str, str],
    preferred: dict[int, str],
    fresh: set[int],
) -> tuple[dict[int, str], dict[str, str]]:
    """Map every group to a system id.

    ``keys``: DataFrame[source_key, group, min_key] (one row per record); ``previous``: last run's
    provenance with its ids resolved to live ids in column ``live_id``; ``successors``: merged-away
    id → successor (registry and this run's reviewer merges). Returns ``(group → id, new successors)``
    where the new successors are previous ids that the model merged into another system this run.
    """
    group_ids: dict[int, str] = {}
    taken: set[str] = set()
    known = set(registry["system_id"].dropna().astype(str)) if len(registry) else set()
    known |= set(previous["live_id"].dropna().astype(str)) if len(previous) else set()
    retired_or_merged = set(successors)
    created = {}
    if len(registry):
        created = dict(zip(registry["system_id"].astype(str), pd.to_datetime(registry["created_at"]), strict=False))

    for group, system_id in sorted(preferred.items()):
        if system_id and system_id not in taken and system_id not in retired_or_merged:
            group_ids[group] = system_id
            taken.add(system_id)

    new_successors: dict[str, str] = {}
    if len(previous):
        joined = previous[["source_key", "live_id"]].merge(keys[["source_key", "group"]], on="source_key")
        counts = joined.groupby(["live_id", "group"], sort=True).size().rename("n").reset_index()
        counts["fresh"] = counts["group"].isin(fresh)
        has_plain = counts.groupby("live_id")["fresh"].transform(lambda f: (~f).any())
        counts = counts[~(counts["fresh"] & has_plain)]
        # home of each previous id: most records; ties -> lowest group label
        homes = counts.sort_values(["live_id", "n", "group"], ascending=[True, False, True]).drop_duplicates("live_id")
        homes = homes[~homes["live_id"].isin(taken)]
        homes = homes.assign(
            _created=homes["live_id"].map(created).fillna(pd.Timestamp.max),
            _number=homes["live_id"].map(_number),
        ).sort_values(["group", "_created", "_number", "live_id"])
        for group, claim in homes.groupby("group", sort=True):
            ids = claim["live_id"].tolist()
            if group in group_ids:
                winner = group_ids[group]
            else:
                winner = ids[0]
                group_ids[int(group)] = winner
                taken.add(winner)
            for other in ids:
                if other != winner:
                    new_successors[other] = winner

    next_number = max([_number(i) for i in known | set(successors) | set(successors.values())] + [0]) + 1
    rest = keys.loc[~keys["group"].isin(list(group_ids)), ["group", "min_key"]].drop_duplicates("group")
    for group in rest.sort_values(["min_key", "group"])["group"].to_numpy():
        group_ids[int(group)] = format_id(next_number)
        next_number += 1
    return group_ids, new_successors
