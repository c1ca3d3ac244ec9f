"""Weak links join two clusters of one department only when corroborated (cluster.merge_corroborated)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.reconcile.cluster import merge_corroborated


def _profiles(depts):
    return pd.DataFrame({"department_norm": depts})


def _weak(pairs, p=0.6, gamma_name=1, gamma_vendor=4):
    """Weak links; by default the names share a word (gamma_name 1) and the vendor names are equal (4)."""
    return pd.DataFrame({"unique_id_l": [a for a, _ in pairs], "unique_id_r": [b for _, b in pairs],
                         "match_probability": p, "match_reason": "test",
                         "gamma_name": gamma_name, "gamma_vendor": gamma_vendor})


def test_two_weak_links_join_two_clusters_of_one_department():
    # clusters {0,1,2} and {3,4}; weak links 0-3 and 1-4 (2 of 6 pairs)
    labels = np.array([0, 0, 0, 3, 3])
    out = merge_corroborated(_profiles(["jeugd"] * 5), labels, _weak([(0, 3), (1, 4)]))
    assert len(set(out.tolist())) == 1


def test_a_single_weak_link_between_larger_clusters_is_not_enough():
    labels = np.array([0, 0, 0, 3, 3])
    out = merge_corroborated(_profiles(["jeugd"] * 5), labels, _weak([(0, 3)]))
    assert out.tolist() == labels.tolist()


def test_two_single_profiles_join_on_their_one_weak_link_but_not_across_departments():
    labels = np.array([0, 1, 2])
    out = merge_corroborated(_profiles(["jeugd", "jeugd", "wmo"]), labels, _weak([(0, 1), (1, 2)]))
    assert out[0] == out[1] and out[2] != out[1]


def test_weak_links_must_cover_enough_of_the_pairs():
    # clusters of 5 and 5: 2 weak links are 2 of 25 pairs (< 20 %), so they stay apart
    labels = np.array([0] * 5 + [5] * 5)
    out = merge_corroborated(_profiles(["jeugd"] * 10), labels, _weak([(0, 5), (1, 6)]))
    assert out.tolist() == labels.tolist()


def test_same_vendor_and_department_alone_does_not_corroborate_but_the_same_kvk_number_does():
    labels = np.array([0, 0, 2, 2])
    pairs = [(0, 2), (1, 3)]
    vendor_only = merge_corroborated(_profiles(["jeugd"] * 4), labels, _weak(pairs, gamma_name=0, gamma_vendor=4))
    assert vendor_only.tolist() == labels.tolist()
    same_kvk = merge_corroborated(_profiles(["jeugd"] * 4), labels, _weak(pairs, gamma_name=0, gamma_vendor=5))
    assert len(set(same_kvk.tolist())) == 1
