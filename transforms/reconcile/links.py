"""Near misses: systems that resemble each other but were kept apart, for the reviewer to check.

Every scored pair of records that ended in two different systems (a link just below the threshold,
the same product in another department, records kept apart by :mod:`conflicts` or by a reviewer's
split) becomes, per pair of systems, one *system link*: the strongest link, why it matched, and why
the systems are still apart. The review app shows them on a system's page ("Lijkt op") with a
one-click merge, so the errors reconciliation cannot decide on its own are one decision away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SYSTEM_LINK_COLUMNS", "MAX_LINKS_PER_SYSTEM", "system_links"]

SYSTEM_LINK_COLUMNS = ["system_id", "other_id", "source_key", "other_source_key", "match_probability", "match_reason",
                       "why_apart", "n_links"]
MAX_LINKS_PER_SYSTEM = 5

_OTHER_DEPARTMENT = "andere afdeling: elk een eigen inzet"
_KEPT_APART = ("uit elkaar gehouden: tegenstrijdige bronnen (twee applicaties of twee bedrijven) "
               "of een besluit van een beoordelaar")


def _below(p: float, threshold: float) -> str:
    return f"score {p:.2f} onder de drempel {threshold:.2f}".replace(".", ",")


def system_links(profile_system: np.ndarray, profile_key: np.ndarray, profiles: pd.DataFrame,
                 edges: pd.DataFrame, threshold: float, limit: int = MAX_LINKS_PER_SYSTEM) -> pd.DataFrame:
    """Rows of :data:`SYSTEM_LINK_COLUMNS`, both directions, at most ``limit`` per system (strongest
    first). ``profile_system`` / ``profile_key``: the system id and a source_key of each profile
    (index = unique_id); ``edges``: the scored profile pairs (rule-based links without a probability
    are ignored). ``source_key`` / ``other_source_key`` are the two records of the strongest link, so
    a reviewer sees which record resembles the other system (and may split just that one off)."""
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c == "match_probability" else
                                       "int64" if c == "n_links" else "object") for c in SYSTEM_LINK_COLUMNS})
    if len(edges) == 0 or len(profile_system) == 0:
        return empty
    left = edges["unique_id_l"].to_numpy(dtype=np.int64)
    right = edges["unique_id_r"].to_numpy(dtype=np.int64)
    prob = edges["match_probability"].to_numpy(dtype=np.float64)
    sl, sr = profile_system[left], profile_system[right]
    keep = ~np.isnan(prob) & pd.notna(sl) & pd.notna(sr) & (sl != sr)
    if not keep.any():
        return empty
    dept = profiles["department_norm"].astype("object").to_numpy()
    dl, dr = dept[left[keep]], dept[right[keep]]
    x, y = sl[keep].astype(str), sr[keep].astype(str)
    kx, ky = profile_key[left[keep]], profile_key[right[keep]]
    first = x < y
    pairs = pd.DataFrame({
        "a": np.where(first, x, y),
        "b": np.where(first, y, x),
        "key_a": np.where(first, kx, ky),
        "key_b": np.where(first, ky, kx),
        "match_probability": prob[keep],
        "match_reason": edges["match_reason"].astype("object").to_numpy()[keep],
        "other_department": pd.notna(dl) & pd.notna(dr) & (dl != dr),
    })
    pairs["n_links"] = pairs.groupby(["a", "b"])["a"].transform("size").astype("int64")
    best = (pairs.sort_values(["a", "b", "match_probability"], ascending=[True, True, False], kind="stable")
            .drop_duplicates(["a", "b"]))
    best["why_apart"] = np.where(
        best["match_probability"].to_numpy() < threshold,
        [_below(p, threshold) for p in best["match_probability"].tolist()],
        np.where(best["other_department"].to_numpy(dtype=bool), _OTHER_DEPARTMENT, _KEPT_APART),
    )
    both = pd.concat([
        best.rename(columns={"a": "system_id", "b": "other_id", "key_a": "source_key", "key_b": "other_source_key"}),
        best.rename(columns={"b": "system_id", "a": "other_id", "key_b": "source_key", "key_a": "other_source_key"}),
    ], ignore_index=True)
    both = both.sort_values(["system_id", "match_probability", "other_id"], ascending=[True, False, True],
                            kind="stable")
    both = both[both.groupby("system_id").cumcount() < limit]
    return both[SYSTEM_LINK_COLUMNS].reset_index(drop=True)
