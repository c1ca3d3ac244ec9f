"""Attach stray mentions to the one system they name by a distinctive word.

After scoring and clustering, some survey answers and tenders are still on their own: a
respondent who writes "de chatbot op de website" without a vendor, a tender titled
"Levering ANPR-camera's parkeerhandhaving" without a supplier. Pairwise scores see one shared word
and no vendor, which is too little for any pair. But at the level of the municipality the
evidence can be decisive: if "chatbot" occurs in exactly one system of the respondent's department,
or "ANPR" in exactly one system of the whole municipality, that system is the one meant.

Rule (deterministic, explainable, conservative):

* a *stray* is a cluster without an anchor (no ledger line or portfolio entry of a department:
  only survey answers and/or tenders);
* its scope is the anchored clusters of its own department, or all anchored clusters when it has
  no department (tenders);
* a word of the stray's names (at least 3 letters, not a generic or stop word) is *distinctive*
  when exactly one cluster in scope uses it in its names;
* the stray joins the cluster with the most distinctive words in common, only when that cluster
  is the only one with that many, and a vendor the stray names (if any) is among that
  cluster's vendors.

The words that decided it are the reason ("noemt 'chatbot', dat in deze afdeling alleen bij dit
systeem voorkomt").

A second rule, :func:`attach_lone_lines`, handles an invoice line booked on another department's
cost centre: a system of *one* ledger line (no portfolio entry, no other record) that the model
links at :data:`LONE_LINE_MIN_PROBABILITY` or more to exactly one system of another department
joins that system (the department conflict is flagged on it, so a reviewer sees it). Linked to
two deployments of the product, the line stays on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.reconcile.cluster import EDGE_COLUMNS, per_cluster_any, relabel_by_smallest
from transforms.reconcile.features import STOPWORDS

__all__ = ["attach_strays", "attach_lone_lines", "LONE_LINE_MIN_PROBABILITY"]

LONE_LINE_MIN_PROBABILITY = 0.9

_MIN_LEN = 3
_STOP = STOPWORDS | frozenset(
    "niet ook wij onze ons alle alles deze dit waar wat welke over onder tegen tussen zoals via".split()
)


def _words(name: object) -> frozenset[str]:
    if not isinstance(name, str):
        return frozenset()
    return frozenset(w for w in name.split(" ") if len(w) >= _MIN_LEN and w not in _STOP and not w.isdigit())


def _reason(words: list[str], scoped: bool) -> str:
    quoted = ", ".join(f"'{w}'" for w in words)
    where = "in deze afdeling " if scoped else ""
    if len(words) == 1:
        return f"noemt {quoted}, dat {where}alleen bij dit systeem voorkomt"
    return f"noemt {quoted}, die {where}alleen bij dit systeem voorkomen"


def attach_strays(profiles: pd.DataFrame, labels: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """New cluster labels with strays attached, and one edge per attached stray profile
    (stray profile → a profile of the chosen cluster that uses the word; match_probability NULL,
    match_reason names the distinctive words)."""
    n = len(profiles)
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c == "match_probability" else "object")
                          for c in EDGE_COLUMNS})
    if n == 0:
        return labels, empty
    anchored = per_cluster_any(labels, profiles["anchor"].to_numpy(dtype=bool))
    if anchored.all() or not anchored.any():
        return labels, empty
    frame = pd.DataFrame({
        "pid": np.arange(n), "cluster": labels, "anchored": anchored[labels],
        "dept": profiles["department_norm"].astype("object").to_numpy(),
        "vendor": profiles["vendor_norm"].astype("object").to_numpy(),
        "words": [_words(x) for x in profiles["name_norm"].tolist()],
    })
    exploded = frame[["pid", "cluster", "anchored", "dept", "words"]].explode("words").dropna(subset=["words"])
    targets = exploded[exploded["anchored"]]
    # word -> clusters using it, per department and overall
    by_dept = targets.groupby(["dept", "words"])["cluster"].agg(lambda s: sorted(set(s)))
    overall = targets.groupby("words")["cluster"].agg(lambda s: sorted(set(s)))
    example = targets.drop_duplicates(["cluster", "words"]).set_index(["cluster", "words"])["pid"]
    vendors = frame[frame["anchored"]].dropna(subset=["vendor"]).groupby("cluster")["vendor"].agg(set)

    mapping = np.arange(n, dtype=np.int64)
    edges = []
    for cluster, members in frame[~frame["anchored"]].groupby("cluster"):
        depts = {d for d in members["dept"] if isinstance(d, str)}
        if len(depts) > 1:
            continue
        dept = next(iter(depts), None)
        votes: dict[int, list[str]] = {}
        for word in sorted(set().union(*members["words"])):
            hits = by_dept.get((dept, word)) if dept is not None else overall.get(word)
            if hits is not None and len(hits) == 1:
                votes.setdefault(hits[0], []).append(word)
        if not votes:
            continue
        ranked = sorted(votes.items(), key=lambda kv: -len(kv[1]))
        if len(ranked) > 1 and len(ranked[1][1]) == len(ranked[0][1]):
            continue  # two systems are named equally often: leave it to the reviewer
        target, words = ranked[0]
        named = {v for v in members["vendor"] if isinstance(v, str)}
        if named and not (named & vendors.get(target, set())):
            continue  # the stray names another vendor
        mapping[cluster] = target
        partner = int(example[(target, words[0])])
        reason = _reason(words, dept is not None)
        edges.extend((int(pid), partner, np.nan, reason) for pid in members["pid"])
    return relabel_by_smallest(mapping[labels]), pd.DataFrame(edges, columns=EDGE_COLUMNS) if edges else empty


def attach_lone_lines(profiles: pd.DataFrame, labels: np.ndarray,
                      edges: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """New cluster labels with lone ledger lines of another department attached (see the module
    docstring), and ``edges`` with the reason of each attached line's links to its new system
    saying why ("losse factuurregel van een andere afdeling; …")."""
    n = len(profiles)
    if n == 0 or len(edges) == 0:
        return labels, edges
    dept = profiles["department_norm"].astype("object").to_numpy()
    records = np.bincount(labels, weights=profiles["n_records"].to_numpy(dtype=float), minlength=n)
    apps = np.bincount(labels, weights=profiles["applications"].to_numpy(dtype=float), minlength=n)
    anchored = per_cluster_any(labels, profiles["anchor"].to_numpy(dtype=bool))
    lone = (records == 1) & (apps == 0) & anchored
    left = edges["unique_id_l"].to_numpy(dtype=np.int64)
    right = edges["unique_id_r"].to_numpy(dtype=np.int64)
    prob = edges["match_probability"].to_numpy(dtype=np.float64)
    across = (prob >= LONE_LINE_MIN_PROBABILITY) & ~pd.isna(dept[left]) & ~pd.isna(dept[right]) \
        & (dept[left] != dept[right]) & (labels[left] != labels[right])
    if not across.any():
        return labels, edges
    idx = np.flatnonzero(across)
    links = pd.DataFrame({"from": labels[np.r_[left[idx], right[idx]]], "to": labels[np.r_[right[idx], left[idx]]]})
    to = links["to"].to_numpy()
    links = links[lone[links["from"].to_numpy()] & ~lone[to] & anchored[to]].drop_duplicates()
    targets = links.groupby("from")["to"].nunique()
    links = links[links["from"].isin(targets.index[targets.to_numpy() == 1])]
    if links.empty:
        return labels, edges
    mapping = np.arange(n, dtype=np.int64)
    mapping[links["from"].to_numpy()] = links["to"].to_numpy()
    moved = np.zeros(n, dtype=bool)
    moved[links["from"].to_numpy()] = True
    new_labels = relabel_by_smallest(mapping[labels])
    # the moved line's links into its new system carry the rule in their reason
    rewrite = across & (moved[labels[left]] | moved[labels[right]]) & (new_labels[left] == new_labels[right])
    edges = edges.copy()
    edges.loc[rewrite, "match_reason"] = (
        "losse factuurregel van een andere afdeling; alleen dit systeem past: "
        + edges.loc[rewrite, "match_reason"].astype(str)
    )
    return new_labels, edges
