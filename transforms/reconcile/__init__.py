"""Reconcile candidate mentions into deduplicated systems with stable ids ("one system, one record").

``reconcile(records, previous=..., registry=..., decisions=...)`` runs, in order:

1. :mod:`features` — matching features (``name_norm`` …) and profiles of identical records;
2. :mod:`cluster`  — Splink 5 on DuckDB scores profile pairs with the shipped ``model.json``
   (settings in :mod:`settings`), connected components above the threshold, then clusters of one
   department joined by several weak links (just below the threshold); :mod:`conflicts` rebuilds
   clusters holding two portfolio applications or two unrelated companies (KvK numbers);
   :mod:`attach` then joins stray survey answers and tenders to the one system a distinctive word
   names, and a lone invoice line of another department to the one system it matches;
3. :mod:`constraints` — reviewer decisions replayed in log order (must-link, cannot-link, status,
   edits);
4. :mod:`identity` — stable ``AIG-`` ids against the previous run's provenance and the registry;
5. :mod:`build` — ``systems`` and ``provenance`` rows; :mod:`links` — near misses between systems
   (``links``: resembling systems kept apart, with the reason, for the reviewer).
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from transforms.errors import AigripError
from transforms.reconcile.attach import attach_lone_lines, attach_strays
from transforms.reconcile.build import PROVENANCE_COLUMNS, build_provenance, build_systems
from transforms.reconcile.cluster import cluster_profiles, load_model, merge_corroborated, score_profiles
from transforms.reconcile.conflicts import split_conflicts
from transforms.reconcile.constraints import replay_decisions, resolve
from transforms.reconcile.features import prepare_profiles
from transforms.reconcile.identity import REGISTRY_COLUMNS, assign_ids
from transforms.reconcile.links import SYSTEM_LINK_COLUMNS, system_links
from transforms.reconcile.settings import DEFAULT_THRESHOLD, WEAK_BAND
from transforms.reconcile.survey_answers import attribute_survey_vendors

__all__ = ["reconcile", "ReconcileResult", "DECISION_REPORT_COLUMNS", "SYSTEM_LINK_COLUMNS"]

DECISION_REPORT_COLUMNS = ["event_id", "applied", "apply_note"]
_RECORD_COLUMNS = [
    "source_key", "source_type", "title", "description", "vendor", "vendor_norm", "vendor_kvk", "product",
    "department", "record_date", "raw_json", "ai_score", "kb_product_id",
]


@dataclass
class ReconcileResult:
    """systems, provenance, registry and links in their table shapes; decisions: per event applied + note."""

    systems: pd.DataFrame
    provenance: pd.DataFrame
    registry: pd.DataFrame
    decisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DECISION_REPORT_COLUMNS))
    timings: dict = field(default_factory=dict)
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SYSTEM_LINK_COLUMNS))


# DuckDB memory for Splink on a connection reconcile opens itself: beyond it, joins and sorts spill
# to a temporary directory. Without a limit DuckDB takes up to 80% of RAM. Measured on 1M records
# (Splink step alone, same edges): no limit 100 s / 3.95 GB peak, 2 GB 103 s / 3.48 GB,
# 1.5 GB in the whole run 105 s / 3.40 GB, 1 GB 152 s / 2.52 GB (spilling).
_OWN_MEMORY_LIMIT = "1536MB"


@contextmanager
def _scoring_connection(con: duckdb.DuckDBPyConnection | None):
    """The caller's connection as it is, or an in-memory one with a memory limit and its own spill
    directory (removed afterwards)."""
    if con is not None:
        yield con
        return
    with tempfile.TemporaryDirectory(prefix="aigrip-reconcile-") as spill:
        own = duckdb.connect(config={"memory_limit": _OWN_MEMORY_LIMIT, "temp_directory": spill})
        try:
            yield own
        finally:
            own.close()


def _frame(df: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    if df is None or len(df) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return df


def _as_objects(values: pd.Series) -> pd.Series:
    """``values`` as an object column with None for missing; equal values share one Python object
    (a 1M-row ledger repeats its vendors, departments and source types)."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable values (e.g. a dict in raw_json)
        return values.astype("object").where(values.notna(), None)
    objects = np.append(np.asarray(uniques, dtype=object), None)
    return pd.Series(objects[codes], index=values.index, dtype="object")


def _prepare_records(records: pd.DataFrame) -> pd.DataFrame:
    """The record columns reconcile reads (missing ones as None), in source_key order."""
    if "source_key" not in records.columns:
        raise AigripError("reconcile: the candidate records have no source_key column; run the normalise stage first")
    # only the columns reconcile reads: no copy of every input column
    df = records[[col for col in _RECORD_COLUMNS if col in records.columns]]
    for col in _RECORD_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df["source_key"] = df["source_key"].astype(str)
    dup = df["source_key"].duplicated()
    if dup.any():
        raise AigripError(
            f"reconcile: source_key {df.loc[dup, 'source_key'].iloc[0]!r} occurs twice in the candidates; "
            "each source record must appear once (check the normalise stage)"
        )
    df["ai_score"] = pd.to_numeric(df["ai_score"], errors="coerce")
    for col in ("title", "description", "vendor", "vendor_norm", "vendor_kvk", "product", "department",
                "kb_product_id", "raw_json", "source_type"):
        df[col] = _as_objects(df[col])
    # the order of prepare_profiles' keys, so per-record results line up by position
    return df.sort_values("source_key", kind="stable", ignore_index=True)


