"""Obligations per system: the duties for each AI-Act class, their deadlines, and moved dates."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest

from transforms.obligations.duties import (
    deadline_moves,
    load_obligation_rules,
    obligation_status,
    resolve_dates,
    system_obligations,
)

D = dt.date


def _systems(rows):
    systems = pd.DataFrame([{"system_id": r[0], "first_seen": r[1]} for r in rows])
    cls = pd.DataFrame([{"system_id": r[0], **r[2]} for r in rows])
    return systems, cls


CASES = {
    "AIG-000001": ("2025-03-01", {"ai_act_class": "prohibited", "ai_act_area": None, "dpia_required": True,
                                  "iama_recommended": True, "publication_category": "Hoog-risico AI-systeem"}),
    "AIG-000002": ("2024-01-10", {"ai_act_class": "high_risk", "ai_act_area": "5a", "dpia_required": True,
                                  "iama_recommended": True, "publication_category": "Hoog-risico AI-systeem"}),
    "AIG-000003": ("2028-09-01", {"ai_act_class": "high_risk", "ai_act_area": "4", "dpia_required": True,
                                  "iama_recommended": True, "publication_category": "Hoog-risico AI-systeem"}),
    "AIG-000004": ("2025-05-01", {"ai_act_class": "high_risk", "ai_act_area": "2", "dpia_required": False,
                                  "iama_recommended": True, "publication_category": "Hoog-risico AI-systeem"}),
    "AIG-000005": ("2025-06-01", {"ai_act_class": "transparency", "ai_act_area": None, "dpia_required": False,
                                  "iama_recommended": False, "publication_category": "Overige algoritmes"}),
    "AIG-000006": ("2025-06-01", {"ai_act_class": "minimal", "ai_act_area": None, "dpia_required": True,
                                  "iama_recommended": False, "publication_category": "Overige algoritmes"}),
    "AIG-000007": ("2023-01-01", {"ai_act_class": "not_ai", "ai_act_area": None, "dpia_required": True,
                                  "iama_recommended": True, "publication_category": "Impactvolle algoritmes"}),
    "AIG-000008": ("2023-01-01", {"ai_act_class": "out_of_scope", "ai_act_area": None, "dpia_required": False,
                                  "iama_recommended": False, "publication_category": "Overige algoritmes"}),
    "AIG-000009": ("2025-01-01", {"ai_act_class": "needs_review", "ai_act_area": None, "dpia_required": False,
                                  "iama_recommended": False, "publication_category": "Overige algoritmes"}),
}


@pytest.fixture(scope="module")
def obligations():
    systems, cls = _systems([(k, v[0], v[1]) for k, v in CASES.items()])
    return system_obligations(systems, cls)


def _duties(obl, sid):
    return dict(zip(obl.loc[obl.system_id == sid, "obligation_id"], obl.loc[obl.system_id == sid, "deadline"], strict=True))


def test_prohibited_system_must_stop_since_february_2025(obligations):
    d = _duties(obligations, "AIG-000001")
    assert d["AIA-5"] == D(2025, 2, 2)
    assert d["AIA-4"] == D(2025, 2, 2)
    assert "AIA-26" not in d and "AIA-50" not in d


def test_high_risk_in_use_before_annex_iii_date_gets_the_public_authority_deadline(obligations):
    d = _duties(obligations, "AIG-000002")
    assert {"AIA-4", "AIA-26", "AIA-27", "AIA-49", "AVG-35", "IAMA", "REG"} <= set(d)
    assert d["AIA-26"] == d["AIA-27"] == d["AIA-49"] == D(2030, 8, 2)   # art. 111(2)
    assert d["AVG-35"] == D(2024, 1, 10)                                 # before processing started
    row = obligations[(obligations.system_id == "AIG-000002") & (obligations.obligation_id == "AIA-26")].iloc[0]
    assert "art. 111 lid 2" in row.reason and "AI-verordening art. 26" in row.legal_source


def test_high_risk_taken_into_use_later_must_comply_before_use_from_december_2027(obligations):
    d = _duties(obligations, "AIG-000003")
    assert d["AIA-26"] == D(2027, 12, 2)
    row = obligations[(obligations.system_id == "AIG-000003") & (obligations.obligation_id == "AIA-27")].iloc[0]
    assert not row.date_confirmed and "nog niet bevestigd" in row.reason   # an Omnibus date


def test_critical_infrastructure_needs_no_fria_or_eu_database_registration(obligations):
    d = _duties(obligations, "AIG-000004")
    assert "AIA-26" in d and "AIA-27" not in d and "AIA-49" not in d


def test_transparency_duty_since_august_2026(obligations):
    d = _duties(obligations, "AIG-000005")
    assert d == {"AIA-4": D(2025, 2, 2), "AIA-50": D(2026, 8, 2)}
    row = obligations[(obligations.system_id == "AIG-000005") & (obligations.obligation_id == "AIA-50")].iloc[0]
    assert row.date_confirmed


def test_minimal_risk_ai_has_literacy_and_dpia_only(obligations):
    assert set(_duties(obligations, "AIG-000006")) == {"AIA-4", "AVG-35"}


def test_rule_based_algorithm_has_no_ai_act_duties_but_dpia_iama_and_register(obligations):
    d = _duties(obligations, "AIG-000007")
    assert set(d) == {"AVG-35", "IAMA", "REG"}
    assert d["AVG-35"] == D(2023, 1, 1) and d["IAMA"] is None


def test_out_of_scope_has_no_duties_and_needs_review_keeps_literacy(obligations):
    assert _duties(obligations, "AIG-000008") == {}
    assert set(_duties(obligations, "AIG-000009")) == {"AIA-4"}


def test_a_moved_date_moves_every_deadline_that_uses_it_and_is_recorded():
    systems, cls = _systems([(k, v[0], v[1]) for k, v in CASES.items()])
    before = system_obligations(systems, cls)
    rules = copy.deepcopy(load_obligation_rules())
    import yaml

    from transforms.classify.rulebook import RULES_DIR
    raw = yaml.safe_load((RULES_DIR / "obligations.yaml").read_text(encoding="utf-8"))
    ai = yaml.safe_load((RULES_DIR / "ai_act.yaml").read_text(encoding="utf-8"))["dates"]
    ai["annex_iii"] = D(2028, 6, 1)   # e.g. a later postponement
    rules["dates"] = resolve_dates(raw["dates"], ai)
    after = system_obligations(systems, cls, rules)
    moves = deadline_moves(before, after, D(2026, 12, 6))
    assert set(moves["system_id"]) == {"AIG-000003"}   # only the system not yet in use before the date
    assert set(moves.loc[moves.system_id == "AIG-000003", "obligation_id"]) == {"AIA-26", "AIA-27", "AIA-49"}
    m = moves.iloc[0]
    assert m.old_deadline == D(2027, 12, 2) and m.new_deadline == D(2028, 6, 1)
    assert "datum 'annex_iii' in de regels gewijzigd van 2 december 2027 naar 1 juni 2028" in m.reason
    # the legacy deadline: systems already in use (first seen before the new date) also move
    ai["public_legacy"] = D(2031, 8, 2)
    rules["dates"] = resolve_dates(raw["dates"], ai)
    later = system_obligations(systems, cls, rules)
    moves2 = deadline_moves(after, later, D(2027, 1, 6))
    assert (moves2["new_deadline"] == D(2031, 8, 2)).all() and "AIG-000002" in set(moves2["system_id"])
    assert deadline_moves(later, later, D(2027, 1, 6)).empty


def test_status_from_assessments_and_requirements():
    systems, cls = _systems([("AIG-000002", "2024-01-10", CASES["AIG-000002"][1])])
    obl = system_obligations(systems, cls)
    req = pd.DataFrame([{"system_id": "AIG-000002", "slug": "aia-01", "status": "gedaan"}])
    ass = pd.DataFrame([{"system_id": "AIG-000002", "assessment": "DPIA", "status": "afgerond", "assessment_date": D(2024, 1, 5)}])
    out = obligation_status(obl, req, ass, D(2026, 12, 6)).set_index("obligation_id")
    assert out.loc["AIA-4", "status"] == "gedaan" and out.loc["AVG-35", "status"] == "gedaan"
    assert "5 januari 2024" in out.loc["AVG-35", "status_reason"]
    assert out.loc["REG", "status"] == "te laat"     # register target end of 2025 passed
    assert out.loc["AIA-26", "status"] == "open"


def test_a_date_referring_to_a_missing_ai_act_date_is_a_clear_error():
    with pytest.raises(ValueError, match="refers to ai_act.yaml date 'nope'"):
        resolve_dates({"x": {"ai_act": "nope"}}, {})
