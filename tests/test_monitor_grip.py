"""Monitoring building blocks: Dutch formatting, the path at a glance, impact rank, period changes."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.monitor.changes import period_changes
from transforms.monitor.checklist import grip_checklist, transparency_kpis
from transforms.monitor.dutch import nl_date, nl_delta, nl_int, nl_money, nl_number, nl_pct, nl_period, share
from transforms.monitor.impact import score_impact
from transforms.monitor.kpis import compute_kpis

# ----------------------------------------------------------------------------- Dutch formatting

def test_dutch_numbers_and_dates():
    assert nl_number(1234.5) == "1.234,5"
    assert nl_number(8.0) == "8"
    assert nl_int(1234567) == "1.234.567"
    assert nl_money(48250.4) == "€\u00a048.250"
    assert nl_pct(3, 4) == "75%"
    assert nl_pct(0, 0) == "—" and share(0, 0) is None  # never 0 of 0 = 100%
    assert nl_pct(62.5, None, 1) == "62,5%"
    assert nl_date(dt.date(2026, 12, 6)) == "6 december 2026"
    assert nl_date("2027-08-02") == "2 augustus 2027"
    assert nl_period("2026-11") == "november 2026"
    assert nl_delta(3) == "+3" and nl_delta(-2.5) == "−2,5" and nl_delta(0) == ""


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_nl_number_reads_back(value):
    text = nl_number(value, 1)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d)?", text), text
    assert abs(float(text.replace(".", "").replace(",", ".")) - value) <= 0.05 + 1e-9 * abs(value)


# ----------------------------------------------------------------------------- the path at a glance

def _statuses(kpis: dict, periods=("2026-11",)) -> dict[str, str]:
    return {s.key: s.status_nl for s in grip_checklist(kpis, list(periods))}


def test_checklist_nothing_yet():
    got = _statuses({"systems_confirmed": 0, "systems_candidate": 0, "review_backlog": 0}, ())
    assert got == {"inventory": "niet gestart", "dpia": "niet gestart", "register": "niet gestart",
                   "training": "niet gestart", "monitoring": "niet gestart", "transparency": "niet gestart"}


def test_checklist_on_the_way():
    kpis = {"systems_confirmed": 8, "systems_candidate": 5, "review_backlog": 5, "dpia_required": 4, "dpia_done": 2,
            "published": 3, "literacy_records": 120, "literacy_people": 80, "literacy_required": 40,
            "literacy_trained": 20, "literacy_coverage_pct": 50.0, "impactful_confirmed": 4, "impactful_published": 1}
    steps = {s.key: s for s in grip_checklist(kpis, ["2026-10", "2026-11"])}
    assert {k: s.status_nl for k, s in steps.items()} == {
        "inventory": "op weg", "dpia": "op weg", "register": "op weg", "training": "op weg",
        "monitoring": "op weg", "transparency": "op weg"}
    assert steps["dpia"].figures == "2 van 4 verplichte DPIA's afgerond (50%)"
    assert steps["training"].figures == "20 van 40 medewerkers getraind (50%)"
    assert steps["transparency"].figures.startswith("1 van 4")
    assert all(s.next_step for s in steps.values())


def test_checklist_in_order():
    kpis = {"systems_confirmed": 8, "systems_candidate": 0, "review_backlog": 0, "dpia_required": 4, "dpia_done": 4,
            "published": 8, "literacy_records": 120, "literacy_required": 40, "literacy_trained": 39,
            "literacy_coverage_pct": 97.5, "impactful_confirmed": 4, "impactful_published": 4, "reviews_overdue": 0}
    assert set(_statuses(kpis, ["2026-09", "2026-10", "2026-11"]).values()) == {"op orde"}
    # a gap in the monthly reports, or an overdue review, keeps monitoring 'op weg'
    assert _statuses(kpis, ["2026-08", "2026-10", "2026-11"])["monitoring"] == "op weg"
    assert _statuses(kpis | {"reviews_overdue": 2}, ["2026-09", "2026-10", "2026-11"])["monitoring"] == "op weg"


def test_checklist_edge_cases():
    # no DPIA required at all is in order, not 0 of 0; training without a denominator is on the way
    got = _statuses({"systems_confirmed": 3, "dpia_required": 0, "literacy_records": 10, "literacy_people": 9})
    assert got["dpia"] == "op orde" and got["training"] == "op weg"
    # DPIAs required and none done: not started
    assert _statuses({"systems_confirmed": 3, "dpia_required": 2, "dpia_done": 0})["dpia"] == "niet gestart"
    # candidates found but none confirmed: the inventory is on the way
    assert _statuses({"systems_confirmed": 0, "systems_candidate": 4, "review_backlog": 4})["inventory"] == "op weg"


def test_transparency_kpis_count_confirmed_only():
    inv = pd.DataFrame({"status": ["confirmed", "confirmed", "candidate", "confirmed"],
                        "publication_category": ["Impactvolle algoritmes", "Hoog-risico AI-systeem",
                                                 "Impactvolle algoritmes", "Overige algoritmes"],
                        "published": [True, False, True, True]})
    assert transparency_kpis(inv) == {"impactful_confirmed": 2.0, "impactful_published": 1.0}


def test_kpis_never_count_candidates_as_systems_nor_0_of_0():
    inv = pd.DataFrame({"system_id": ["A", "B", "C"], "status": ["candidate", "candidate", "rejected"],
                        "ai_act_class": ["high_risk", "minimal", "minimal"], "publication_category": [None] * 3,
                        "dpia_required": [True, False, False], "dpia_status": [None] * 3,
                        "iama_recommended": [False] * 3, "published": [False] * 3})
    src = pd.DataFrame(columns=["rows_in", "rows_quarantined", "error"])
    k = compute_kpis(inv, as_of=dt.date(2026, 11, 30), source_status=src, candidates_count=2, mentions_count=9)
    assert k["systems_active"] == 0 and "class_high_risk" not in k
    assert "dpia_coverage_pct" not in k and "register_coverage_pct" not in k


# ----------------------------------------------------------------------------- impact rank

def _facts(**over) -> dict:
    base = {"system_id": "X", "name": "Pakket", "description": "", "ai_act_class": "minimal", "ai_act_area": None,
            "publication_category": "Overige algoritmes", "yearly_spend_eur": 0.0, "n_sources": 1, "n_departments": 1}
    return base | over


def test_impact_ranks_largest_and_most_visible_first():
    facts = pd.DataFrame([
        _facts(system_id="AIG-000001", name="Notuleerhulp", yearly_spend_eur=2_000.0),
        _facts(system_id="AIG-000002", name="Fraudesignalering", ai_act_class="high_risk", ai_act_area="5a",
               yearly_spend_eur=90_000.0, n_sources=4, n_departments=2),
        _facts(system_id="AIG-000003", name="Chatbot", ai_act_class="transparency", yearly_spend_eur=12_000.0,
               n_sources=2),
        _facts(system_id="AIG-000004", name="Kenteken", ai_act_class="minimal",
               description="controle voor inwoners met een parkeervergunning", yearly_spend_eur=250_000.0),
    ])
    ranked = score_impact(facts)
    assert list(ranked["system_id"]) == ["AIG-000002", "AIG-000003", "AIG-000004", "AIG-000001"]
    assert list(ranked["impact_rank"]) == [1, 2, 3, 4]
    top = ranked.iloc[0]
    assert "hoog risico" in top["impact_reason"] and "€\u00a090.000 per jaar" in top["impact_reason"]
    assert "4 bronnen" in top["impact_reason"] and "2 afdelingen" in top["impact_reason"] and top["citizen_facing"]
    assert "beschrijving noemt 'inwoner'" in ranked.iloc[2]["impact_reason"]
    # the reason adds up to the score (each part's points are shown)
    for _, r in ranked.iterrows():
        shown = sum(int(p) for p in re.findall(r"\(\+(\d+)\)", r["impact_reason"]))
        assert abs(shown - r["impact_score"]) <= len(re.findall(r"\(\+", r["impact_reason"]))


def test_impact_spend_breaks_ties_and_empty_input():
    facts = pd.DataFrame([_facts(system_id="A", yearly_spend_eur=100.0), _facts(system_id="B", yearly_spend_eur=50_000.0)])
    assert list(score_impact(facts)["system_id"]) == ["B", "A"]
    assert score_impact(pd.DataFrame(columns=list(_facts()))).empty


# ----------------------------------------------------------------------------- what changed

def test_period_changes():
    before = pd.DataFrame({"system_id": ["A", "B", "C", "D"], "name": list("ABCD"), "department": [None] * 4,
                           "status": ["candidate", "candidate", "confirmed", "confirmed"],
                           "published": [False, False, True, False]})
    now = pd.DataFrame({"system_id": ["A", "B", "C", "D", "E"], "name": list("ABCDE"), "department": [None] * 5,
                        "status": ["confirmed", "rejected", "confirmed", "confirmed", "candidate"],
                        "published": [False, False, False, True, False]})
    got = {k: [r["system_id"] for r in v] for k, v in period_changes(now, before).items()}
    assert got == {"new": ["E"], "confirmed": ["A"], "rejected": ["B"], "published": ["D"], "withdrawn": ["C"]}
    first = period_changes(now, None)
    assert [r["system_id"] for r in first["new"]] == ["A", "C", "D", "E"]


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values_show_a_dash(value):
    assert nl_number(value) == "—" and nl_date(value) == "—"
