"""Near misses between systems (links.py): resembling systems kept apart, with why, for reviewers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.test_reconcile import OCTO, OCTO_SOCIAAL_DOMEIN, PARK, _records, _run, _system_of
from transforms.reconcile.links import SYSTEM_LINK_COLUMNS, system_links


def _edges(links):
    return pd.DataFrame({"unique_id_l": [a for a, _, _, _ in links], "unique_id_r": [b for _, b, _, _ in links],
                         "match_probability": [p for _, _, p, _ in links],
                         "match_reason": [r for _, _, _, r in links]})


def _keys(n):
    return np.array([f"src:{i}" for i in range(n)], dtype=object)


def test_pairs_across_systems_become_one_link_each_way_with_the_strongest_reason():
    systems = np.array(["AIG-000001", "AIG-000001", "AIG-000002", "AIG-000003"], dtype=object)
    profiles = pd.DataFrame({"department_norm": ["jeugd", "jeugd", "jeugd", "wmo"]})
    edges = _edges([(0, 1, 0.99, "binnen"), (0, 2, 0.6, "zwak"), (1, 2, 0.65, "iets sterker"),
                    (1, 3, 0.95, "zelfde product")])
    links = system_links(systems, _keys(len(systems)), profiles, edges, threshold=0.7)
    assert list(links.columns) == SYSTEM_LINK_COLUMNS
    by = links.set_index(["system_id", "other_id"])
    assert by.loc[("AIG-000001", "AIG-000002"), "match_reason"] == "iets sterker"
    assert by.loc[("AIG-000001", "AIG-000002"), "n_links"] == 2
    assert by.loc[("AIG-000002", "AIG-000001"), "why_apart"] == "score 0,65 onder de drempel 0,70"
    assert by.loc[("AIG-000003", "AIG-000001"), "why_apart"] == "andere afdeling: elk een eigen inzet"
    assert ("AIG-000001", "AIG-000001") not in by.index
    # the records of the strongest link, each from its own side
    assert by.loc[("AIG-000001", "AIG-000002"), ["source_key", "other_source_key"]].tolist() == ["src:1", "src:2"]
    assert by.loc[("AIG-000002", "AIG-000001"), ["source_key", "other_source_key"]].tolist() == ["src:2", "src:1"]


def test_rule_links_without_probability_are_ignored_and_each_system_keeps_its_strongest_five():
    n = 8
    systems = np.array([f"AIG-00000{i}" for i in range(n)], dtype=object)
    profiles = pd.DataFrame({"department_norm": ["jeugd"] * n})
    edges = _edges([(0, i, 0.5 + i / 100, "r") for i in range(1, n)] + [(1, 2, np.nan, "regel")])
    links = system_links(systems, _keys(len(systems)), profiles, edges, threshold=0.7)
    assert (links["system_id"] == "AIG-000000").sum() == 5
    assert links[links["system_id"] == "AIG-000000"]["other_id"].tolist()[0] == "AIG-000007"
    assert not ((links["system_id"] == "AIG-000001") & (links["other_id"] == "AIG-000002")).any()


def test_reconcile_reports_the_same_product_in_another_department():
    res = _run(_records(OCTO, PARK, OCTO_SOCIAAL_DOMEIN))
    a, b = _system_of(res, "pf:octobox"), _system_of(res, "pf:octobox-sd")
    assert a != b
    link = res.links.set_index(["system_id", "other_id"]).loc[(a, b)]
    assert link["why_apart"] == "andere afdeling: elk een eigen inzet" and link["match_probability"] > 0.7
