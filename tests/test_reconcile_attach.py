"""Stray survey answers and tenders join the one system a distinctive word names (attach.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.test_reconcile import FRAUD, OCTO, OCTO_SOCIAAL_DOMEIN, PARK, _rec, _records, _run, _system_of
from transforms.reconcile.attach import attach_strays

CHATBOT = [
    _rec("led:6001", "spend_ledger", "Bijdrage samenwerking chatbot Gem 2025", "Gemeente Tilburg", dept="Burgerzaken"),
    _rec("pf:gem", "application_portfolio", "Gem", "Gemeente Tilburg", product="Gem", dept="Burgerzaken"),
]
SCANAUTO = [
    _rec("led:7001", "spend_ledger", "Servicecontract ANPR-scanauto", "ParkScan Mobility B.V.", dept="Handhaving"),
    _rec("pf:parkscan", "application_portfolio", "ParkScan Handhaving", "ParkScan Mobility B.V.",
         product="ParkScan Handhaving", dept="Handhaving"),
]


def test_survey_answer_without_vendor_joins_the_only_system_of_its_department_with_that_word():
    survey = _rec("sv:r9-1", "survey", "de chatbot op de website", "weet ik niet", product="de chatbot op de website",
                  dept="Burgerzaken")
    res = _run(_records(CHATBOT, OCTO, PARK, [survey]))
    assert _system_of(res, "sv:r9-1") == _system_of(res, "pf:gem")
    row = res.provenance.set_index("source_key").loc["sv:r9-1"]
    assert np.isnan(row["match_probability"])  # a rule, not a model probability
    assert row["match_reason"] == "noemt 'chatbot', dat in deze afdeling alleen bij dit systeem voorkomt"


def test_tender_without_supplier_joins_the_only_system_in_the_municipality_with_that_word():
    tender = _rec("tn:500001", "tenderned", "Levering ANPR-camera's parkeerhandhaving", None, date="2024-02-01")
    res = _run(_records(SCANAUTO, CHATBOT, FRAUD, [tender]))
    assert _system_of(res, "tn:500001") == _system_of(res, "pf:parkscan")
    reason = res.provenance.set_index("source_key").loc["tn:500001", "match_reason"]
    assert reason == "noemt 'anpr', dat alleen bij dit systeem voorkomt"


def test_a_word_used_by_two_systems_is_not_distinctive():
    profiles = pd.DataFrame({
        "name_norm": ["anpr scanauto", "milieuzone anpr", "anpr camera s", "parkscan handhaving"],
        "department_norm": ["handhaving", "openbare ruimte", None, "handhaving"],
        "vendor_norm": ["parkscan mobility", "brickyard", None, "parkscan mobility"],
        "anchor": [True, True, False, True],
    })
    labels = np.array([0, 1, 2, 0])
    new, edges = attach_strays(profiles, labels)
    assert new.tolist() == [0, 1, 2, 0] and edges.empty
    # once the word points at one system only, the tender (no department: every system is in scope) joins it
    profiles.loc[1, "name_norm"] = "milieuzone kentekens"
    new, edges = attach_strays(profiles, labels)
    assert new.tolist() == [0, 1, 0, 0]
    assert edges["match_reason"].tolist() == ["noemt 'anpr', dat alleen bij dit systeem voorkomt"]


def test_survey_is_scoped_to_its_department_and_a_named_other_vendor_blocks_the_link():
    # "chatbot" is only used by a system of Burgerzaken: a survey answer from Jeugd stays apart
    elsewhere = _rec("sv:r9-2", "survey", "chatbot", "weet ik niet", product="chatbot", dept="Jeugd")
    # the answer names another vendor than the system's
    other_vendor = _rec("sv:r9-3", "survey", "chatbot voor inwoners", "Botcompany B.V.",
                        product="chatbot voor inwoners", dept="Burgerzaken")
    res = _run(_records(CHATBOT, [elsewhere, other_vendor]))
    gem = _system_of(res, "pf:gem")
    assert _system_of(res, "sv:r9-2") != gem
    assert _system_of(res, "sv:r9-3") != gem


def test_attach_strays_ties_are_left_alone_and_anchored_clusters_never_move():
    profiles = pd.DataFrame({
        "name_norm": ["alpha scan", "beta scan", "scan", "alpha"],
        "department_norm": ["x", "x", "x", "x"],
        "vendor_norm": [None, None, None, None],
        "anchor": [True, True, False, True],
    })
    labels = np.arange(4)
    new, edges = attach_strays(profiles, labels)
    # profile 2 ("scan") names a word two systems use: no attach; anchored 0, 1, 3 keep their clusters
    assert new.tolist() == [0, 1, 2, 3]
    assert edges.empty


def test_records_without_any_date_give_systems_without_first_and_last_seen():
    rows = [dict(r, record_date=None) for r in PARK]
    res = _run(_records(rows))
    assert len(res.systems) == 1
    assert res.systems["first_seen"].isna().all() and res.systems["last_seen"].isna().all()


# --- a lone invoice line booked on another department (attach_lone_lines) ---

def test_a_lone_invoice_line_of_another_department_joins_the_only_system_with_that_product():
    misbooked = _rec("led:1009", "spend_ledger", "Licentie Octobox 2024", "Octobox B.V.", dept="Burgerzaken",
                     kvk="12345678", kb="KB-0000000a")
    res = _run(_records(OCTO, PARK, [misbooked]))
    system = _system_of(res, "pf:octobox")
    assert _system_of(res, "led:1009") == system
    reason = res.provenance.set_index("source_key").loc["led:1009", "match_reason"]
    assert reason.startswith("losse factuurregel van een andere afdeling; alleen dit systeem past: ")
    conflicts = res.systems.set_index("system_id").loc[system, "conflicts"]
    assert "verschillende afdelingen" in conflicts  # the reviewer sees the other department


def test_a_lone_line_matching_the_product_in_two_departments_stays_on_its_own():
    misbooked = _rec("led:1009", "spend_ledger", "Licentie Octobox 2024", "Octobox B.V.", dept="Burgerzaken",
                     kvk="12345678", kb="KB-0000000a")
    res = _run(_records(OCTO, OCTO_SOCIAAL_DOMEIN, [misbooked]))
    assert _system_of(res, "pf:octobox") != _system_of(res, "pf:octobox-sd")
    assert _system_of(res, "led:1009") not in {_system_of(res, "pf:octobox"), _system_of(res, "pf:octobox-sd")}


def test_a_portfolio_entry_of_another_department_is_a_deployment_of_its_own():
    own = _rec("pf:octobox-bz", "application_portfolio", "Octobox", "Octobox B.V.", product="Octobox",
               dept="Burgerzaken", kb="KB-0000000a")
    res = _run(_records(OCTO, PARK, [own]))
    assert _system_of(res, "pf:octobox-bz") != _system_of(res, "pf:octobox")
