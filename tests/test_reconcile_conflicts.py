"""Clusters holding two portfolio applications or two unrelated companies are rebuilt (conflicts.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.reconcile import reconcile
from transforms.reconcile.conflicts import split_conflicts


def _profiles(vendors, kvks, apps, names=None):
    names = names or [f"product {i}" for i in range(len(vendors))]
    return pd.DataFrame({"name_norm": names, "vendor_norm": vendors, "vendor_kvk": kvks, "applications": apps})


def _edges(links):
    return pd.DataFrame({"unique_id_l": [a for a, _, _ in links], "unique_id_r": [b for _, b, _ in links],
                         "match_probability": [p for _, _, p in links]})


def test_two_applications_chained_by_an_invoice_line_are_split_and_the_line_joins_its_stronger_link():
    # 0 and 2 are portfolio entries; 1 (no vendor) resembles both, more strongly 2
    profiles = _profiles([None, None, None], [None, None, None], [True, False, True],
                         ["kentekenscan", "scan", "parkeerwijzer"])
    out = split_conflicts(profiles, np.array([0, 0, 0]), _edges([(0, 1, 0.8), (1, 2, 0.95)]))
    assert out[0] != out[2]
    assert out[1] == out[2]


def test_a_module_listed_on_its_own_in_the_portfolio_is_no_conflict():
    profiles = _profiles(["gemeente tilburg"] * 2, [None, None], [True, True], ["gem", "gem koppeling zaaksysteem"])
    assert split_conflicts(profiles, np.array([0, 0]), _edges([(0, 1, 0.9)])).tolist() == [0, 0]


def test_two_unrelated_kvk_numbers_are_split():
    profiles = _profiles(["orion solutions", None, "imolen ict"], ["34368287", None, "13635930"], [False] * 3)
    out = split_conflicts(profiles, np.array([0, 0, 0]), _edges([(0, 1, 0.97), (1, 2, 0.9)]))
    assert out[0] == out[1] and out[2] != out[1]


def test_a_take_over_or_abbreviation_under_another_kvk_number_is_no_conflict():
    taken_over = _profiles(["vector solutions", "acquira vector"], ["34368287", "74368287"], [False, False])
    assert split_conflicts(taken_over, np.array([0, 0]), _edges([(0, 1, 0.9)])).tolist() == [0, 0]
    abbreviated = _profiles(["mobiele handhaving techniek", "mht"], ["11111111", "22222222"], [False, False])
    assert split_conflicts(abbreviated, np.array([0, 0]), _edges([(0, 1, 0.9)])).tolist() == [0, 0]


def test_clusters_without_a_conflict_keep_their_labels():
    profiles = _profiles(["a corp", "a corp", "b corp", None], ["12345678", "12345678", "87654321", None],
                         [True, False, False, False])
    labels = np.array([0, 0, 2, 2])
    assert split_conflicts(profiles, labels, _edges([(0, 1, 0.9), (2, 3, 0.8)])).tolist() == labels.tolist()


def _record(key, source_type, title, vendor, kvk=None):
    return {"source_key": key, "source_type": source_type, "title": title, "product": title,
            "description": title, "vendor": vendor, "vendor_kvk": kvk, "department": "Handhaving",
            "record_date": None, "ai_score": 0.9, "kb_product_id": None, "raw_json": "{}"}


def test_reconcile_keeps_two_portfolio_applications_of_one_supplier_apart():
    records = pd.DataFrame([
        _record("p:1", "application_portfolio", "Kentekenscan", "Parkscan B.V."),
        _record("p:2", "application_portfolio", "Parkeerwijzer", "Parkscan B.V."),
        _record("l:1", "spend_ledger", "Licentie Kentekenscan 2025", "Parkscan B.V.", "12345678"),
        _record("l:2", "spend_ledger", "Parkeerwijzer licentie", "Parkscan B.V.", "12345678"),
    ])
    res = reconcile(records, previous=None, registry=None, decisions=None)
    sid = res.provenance.set_index("source_key")["system_id"]
    assert sid["p:1"] != sid["p:2"]
    assert res.systems["system_id"].nunique() == 2
