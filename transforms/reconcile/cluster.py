"""Score profile pairs with the shipped Splink model and cluster them (connected components).

Splink runs on the DuckDB connection passed in (:func:`backend.splink_api`); pairs at or above
the threshold become edges, each with a readable Dutch reason built from the comparison levels
that decided it ("zelfde KB-product; leverancier gelijk; naam lijkt sterk (0.93)").
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from transforms.errors import AigripError
from transforms.reconcile.backend import splink_api
from transforms.reconcile.settings import (
    BLOCKING_COLUMNS,
    COMPARISON_LABELS,
    MIN_WEAK_LINKS,
    MIN_WEAK_SHARE,
    VENDOR_KVK_LEVEL,
    capped_blocking_columns,
)

__all__ = [
    "MODEL_PATH", "EDGE_COLUMNS", "load_model", "score_profiles", "connected_components", "cluster_profiles",
    "merge_corroborated", "per_cluster_any", "relabel_by_smallest",
]

MODEL_PATH = Path(__file__).with_name("model.json")
EDGE_COLUMNS = ["unique_id_l", "unique_id_r", "match_probability", "match_reason"]
_PROFILE_INPUT = [
    "unique_id", "name_norm", "name_tokens", "name_first", "vendor_norm", "vendor_kvk",
    "department_norm", "kb_product_id", "desc_tokens", "name_words",
    "vendor_words", "vendor_initials", "vendor_short", *BLOCKING_COLUMNS,
]


def load_model(model_path: str | Path | None = None) -> dict:
    """The trained Splink model (settings + m/u) as a dict; one readable error when unusable."""
    path = Path(model_path) if model_path else MODEL_PATH
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AigripError(
            f"reconcile model {path} not found: pass an existing model file or retrain with "
            "'python -m transforms.reconcile.train --out <file>'"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise AigripError(
            f"reconcile model {path} is not a readable Splink model JSON ({exc}); "
            "retrain with 'python -m transforms.reconcile.train --out <file>'"
        ) from exc


def _reason_sql() -> str:
    parts = []
    for comparison, labels in COMPARISON_LABELS.items():
        whens = " ".join(f"WHEN {level} THEN '{text}'" for level, text in labels.items())
        parts.append(f"CASE gamma_{comparison} {whens} END")
    name = (
        "CASE WHEN gamma_name = 5 THEN 'naam gelijk' "
        "WHEN gamma_name >= 1 THEN 'naam lijkt ' || CASE WHEN gamma_name >= 3 THEN 'sterk ' ELSE '' END"
        " || '(' || printf('%.2f', jaro_winkler_similarity(name_norm_l, name_norm_r)) || ')' "
        "WHEN gamma_name = 0 THEN 'naam verschilt' END"
    )
    return "concat_ws('; ', " + ", ".join([parts[0], parts[1], name, *parts[2:]]) + ")"


def score_profiles(
    profiles: pd.DataFrame,
    con: duckdb.DuckDBPyConnection,
    *,
    model: dict,
    threshold: float,
) -> pd.DataFrame:
    """Pairs of profiles with match_probability >= threshold, with their readable match_reason."""
    if len(profiles) < 2:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EDGE_COLUMNS})
    from splink import Linker

    frame = capped_blocking_columns(profiles)[_PROFILE_INPUT]
    # Splink works on its own cursor: the caller's connection may hold an unfinished result
    cursor = con.cursor()
    try:
        db_api = splink_api("duckdb", con=cursor)
        sdf = db_api.register(frame)
        settings = {k: v for k, v in model.items() if not k.startswith("aigrip_")}
        pairs_per_profile = model.get("aigrip_matching_pairs_per_profile")
        if pairs_per_profile:
            # the prior scales with the data: a municipality with 80 candidates has far fewer profiles
            # per system pair than the training set, so P(two random profiles match) is set from n
            n = len(frame)
            settings["probability_two_random_records_match"] = min(max(2 * pairs_per_profile / max(n - 1, 1), 1e-7), 0.5)
        linker = Linker(sdf, json.loads(json.dumps(settings)), log_level=logging.WARNING)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        sql = (
            f"SELECT unique_id_l, unique_id_r, match_probability, {_reason_sql()} AS match_reason, "
            "gamma_name, gamma_vendor "
            f"FROM {predictions.physical_name} ORDER BY unique_id_l, unique_id_r"
        )
        edges = cursor.execute(sql).df()
        linker.table_management.delete_tables_created_by_splink_from_db()
    finally:
        cursor.close()
    return edges


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (the smallest member index) of each of ``n`` nodes joined by edges left–right."""
    labels = np.arange(n, dtype=np.int64)
    if len(left) == 0:
        return labels
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        # pointer jumping: follow labels to their own labels until stable
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            return labels


