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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.reconcile.cluster import EDGE_COLUMNS, relabel_by_smallest
from transforms.reconcile.features import STOPWORDS

__all__ = ["attach_strays"]

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
    anchor = profiles["anchor"].to_numpy(dtype=bool)
    anchored = np.zeros(n, dtype=bool)
    np.logical_or.at(anchored, labels, anchor)
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
