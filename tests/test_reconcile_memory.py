"""Stable ids across a failed source: ``previous`` = last run's provenance plus the last known system
of source keys that were not in it (the pipeline's ``source_key_history``)."""

from __future__ import annotations

import json

import pandas as pd

from transforms.reconcile import ReconcileResult, reconcile
from transforms.text import normalise_vendor


def _rec(key, source_type, title, vendor=None, *, product=None, dept=None, kvk=None):
    return {
        "source_key": key, "source_id": key.split(":")[0], "source_type": source_type, "org": "gm9999",
        "title": title, "description": title, "vendor": vendor, "vendor_norm": normalise_vendor(vendor) or None,
        "vendor_kvk": kvk, "product": product, "department": dept, "amount_eur": 10.0,
        "record_date": pd.Timestamp("2025-03-01").date(), "url": None, "cpv_codes": None,
        "raw_json": json.dumps({}), "ai_score": 0.8, "reasons": "test", "kb_product_id": None,
    }


LEDGER = [
    _rec("led:1", "spend_ledger", "Licentie Octobox 2025", "Octobox B.V.", dept="Burgerzaken", kvk="12345678"),
    _rec("led:2", "spend_ledger", "Ondersteuning Octobox Q3", "Octobox B.V.", dept="Burgerzaken", kvk="12345678"),
    _rec("led:3", "spend_ledger", "Abonnement ParkeerScan maart", "Scanmobiel BV", dept="Mobiliteit", kvk="87654321"),
]
SURVEY = [
    _rec("sv:1-1", "survey", "octobox", "Octobox", product="octobox", dept="Burgerzaken"),
    # systems only the survey knows
    _rec("sv:2-1", "survey", "Wijkradar", "weet ik niet", product="Wijkradar", dept="Openbare Ruimte"),
    _rec("sv:3-1", "survey", "Tekstmaatje", "weet ik niet", product="Tekstmaatje", dept="Communicatie"),
]


def _previous(last: ReconcileResult, history: pd.DataFrame) -> pd.DataFrame:
    """What the pipeline passes: last provenance + history rows for keys not in it."""
    older = history[~history["source_key"].isin(last.provenance["source_key"])]
    return pd.concat([last.provenance, older.assign(match_probability=None, match_reason=None)],
                     ignore_index=True)


def _remember(history: pd.DataFrame, res: ReconcileResult) -> pd.DataFrame:
    new = res.provenance[["source_key", "system_id"]]
    return pd.concat([history[~history["source_key"].isin(new["source_key"])], new], ignore_index=True)


def _ids(res: ReconcileResult) -> dict[str, str]:
    return res.provenance.set_index("source_key")["system_id"].to_dict()


def test_source_present_absent_present_keeps_ids():
    run1 = reconcile(pd.DataFrame(LEDGER + SURVEY), previous=None, registry=None, decisions=None, as_of="2026-01-01")
    history = _remember(pd.DataFrame(columns=["source_key", "system_id"]), run1)
    # the survey source fails: its survey-only systems have no records this run
    run2 = reconcile(pd.DataFrame(LEDGER), previous=_previous(run1, history), registry=run1.registry,
                     decisions=None, as_of="2026-02-01")
    history = _remember(history, run2)
    assert set(run2.provenance["source_key"]) == {r["source_key"] for r in LEDGER}
    # it returns: every record is back in the system it had before
    run3 = reconcile(pd.DataFrame(LEDGER + SURVEY), previous=_previous(run2, history), registry=run2.registry,
                     decisions=None, as_of="2026-03-01")
    assert _ids(run3) == _ids(run1)
    assert len(run3.registry) == len(run1.registry)  # no id issued in vain
    # without the history the survey-only systems would get new ids (the limit this fixes)
    plain = reconcile(pd.DataFrame(LEDGER + SURVEY), previous=run2.provenance, registry=run2.registry,
                      decisions=None, as_of="2026-03-01")
    assert _ids(plain)["sv:2-1"] != _ids(run1)["sv:2-1"]


def test_older_row_follows_the_successor_chain():
    run1 = reconcile(pd.DataFrame(LEDGER + SURVEY), previous=None, registry=None, decisions=None, as_of="2026-01-01")
    wijk, tekst = _ids(run1)["sv:2-1"], _ids(run1)["sv:3-1"]
    # while the survey was away, its system Tekstmaatje was merged into Wijkradar, and Wijkradar later
    # into a third id: older rows must follow the chain to the live id, not revive merged-away ids
    registry = run1.registry.copy()
    registry["successor_id"] = registry["successor_id"].astype("object")
    registry.loc[registry["system_id"] == tekst, "successor_id"] = wijk
    registry = pd.concat([registry, pd.DataFrame({"system_id": ["AIG-000900"], "created_at": [pd.Timestamp("2026-01-15")],
                                                  "successor_id": [None], "retired_at": [None]})], ignore_index=True)
    registry.loc[registry["system_id"] == wijk, "successor_id"] = "AIG-000900"
    history = run1.provenance[["source_key", "system_id"]]
    run2 = reconcile(pd.DataFrame(LEDGER), previous=run1.provenance[run1.provenance["source_key"].str.startswith("led")],
                     registry=registry, decisions=None, as_of="2026-02-01")
    run3 = reconcile(pd.DataFrame(LEDGER + SURVEY), previous=_previous(run2, history), registry=run2.registry,
                     decisions=None, as_of="2026-03-01")
    ids = _ids(run3)
    # both older survey-only keys vote for the same live id: one system keeps it, the other gets a new
    # id — never a merged-away one
    assert {ids["sv:2-1"], ids["sv:3-1"]} & {"AIG-000900"}
    assert ids["sv:2-1"] != ids["sv:3-1"]
    assert not {ids["sv:2-1"], ids["sv:3-1"]} & {wijk, tekst}
    assert ids["led:1"] == _ids(run1)["led:1"]
    reg = run3.registry.set_index("system_id")
    assert reg.loc[tekst, "successor_id"] == wijk and reg.loc[wijk, "successor_id"] == "AIG-000900"
