"""Survey answers in reconciliation: two products in one answer, vendors that are no answer."""

from __future__ import annotations

import pandas as pd

from tests.test_reconcile import _rec
from transforms.reconcile import reconcile
from transforms.reconcile.survey_answers import attribute_survey_vendors, is_no_vendor, split_vendors


def _systems_of(res) -> dict[str, str]:
    return dict(zip(res.provenance["source_key"], res.provenance["system_id"], strict=True))


def _run(records):
    return reconcile(pd.DataFrame(records), previous=None, registry=None, decisions=None, as_of="2026-02-01")


TWO_PRODUCTS = [
    _rec("sv:r7-1", "survey", "ChatGPT", "OpenAI, DeepL", product="ChatGPT", dept="Communicatie", date="2026-01-20"),
    _rec("sv:r7-2", "survey", "DeepL", "OpenAI, DeepL", product="DeepL", dept="Communicatie", date="2026-01-20"),
    # invoices as a ledger gives them: no KvK, a generic description; only the vendor tells them apart
    _rec("led:5001", "spend_ledger", "Vertaalsoftware licentie 2025", "DeepL", dept="Communicatie"),
    _rec("led:5002", "spend_ledger", "Abonnement ChatGPT", "OpenAI", dept="Communicatie"),
]


def test_one_answer_naming_two_products_gives_each_its_own_vendor():
    df = attribute_survey_vendors(pd.DataFrame(TWO_PRODUCTS))
    assert df["vendor"].tolist()[:2] == ["OpenAI", "DeepL"]
    assert df["vendor_norm"].tolist()[:2] == ["openai", "deepl"]
    assert df["vendor"].tolist()[2:] == ["DeepL", "OpenAI"]  # other sources untouched


def test_deepl_invoice_is_not_merged_into_chatgpt():
    sys_of = _systems_of(_run(TWO_PRODUCTS))
    assert sys_of["led:5001"] != sys_of["sv:r7-1"]
    assert sys_of["sv:r7-1"] != sys_of["sv:r7-2"]
    assert sys_of["led:5001"] == sys_of["sv:r7-2"]
    assert sys_of["led:5002"] == sys_of["sv:r7-1"]  # (before: all four records became one system)


def test_unattributable_vendors_are_dropped_for_matching():
    recs = [_rec("sv:r8-1", "survey", "Zaaksysteem", "Centric, PinkRoccade, Xxllnc", product="Zaaksysteem"),
            _rec("sv:r8-2", "survey", "Burgerzaken", "Centric, PinkRoccade, Xxllnc", product="Burgerzaken")]
    df = attribute_survey_vendors(pd.DataFrame(recs))
    assert df["vendor"].isna().all() and df["vendor_norm"].isna().all()


def test_weet_ik_niet_is_no_vendor_and_no_conflict():
    for answer in ("weet ik niet", "Weet ik niet.", "weet ik niet precies", "Geen idee", "?", "n.v.t.", "onbekend"):
        assert is_no_vendor(answer), answer
    assert not is_no_vendor("Nedap") and not is_no_vendor("Centric")
    assert split_vendors("OpenAI en DeepL") == ["OpenAI", "DeepL"]
    assert split_vendors("weet ik niet") == []
    recs = [
        _rec("pf:mozard", "application_portfolio", "Mozard zaaksysteem", "Mozard B.V.", product="Mozard",
             dept="Burgerzaken", raw={"status": "in gebruik"}),
        _rec("sv:r9-1", "survey", "Mozard", "Weet ik niet", product="Mozard", dept="Burgerzaken", date="2026-01-20"),
        _rec("sv:r10-1", "survey", "Mozard", "weet ik niet precies", product="Mozard", dept="Burgerzaken",
             date="2026-01-21"),
    ]
    res = _run(recs)
    sys_of = _systems_of(res)
    assert sys_of["sv:r9-1"] == sys_of["pf:mozard"] == sys_of["sv:r10-1"]
    conflicts = res.systems.set_index("system_id").loc[sys_of["pf:mozard"], "conflicts"]
    assert not (isinstance(conflicts, str) and "weet" in conflicts.lower())
    assert (res.systems["vendor"].astype(str).str.lower().str.contains("weet") == False).all()  # noqa: E712