def cluster_profiles(profiles: pd.DataFrame, edges: pd.DataFrame) -> np.ndarray:
    """Cluster label per profile (index = unique_id): connected components, one system per deployment.

    Department is evidence in the score (a Splink comparison), and it decides how clusters form:

    1. profiles of the same department, and profiles without one, form connected components;
    2. a component without an *anchor* (a ledger line or portfolio entry of a department — see
       ``features.MENTION_TYPES``), e.g. a survey answer from another department or a tender, joins
       the one component it links to most strongly (an anchored one first; a component without a
       department may also join a component with one). The department conflict is flagged on the
       system.

    So a system named by respondents of several departments is one system, while the same product
    bought and run by two departments (each with its own ledger lines and portfolio entry) stays two
    deployments, and a mention linking to several deployments cannot chain them together.
    """
    n = len(profiles)
    if n == 0 or len(edges) == 0:
        return np.arange(n, dtype=np.int64)
    dept = profiles["department_norm"].astype("object").to_numpy()
    anchor = (profiles["anchor"].to_numpy(dtype=bool) if "anchor" in profiles.columns
              else ~pd.isna(dept))
    left = edges["unique_id_l"].to_numpy(dtype=np.int64)
    right = edges["unique_id_r"].to_numpy(dtype=np.int64)
    prob = edges["match_probability"].to_numpy(dtype=np.float64)
    dl, dr = pd.isna(dept[left]), pd.isna(dept[right])
    same = (~dl & ~dr) & (dept[left] == dept[right])
    inner = same | (dl & dr)
    labels = connected_components(n, left[inner], right[inner])
    outer = ~inner & (labels[left] != labels[right])
    if not outer.any():
        return labels
    anchored = per_cluster_any(labels, anchor)
    has_dept = per_cluster_any(labels, ~pd.isna(dept))
    lo, ro, p = left[outer], right[outer], prob[outer]
    links = pd.DataFrame({"from": labels[np.concatenate([lo, ro])], "to": labels[np.concatenate([ro, lo])],
                          "p": np.concatenate([p, p]), "via": np.concatenate([ro, lo])})
    src, dst, via = links["from"].to_numpy(), links["to"].to_numpy(), links["via"].to_numpy()
    # across departments only a link to an anchor record counts (two survey answers from different
    # departments that name the same thing say nothing about whose system it is)
    movable = ~anchored[src] & ((anchored[dst] & (anchor[via] | ~has_dept[src])) | (~has_dept[src] & has_dept[dst]))
    links = links[movable].assign(rank=(~anchored[dst[movable]]).astype(np.int8))
    links = links.sort_values(["from", "rank", "p", "to"], ascending=[True, True, False, True])
    links = links.drop_duplicates("from")
    mapping = np.arange(n, dtype=np.int64)
    mapping[links["from"].to_numpy()] = links["to"].to_numpy()
    # a tender may join a department's survey answers, which in turn join their anchored system
    merged = mapping[mapping[labels]]
    return relabel_by_smallest(merged)


def per_cluster_any(labels: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Per cluster label (index = label): does any member have ``flags`` set."""
    out = np.zeros(len(labels), dtype=bool)
    np.logical_or.at(out, labels, np.asarray(flags, dtype=bool))
    return out


def relabel_by_smallest(labels: np.ndarray) -> np.ndarray:
    """Each cluster labelled by its smallest member index, so labels stay deterministic."""
    n = len(labels)
    return pd.Series(np.arange(n)).groupby(labels).transform("min").to_numpy().astype(np.int64)


def merge_corroborated(profiles: pd.DataFrame, labels: np.ndarray, weak: pd.DataFrame) -> np.ndarray:
    """Join clusters of one department that several *weak* links connect (pairs scored below the
    threshold but within :data:`settings.WEAK_BAND` of it).

    A single weak link is not enough (that is how unrelated systems chain together); two clusters
    are joined when at least :data:`settings.MIN_WEAK_LINKS` weak links (or every pair, for two
    single profiles) and at least :data:`settings.MIN_WEAK_SHARE` of all their profile pairs link
    them — e.g. invoice lines that describe what is bought ("huur kentekenscanner juni") and the
    product's own lines, all from one supplier (same KvK number) and department.
    """
    if len(weak) == 0:
        return labels
    dept = profiles["department_norm"].astype("object").to_numpy()
    left = weak["unique_id_l"].to_numpy(dtype=np.int64)
    right = weak["unique_id_r"].to_numpy(dtype=np.int64)
    # "same vendor name, same department, different names" is what two products of one supplier
    # look like too: such a link does not corroborate (a shared word or the same KvK number does)
    telling = (weak["gamma_name"].to_numpy() >= 1) | (weak["gamma_vendor"].to_numpy() == VENDOR_KVK_LEVEL)
    keep = telling & ~pd.isna(dept[left]) & (dept[left] == dept[right]) & (labels[left] != labels[right])
    if not keep.any():
        return labels
    a = np.minimum(labels[left[keep]], labels[right[keep]])
    b = np.maximum(labels[left[keep]], labels[right[keep]])
    sizes = np.bincount(labels, minlength=len(labels))
    pairs = pd.DataFrame({"a": a, "b": b}).value_counts().rename("n").reset_index()
    cross = sizes[pairs["a"].to_numpy()] * sizes[pairs["b"].to_numpy()]
    n = pairs["n"].to_numpy()
    ok = (n >= np.minimum(MIN_WEAK_LINKS, cross)) & (n >= MIN_WEAK_SHARE * cross)
    components = connected_components(len(labels), pairs["a"].to_numpy()[ok], pairs["b"].to_numpy()[ok])
    return components[labels]
