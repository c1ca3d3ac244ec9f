"""Split clusters that hold records which cannot belong to one system.

Connected components chain: an invoice line without a supplier that resembles two products links
them both, and two systems become one. Some records exclude each other outright:

* **two unrelated applications of the portfolio** — the application portfolio lists each
  application once per owning department, so two portfolio entries whose names share no word are
  two systems ("Gem" and "Gem – koppeling Zaaksysteem", a module listed on its own, may be one);
* **two companies** — two KvK numbers whose vendor names share no distinctive word, and neither is
  the other's abbreviation. A rename or take-over keeps a name part ("Vector Solutions" →
  "Acquira Vector", "VS B.V."), so those do not exclude each other.

A cluster holding such a pair is rebuilt from its own links, strongest first (single linkage with
cannot-link constraints): a link that would put two excluding records in one group is skipped, so
each application keeps the records most strongly linked to it. Only clusters with a conflict are
rebuilt; the rest stay as they are. Reviewer decisions come afterwards and win (a confirmed merge
joins the parts again; a product bought from a reseller and from its maker under two KvK numbers
is such a case).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.reconcile.cluster import relabel_by_smallest
from transforms.reconcile.vendor_words import vendor_parts

__all__ = ["split_conflicts"]


class _Firm:
    """The names one KvK number goes by inside a group: distinctive words, initials, short forms."""

    __slots__ = ("words", "initials", "shorts")

    def __init__(self, words: set[str], initials: set[str], shorts: set[str]):
        self.words, self.initials, self.shorts = words, initials, shorts

    def related(self, other: _Firm) -> bool:
        return bool(self.words & other.words or self.shorts & other.initials or other.shorts & self.initials)

    def merged(self, other: _Firm) -> _Firm:
        return _Firm(self.words | other.words, self.initials | other.initials, self.shorts | other.shorts)


def _apps_conflict(a: list[frozenset[str]], b: list[frozenset[str]]) -> bool:
    return any(x.isdisjoint(y) for x in a for y in b)


def _firms_conflict(a: dict[str, _Firm], b: dict[str, _Firm]) -> bool:
    """Two different KvK numbers whose names share nothing (``a`` may be ``b``: a group with itself)."""
    return any(ka != kb and not fa.related(fb) for ka, fa in a.items() for kb, fb in b.items())


def _merge_firms(a: dict[str, _Firm], b: dict[str, _Firm]) -> dict[str, _Firm]:
    out = dict(a)
    for kvk, firm in b.items():
        out[kvk] = out[kvk].merged(firm) if kvk in out else firm
    return out


def _member_facts(profiles: pd.DataFrame, members: np.ndarray) -> tuple[dict, dict]:
    """Per member profile: its firm ({KvK: names}, empty without KvK) and, for a portfolio entry,
    the words of its name (else an empty list)."""
    kvk = profiles["vendor_kvk"].astype("object").to_numpy()
    vendor = profiles["vendor_norm"].astype("object").to_numpy()
    names = profiles["name_norm"].astype("object").to_numpy()
    apps = profiles["applications"].to_numpy(dtype=bool)
    firms: dict[int, dict[str, _Firm]] = {}
    app_words: dict[int, list[frozenset[str]]] = {}
    for i in members.tolist():
        firms[i] = {}
        if isinstance(kvk[i], str) and kvk[i]:
            words, initials, short = vendor_parts(vendor[i])
            firms[i] = {kvk[i]: _Firm(set(words or ()), {initials} - {None}, {short} - {None})}
        app_words[i] = [frozenset(names[i].split())] if apps[i] and isinstance(names[i], str) else []
    return firms, app_words


def _candidate_clusters(profiles: pd.DataFrame, labels: np.ndarray) -> np.ndarray:
    """Labels of the clusters with two KvK numbers or two portfolio entries (possible conflicts)."""
    n = len(labels)
    frame = pd.DataFrame({"cluster": labels, "kvk": profiles["vendor_kvk"].astype("object").to_numpy()})
    kvks = frame.dropna().groupby("cluster")["kvk"].nunique()
    several = set(kvks.index[kvks.to_numpy() >= 2].tolist())
    apps = profiles["applications"].to_numpy(dtype=bool)
    several |= set(np.flatnonzero(np.bincount(labels, weights=apps, minlength=n) >= 2).tolist())
    return np.array(sorted(several), dtype=np.int64)


def split_conflicts(profiles: pd.DataFrame, labels: np.ndarray, edges: pd.DataFrame) -> np.ndarray:
    """Cluster labels with every conflicted cluster rebuilt from its links, strongest first, never
    joining two unrelated applications or two unrelated companies (see the module docstring).

    ``profiles`` needs name_norm, vendor_norm, vendor_kvk and ``applications`` (the profile holds a
    portfolio entry); ``edges`` are the scored pairs (unique_id_l, unique_id_r, match_probability)
    that may have joined the clusters.
    """
    n = len(labels)
    if n == 0 or len(edges) == 0:
        return labels
    candidates = _candidate_clusters(profiles, labels)
    if len(candidates) == 0:
        return labels
    firms, apps = _member_facts(profiles, np.flatnonzero(np.isin(labels, candidates)))
    per_cluster: dict[int, list[int]] = {}
    for i in firms:
        per_cluster.setdefault(int(labels[i]), []).append(i)
    conflicted = []
    for cluster, idx in per_cluster.items():
        found = [w for i in idx for w in apps[i]]
        merged: dict[str, _Firm] = {}
        for i in idx:
            merged = _merge_firms(merged, firms[i])
        if any(x.isdisjoint(y) for j, x in enumerate(found) for y in found[j + 1:]) \
                or _firms_conflict(merged, merged):
            conflicted.append(cluster)
    if not conflicted:
        return labels

    inside = np.isin(labels, conflicted)
    left = edges["unique_id_l"].to_numpy(dtype=np.int64)
    right = edges["unique_id_r"].to_numpy(dtype=np.int64)
    prob = edges["match_probability"].to_numpy(dtype=np.float64)
    keep = inside[left] & inside[right] & (labels[left] == labels[right]) & ~np.isnan(prob)
    order = np.lexsort((right[keep], left[keep], -prob[keep]))
    left, right = left[keep][order], right[keep][order]

    members = np.flatnonzero(inside)
    parent = {int(i): int(i) for i in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # single linkage with cannot-link: a group's facts live on its root
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra == rb or _apps_conflict(apps[ra], apps[rb]) or _firms_conflict(firms[ra], firms[rb]):
            continue
        parent[rb] = ra
        apps[ra] = apps[ra] + apps[rb]
        firms[ra] = _merge_firms(firms[ra], firms[rb])
    out = labels.copy()
    out[members] = n + np.array([find(int(i)) for i in members], dtype=np.int64)
    return relabel_by_smallest(out)
