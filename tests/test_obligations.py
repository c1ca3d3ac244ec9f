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


# --- Algoritmekader requirements ---------------------------------------------------------------

from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from transforms.obligations.requirements import (  # noqa: E402
    load_algoritmekader,
    requirement_progress,
    select_items,
    system_profile,
    system_requirements,
)

PROFILES = yaml.safe_load((Path(__file__).parent / "fixtures" / "algoritmekader" / "profiles.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PROFILES["profiles"], ids=[p["name"] for p in PROFILES["profiles"]])
def test_requirement_selection_matches_the_hand_checked_labels(case):
    items = select_items(system_profile(case["system"]))
    got = sorted(i["slug"] for i in items if i["item_kind"] == "vereiste")
    want = sorted(case["ai_act"] + PROFILES["general"] + (["bzk-01"] if case["register"] else []))
    assert got == want
    measures = [i for i in items if i["item_kind"] == "maatregel"]
    assert measures and all(set(m["serves"].split(", ")) <= set(got) for m in measures)
    assert all(i["applicable_reason"] for i in items)


def test_rule_based_algorithm_gets_general_law_but_no_ai_act_requirements():
    items = select_items(system_profile({"ai_act_class": "not_ai", "publication_category": "Impactvolle algoritmes"}))
    slugs = {i["slug"] for i in items if i["item_kind"] == "vereiste"}
    assert slugs == set(PROFILES["general"]) | {"bzk-01"}
    assert "AI-verordening niet van toepassing" in items[0]["applicable_reason"]


def test_shipped_file_has_attribution_and_all_items():
    kader = load_algoritmekader()
    assert kader["licence"] == "EUPL-1.2" and "MinBZK" in kader["attribution"] and kader["commit"]
    assert len(kader["vereisten"]) == 63 and len(kader["maatregelen"]) == 108


def test_requirement_status_from_decisions_and_progress():
    from transforms.obligations.decisions import obligation_decisions

    systems = pd.DataFrame([{"system_id": "AIG-000001", "name": "DeepL", "vendor": "DeepL SE", "department": "Communicatie"},
                            {"system_id": "AIG-000002", "name": "Model", "vendor": "X", "department": "Werk en Inkomen"}])
    cls = pd.DataFrame([{"system_id": "AIG-000001", "ai_act_class": "minimal", "publication_category": "Overige algoritmes"},
                        {"system_id": "AIG-000002", "ai_act_class": "high_risk", "ai_act_area": "5a",
                         "publication_category": "Hoog-risico AI-systeem"}])
    log = pd.DataFrame([
        {"event_id": "1", "at": "2026-11-01T10:00:00", "reviewer": "pvdb", "action": "requirement", "system_id": "AIG-000001",
         "fields_json": '{"item": "aia-01", "status": "bezig", "owner": "HR"}', "reason": None},
        {"event_id": "2", "at": "2026-11-02T10:00:00", "reviewer": "pvdb", "action": "requirement", "system_id": "AIG-000001",
         "fields_json": '{"item": "AIA-01", "status": "gedaan", "evidence": "https://intranet/x", "date": "2026-11-02"}', "reason": None},
        {"event_id": "3", "at": "2026-11-02T11:00:00", "reviewer": "pvdb", "action": "requirement", "system_id": "AIG-000001",
         "fields_json": '{"item": "woo-01", "status": "niet van toepassing"}', "reason": "geen openbare informatie"},
        {"event_id": "4", "at": "2026-11-02T11:00:00", "reviewer": "pvdb", "action": "edit", "system_id": "AIG-000001",
         "fields_json": '{"owner": "x"}', "reason": None},
    ])
    events = obligation_decisions(log)
    req = system_requirements(systems, cls, events)
    row = req[(req.system_id == "AIG-000001") & (req.slug == "aia-01")].iloc[0]
    assert (row.status, row.owner, row.evidence_link, row.decided_by) == ("gedaan", "HR", "https://intranet/x", "pvdb")
    na = req[(req.system_id == "AIG-000001") & (req.slug == "woo-01")].iloc[0]
    assert na.status == "niet van toepassing" and na.status_reason == "geen openbare informatie"
    per_system = requirement_progress(req).set_index("system_id")
    assert per_system.loc["AIG-000001", "gedaan"] == 1 and per_system.loc["AIG-000002", "gedaan"] == 0
    assert per_system.loc["AIG-000001", "settled_share"] == pytest.approx(2 / per_system.loc["AIG-000001", "items"])
    per_dept = requirement_progress(req, systems, "department")
    assert set(per_dept["department"]) == {"Communicatie", "Werk en Inkomen"}
    org = requirement_progress(req, systems, None)
    assert int(org["items"].iloc[0]) == len(req) and int(org["gedaan"].iloc[0]) == 1
    assert requirement_progress(req.iloc[0:0], systems, None)["items"].tolist() == []


# --- DPIA / IAMA / FRIA and periodic review ------------------------------------------------------

from transforms.obligations.assessments import normalise_status, system_assessments  # noqa: E402
from transforms.obligations.decisions import obligation_decisions  # noqa: E402
from transforms.obligations.reviews import system_reviews  # noqa: E402


def _log(rows):
    return obligation_decisions(pd.DataFrame([{"event_id": str(i), "reason": None, **r} for i, r in enumerate(rows)]))


def test_assessment_status_from_register_edits_and_decisions_with_flags():
    systems = pd.DataFrame([{"system_id": s, "fields_json": None, "status": "confirmed"} for s in ("AIG-000001", "AIG-000002", "AIG-000003")])
    cls = pd.DataFrame([
        {"system_id": "AIG-000001", "ai_act_class": "high_risk", "ai_act_area": "5a", "dpia_required": True, "dpia_reason": "D6",
         "iama_recommended": True, "iama_reason": "hoog risico", "dpia_status": "Afgerond", "dpia_date": "2022-05-01",
         "dpia_link": "https://intranet/dpia/1", "dpia_match": "exact"},
        {"system_id": "AIG-000002", "ai_act_class": "minimal", "dpia_required": True, "dpia_reason": "D5",
         "iama_recommended": False, "dpia_status": "In uitvoering", "dpia_date": None, "dpia_link": None, "dpia_match": "exact"},
        {"system_id": "AIG-000003", "ai_act_class": "high_risk", "ai_act_area": "2", "dpia_required": False,
         "iama_recommended": True, "dpia_status": None},
    ])
    events = _log([{"at": "2026-10-01T09:00:00", "reviewer": "pvdb", "action": "assessment", "system_id": "AIG-000003",
                    "fields_json": '{"assessment": "IAMA", "status": "afgerond", "date": "2026-09-15", "link": "https://x/iama"}'}])
    changes = pd.DataFrame([{"system_id": "AIG-000003", "changed_at": pd.Timestamp("2026-11-01"), "change": "bewerkt"}])
    a = system_assessments(systems, cls, events, changes, D(2026, 12, 6)).set_index(["system_id", "assessment"])
    dpia1 = a.loc[("AIG-000001", "DPIA")]
    assert dpia1.status == "afgerond" and dpia1.flag_outdated and "ouder dan 3 jaar" in dpia1["flags"]
    assert "DPIA-register" in dpia1.status_source and dpia1.link == "https://intranet/dpia/1"
    fria1 = a.loc[("AIG-000001", "FRIA")]
    assert fria1.required and fria1.flag_missing and "art. 27" in fria1.required_reason
    assert a.loc[("AIG-000002", "DPIA")].status == "bezig" and a.loc[("AIG-000002", "DPIA")].flag_missing
    assert not a.loc[("AIG-000003", "FRIA")].required          # critical infrastructure
    iama3 = a.loc[("AIG-000003", "IAMA")]
    assert iama3.status == "afgerond" and iama3.flag_outdated and "systeem gewijzigd sinds de IAMA" in iama3["flags"]
    assert "besluit van pvdb" in iama3.status_source


@pytest.mark.parametrize("text, status", [("Afgerond", "afgerond"), ("In uitvoering", "bezig"), ("Gepland", "gepland"),
                                          ("niet nodig", "niet nodig"), ("", None), ("???", None)])
def test_dpia_register_statuses_are_normalised(text, status):
    assert normalise_status(text) == status


def test_review_dates_by_risk_overdue_and_reset_by_a_review_decision():
    systems = pd.DataFrame([
        {"system_id": "AIG-000001", "status": "confirmed", "fields_json": None, "decided_at": pd.Timestamp("2026-01-10"), "first_seen": D(2025, 1, 1)},
        {"system_id": "AIG-000002", "status": "confirmed", "fields_json": None, "decided_at": pd.Timestamp("2026-01-10"), "first_seen": D(2025, 1, 1)},
        {"system_id": "AIG-000003", "status": "confirmed", "fields_json": '{"next_review": "2027-03-01"}', "decided_at": pd.Timestamp("2026-01-10"), "first_seen": D(2025, 1, 1)},
        {"system_id": "AIG-000004", "status": "candidate", "fields_json": None, "decided_at": None, "first_seen": D(2025, 1, 1)},
    ])
    cls = pd.DataFrame([
        {"system_id": "AIG-000001", "ai_act_class": "high_risk", "publication_category": "Hoog-risico AI-systeem"},
        {"system_id": "AIG-000002", "ai_act_class": "not_ai", "publication_category": "Impactvolle algoritmes"},
        {"system_id": "AIG-000003", "ai_act_class": "minimal", "publication_category": "Overige algoritmes"},
        {"system_id": "AIG-000004", "ai_act_class": "minimal", "publication_category": "Overige algoritmes"},
    ])
    r = system_reviews(systems, cls, None, D(2026, 12, 6)).set_index("system_id")
    assert "AIG-000004" not in r.index                       # candidates are not systems yet
    assert r.loc["AIG-000001", "interval_months"] == 6 and r.loc["AIG-000001", "next_review"] == D(2026, 7, 10)
    assert r.loc["AIG-000001", "overdue"] and r.loc["AIG-000001", "days_overdue"] == 149
    assert "Te laat" in r.loc["AIG-000001", "reason"]
    assert r.loc["AIG-000002", "next_review"] == D(2027, 1, 10) and not r.loc["AIG-000002", "overdue"]
    assert r.loc["AIG-000003", "next_review"] == D(2027, 3, 1)
    events = _log([{"at": "2026-12-01T09:00:00", "reviewer": "ciso", "action": "review", "system_id": "AIG-000001",
                    "fields_json": '{"reviewed_on": "2026-11-30"}'}])
    r2 = system_reviews(systems, cls, events, D(2026, 12, 6), {"high_risk": 3}).set_index("system_id")
    assert r2.loc["AIG-000001", "last_review"] == D(2026, 11, 30) and r2.loc["AIG-000001", "next_review"] == D(2027, 2, 28)
    assert not r2.loc["AIG-000001", "overdue"] and r2.loc["AIG-000001", "last_reviewer"] == "ciso"
