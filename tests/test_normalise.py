"""transforms.normalise.to_mentions: exact mentions columns, keys, privacy."""

from __future__ import annotations

import json

import pandas as pd

from transforms.normalise.mentions import MENTION_COLUMNS, to_mentions


def test_ledger_mentions():
    frame = pd.DataFrame({"row_ref": ["F1", "F1-2"], "invoice": ["F1", "F1"], "supplier": ["CENTRIC NETHERLANDS B.V.", None],
                          "supplier_kvk": ["1234567", None], "description": ["Licentie", "x"], "amount": [1.5, -2.0],
                          "date": pd.to_datetime(["2025-01-02", None]), "department": ["BZ", None]})
    m = to_mentions("spend_ledger", "cred", frame, "gm9999")
    assert list(m.columns) == MENTION_COLUMNS
    assert list(m["source_key"]) == ["cred:F1", "cred:F1-2"]
    assert m.loc[0, "vendor_norm"] == "centric" and m.loc[0, "vendor_kvk"] == "01234567"
    assert m.loc[0, "title"] == "Licentie" and m.loc[0, "amount_eur"] == 1.5 and m.loc[0, "cpv_codes"] == []
    assert json.loads(m.loc[0, "raw_json"])["invoice"] == "F1"


def test_survey_mentions_drop_respondent_data():
    frame = pd.DataFrame({"row_ref": ["1-1"], "response_id": ["1"], "answer_index": [1], "department": ["KCC"],
                          "system": ["Gem"], "vendor": [None], "description": ["chatbot"], "uses_ai": [True],
                          "respondent_hash": ["abcdef0123456789"]})
    m = to_mentions("survey", "u", frame, "gm9999")
    assert m.loc[0, "product"] == "Gem" and m.loc[0, "title"] == "Gem"
    assert "respondent" not in m.loc[0, "raw_json"]


def test_tender_mentions_and_empty():
    frame = pd.DataFrame({"row_ref": ["9"], "title": ["Chatbot"], "description": [None], "buyer": ["Gemeente X"],
                          "cpv_codes": [["72000000"]], "url": ["https://x"], "winner": ["Acme BV"], "winner_kvk": [None],
                          "value_eur": [10.0], "date": pd.to_datetime(["2025-02-03"])})
    m = to_mentions("tenderned", "tn", frame, "gm9999")
    assert m.loc[0, "cpv_codes"] == ["72000000"] and m.loc[0, "vendor_norm"] == "acme"
    assert m.loc[0, "department"] is None, "the buyer is the organisation, not a department"
    assert "Gemeente X" in m.loc[0, "raw_json"]
    empty = to_mentions("tenderned", "tn", frame.iloc[0:0], "gm9999")
    assert list(empty.columns) == MENTION_COLUMNS and len(empty) == 0