def reconcile(
    records: pd.DataFrame,
    *,
    previous: pd.DataFrame | None,
    registry: pd.DataFrame | None,
    decisions: pd.DataFrame | None,
    con: duckdb.DuckDBPyConnection | None = None,
    model_path: str | Path | None = None,
    as_of: object = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> ReconcileResult:
    """Deduplicate candidate records into systems, apply reviewer decisions, keep ids stable."""
    import time

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    df = attribute_survey_vendors(_prepare_records(records))
    previous = _frame(previous, PROVENANCE_COLUMNS)
    registry = _frame(registry, REGISTRY_COLUMNS).copy()
    now = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().floor("s")
    successors = {
        str(a): str(b) for a, b in zip(registry["system_id"], registry["successor_id"], strict=False)
        if isinstance(b, str) and b
    }

    keys, profiles = prepare_profiles(df)
    timings["features"] = time.perf_counter() - t0
    with _scoring_connection(con) as scoring:
        edges = score_profiles(profiles, scoring, model=load_model(model_path),
                               threshold=max(threshold - WEAK_BAND, 0.0))
    timings["splink"] = time.perf_counter() - t0 - sum(timings.values())

    strong = edges["match_probability"].to_numpy(dtype=float) >= threshold
    labels = cluster_profiles(profiles, edges[strong])
    labels = merge_corroborated(profiles, labels, edges[~strong])
    labels = split_conflicts(profiles, labels, edges)
    labels, attached = attach_strays(profiles, labels)
    labels, edges = attach_lone_lines(profiles, labels, edges)
    if len(attached):
        edges = pd.concat([edges, attached], ignore_index=True)
    groups = labels[keys["profile_id"].to_numpy()]
    prev = previous[["system_id", "source_key"]].dropna().astype(str)
    prev = prev.assign(live_id=prev["system_id"].map(lambda s: resolve(s, successors)))
    prev_keys = prev.groupby("live_id")["source_key"].agg(list).to_dict() if len(prev) else {}
    replay = replay_decisions(pd.Index(keys["source_key"]), groups, decisions,
                              prev_keys=prev_keys, successors=successors)
    all_successors = {**successors, **replay.successors}
    prev = prev.assign(live_id=prev["system_id"].map(lambda s: resolve(s, all_successors)))
    labelled = keys[["source_key", "profile_id"]].assign(group=replay.groups)
    # keys are sorted by source_key: a group's smallest key is its first
    _, first, inverse = np.unique(replay.groups, return_index=True, return_inverse=True)
    labelled["min_key"] = labelled["source_key"].to_numpy()[first][inverse]
    group_ids, model_merges = assign_ids(labelled, previous=prev, registry=registry, successors=all_successors,
                                         preferred=replay.preferred, fresh=replay.fresh)
    timings["cluster"] = time.perf_counter() - t0 - sum(timings.values())

    labelled["system_id"] = labelled["group"].map(group_ids)
    if np.array_equal(df["source_key"].to_numpy(), keys["source_key"].to_numpy()):
        full = df.assign(system_id=labelled["system_id"].to_numpy())
    else:  # not expected: both are in source_key order
        full = df.merge(labelled[["source_key", "system_id"]], on="source_key")
    attrs = {group_ids[g]: a for g, a in replay.attrs.items() if g in group_ids}
    systems = build_systems(full, attrs)
    provenance = build_provenance(labelled[["source_key", "profile_id", "system_id"]], edges,
                                  {group_ids[g] for g in replay.reviewer_linked if g in group_ids})
    registry = _update_registry(registry, prev, set(group_ids.values()), {**replay.successors, **model_merges},
                                attrs, now)
    first = labelled.drop_duplicates("profile_id").set_index("profile_id").reindex(range(len(profiles)))
    links = system_links(first["system_id"].to_numpy(dtype=object), first["source_key"].to_numpy(dtype=object),
                         profiles, edges, threshold)
    report = pd.DataFrame(replay.report, columns=DECISION_REPORT_COLUMNS)
    timings["build"] = time.perf_counter() - t0 - sum(timings.values())
    timings["total"] = time.perf_counter() - t0
    return ReconcileResult(systems, provenance, registry, report, timings, links)


def _update_registry(registry: pd.DataFrame, prev: pd.DataFrame, live: set[str], merges: dict[str, str],
                     attrs: dict[str, dict], now: pd.Timestamp) -> pd.DataFrame:
    reg = registry[REGISTRY_COLUMNS].copy()
    reg["system_id"] = reg["system_id"].astype(str)
    known = set(reg["system_id"])
    added = sorted((live | set(prev["system_id"]) | set(prev["live_id"])) - known)
    if added:
        reg = pd.concat([reg, pd.DataFrame({"system_id": added, "created_at": now,
                                            "successor_id": None, "retired_at": None})], ignore_index=True)
    reg["successor_id"] = reg["successor_id"].astype("object")
    reg["retired_at"] = reg["retired_at"].astype("object")
    for old, new in merges.items():
        mask = (reg["system_id"] == old) & reg["successor_id"].isna()
        reg.loc[mask, "successor_id"] = new
    for sid, a in attrs.items():
        if a.get("status") == "retired":
            mask = (reg["system_id"] == sid) & reg["retired_at"].isna()
            reg.loc[mask, "retired_at"] = a.get("retired_at") or now
    reg["created_at"] = pd.to_datetime(reg["created_at"], errors="coerce")
    reg["retired_at"] = pd.to_datetime(reg["retired_at"], errors="coerce", utc=True).dt.tz_localize(None)
    reg = reg.sort_values("system_id").reset_index(drop=True)
    return reg[REGISTRY_COLUMNS]

