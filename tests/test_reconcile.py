"""Reconciliation: dedup, stable ids, reviewer decisions as constraints, provenance and conflicts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from transforms.errors import AigripError
from transforms.reconcile import ReconcileResult, reconcile
from transforms.reconcile.cluster import connected_components
from transforms.reconcile.features import display_name, name_norm_series
from transforms.text import normalise_vendor


def _rec(key, source_type, title, vendor=None, *, product=None, dept=None, kvk=None, kb=None, date="2025-03-01",
         desc=None, score=0.8, raw=None):
    return {
        "source_key": key, "source_id": key.split(":")[0], "source_type": source_type, "org": "gm9999",
        "title": title, "description": desc or title, "vendor": vendor,
        "vendor_norm": normalise_vendor(vendor) or None, "vendor_kvk": kvk, "product": product,
        "department": dept, "amount_eur": 100.0, "record_date": pd.Timestamp(date).date(), "url": None,
        "cpv_codes": None, "raw_json": json.dumps(raw or {}), "ai_score": score, "reasons": "test",
        "kb_product_id": kb,
    }


OCTO = [
    _rec("led:1001", "spend_ledger", "Licentie Octobox 2025", "Octobox B.V.", dept="Klantcontactcentrum",
         kvk="12345678", kb="KB-0000000a", date="2025-01-10"),
    _rec("led:1002", "spend_ledger", "Ondersteuning Octobox Q3", "OCTOBOX BV", dept="Klantcontactcentrum",
         kvk="12345678", kb="KB-0000000a", date="2025-07-10"),
    _rec("pf:octobox", "application_portfolio", "Octobox", "Octobox B.V.", product="Octobox",
         dept="Klantcontactcentrum", kb="KB-0000000a", desc="Chatbot voor vragen van inwoners",
         raw={"status": "in gebruik"}),
    _rec("sv:r1-1", "survey", "octobox", "Octobox", product="octobox", dept="Klantcontactcentrum",
         kb="KB-0000000a", date="2026-01-20"),
]
# the same product bought and run by another department: a deployment of its own
OCTO_SOCIAAL_DOMEIN = [
    _rec("led:1101", "spend_ledger", "Licentie Octobox 2025", "Octobox B.V.", dept="Sociaal Domein",
         kvk="12345678", kb="KB-0000000a"),
    _rec("pf:octobox-sd", "application_portfolio", "Octobox", "Octobox B.V.", product="Octobox",
         dept="Sociaal Domein", kb="KB-0000000a"),
]
PARK = [
    _rec("led:2001", "spend_ledger", "Abonnement ParkeerScan maart 2025", "Scanmobiel BV", dept="Mobiliteit",
         kvk="87654321"),
    _rec("pf:parkeerscan", "application_portfolio", "ParkeerScan", "Scanmobiel B.V.", product="ParkeerScan",
         dept="Mobiliteit", raw={"status": "in gebruik"}),
]
FRAUD = [
    _rec("pf:fraudradar", "application_portfolio", "FraudeRadar", "Delta Analytics B.V.", product="FraudeRadar",
         dept="Werk en Inkomen", kb="KB-0000000b", raw={"status": "in gebruik"}),
    _rec("led:3001", "spend_ledger", "Licentie FraudeRadar 2024", "Delta Analytics", dept="Werk en Inkomen",
         kvk="55554444", kb="KB-0000000b", date="2024-05-01"),
]
NEW_SOURCE = [
    _rec("tn:400123", "tenderned", "Europese aanbesteding Routewijzer afvalinzameling", "Routify B.V.",
         kvk="11112222", date="2024-02-01"),
    _rec("led:5001", "spend_ledger", "Licentie Routewijzer 2025", "Routify BV", dept="Openbare Ruimte",
         kvk="11112222"),
]


def _records(*groups) -> pd.DataFrame:
    return pd.DataFrame([r for g in groups for r in g])


def _run(records, prev: ReconcileResult | None = None, decisions=None, **kw) -> ReconcileResult:
    return reconcile(
        records,
        previous=prev.provenance if prev else None,
        registry=prev.registry if prev else None,
        decisions=pd.DataFrame(decisions) if decisions else None,
        as_of="2026-02-01",
        **kw,
    )


def _system_of(result: ReconcileResult, key: str) -> str:
    prov = result.provenance
    return prov.loc[prov["source_key"] == key, "system_id"].iloc[0]


def _system(result: ReconcileResult, system_id: str) -> dict:
    return result.systems.set_index("system_id").loc[system_id].to_dict()


def _event(n, action, system_id=None, *, keys=None, into=None, fields=None, reason="test", reviewer="privacy"):
    return {"event_id": f"e{n}", "at": pd.Timestamp("2026-02-01 10:00") + pd.Timedelta(minutes=n),
            "reviewer": reviewer, "action": action, "system_id": system_id, "source_keys": keys or [],
            "into": into, "fields_json": json.dumps(fields or {}), "reason": reason}


@pytest.fixture(scope="module")
def first() -> ReconcileResult:
    return _run(_records(OCTO, PARK, FRAUD))


def test_name_norm_strips_generic_and_period_words():
    titles = pd.Series(["Licentie Octobox 2025", "Ondersteuning Octobox Q3", "Octobox abonnement maart 2024",
                        "Licentie 2025"])
    out = name_norm_series(pd.Series([None] * 4, dtype="object"), titles).tolist()
    assert out[:3] == ["octobox"] * 3
    assert out[3] == "licentie"  # nothing specific left: keep the folded text
    assert name_norm_series(pd.Series(["Zaak Wijzer"]), pd.Series(["x"])).tolist() == ["zaak wijzer"]
    assert display_name("Licentie Octobox 2025") == "Octobox"


def test_connected_components_labels_by_smallest_member():
    labels = connected_components(6, np.array([4, 1, 2]), np.array([5, 2, 3]))
    assert labels.tolist() == [0, 1, 1, 1, 4, 4]


def test_dedup_into_one_system_per_product(first):
    assert len(first.systems) == 3
    assert len(first.provenance) == len(OCTO) + len(PARK) + len(FRAUD)
    assert {_system_of(first, r["source_key"]) for r in OCTO} == {_system_of(first, "led:1001")}
    assert _system_of(first, "led:2001") != _system_of(first, "led:1001")
    octo = _system(first, _system_of(first, "led:1001"))
    assert octo["name"] == "Octobox"  # the portfolio name beats ledger text
    assert octo["n_sources"] == 4
    assert octo["source_types"] == ["application_portfolio", "spend_ledger", "survey"]
    assert octo["status"] == "candidate"
    assert str(octo["first_seen"]) == "2025-01-10" and str(octo["last_seen"]) == "2026-01-20"
    assert all(sid.startswith("AIG-") and len(sid) == 10 for sid in first.systems["system_id"])
    assert set(first.registry["system_id"]) == set(first.systems["system_id"])


def test_provenance_reasons_are_readable(first):
    prov = first.provenance.set_index("source_key")
    assert prov["match_probability"].between(0, 1).all()
    assert prov["match_reason"].str.len().gt(0).all()
    reason = prov.loc["led:1002", "match_reason"]
    assert "zelfde KB-product" in reason and "naam gelijk" in reason


def test_rerun_keeps_ids(first):
    second = _run(_records(OCTO, PARK, FRAUD), first)
    for key in first.provenance["source_key"]:
        assert _system_of(second, key) == _system_of(first, key)
    assert second.registry.equals(first.registry)


def test_new_source_and_new_rows_never_renumber(first):
    more_rows = [_rec("led:1003", "spend_ledger", "Licentie Octobox 2026", "Octobox B.V.",
                      dept="Klantcontactcentrum", kvk="12345678", kb="KB-0000000a", date="2026-01-05")]
    second = _run(_records(NEW_SOURCE, more_rows, FRAUD, PARK, OCTO), first)
    for key in first.provenance["source_key"]:
        assert _system_of(second, key) == _system_of(first, key)
    assert _system_of(second, "led:1003") == _system_of(first, "led:1001")
    route = _system_of(second, "tn:400123")
    assert route == _system_of(second, "led:5001")
    assert route not in set(first.registry["system_id"])
    assert route > max(first.registry["system_id"])


def test_shuffled_input_gives_the_same_result(first):
    shuffled = _records(OCTO, PARK, FRAUD).sample(frac=1.0, random_state=3)
    again = _run(shuffled)
    pd.testing.assert_frame_equal(again.provenance, first.provenance)
    pd.testing.assert_frame_equal(again.systems, first.systems)


def test_merge_keeps_target_id_and_points_old_id_to_successor(first):
    octo, park = _system_of(first, "led:1001"), _system_of(first, "led:2001")
    decisions = [_event(1, "merge", park, into=octo)]
    merged = _run(_records(OCTO, PARK, FRAUD), first, decisions)
    assert _system_of(merged, "led:2001") == octo == _system_of(merged, "pf:octobox")
    reg = merged.registry.set_index("system_id")
    assert reg.loc[park, "successor_id"] == octo
    assert park not in set(merged.systems["system_id"])
    assert merged.decisions["applied"].tolist() == [True]
    # replay on later runs: same result, the merged-away id stays retired from use
    later = _run(_records(OCTO, PARK, FRAUD), merged, decisions)
    pd.testing.assert_frame_equal(later.provenance, merged.provenance)
    assert later.decisions["applied"].tolist() == [True]
    # a decision naming the merged-away id follows the successor chain
    confirm = _run(_records(OCTO, PARK, FRAUD), later, [*decisions, _event(2, "confirm", park)])
    assert _system(confirm, octo)["status"] == "confirmed"


def test_split_forms_new_system_and_rest_keeps_id(first):
    octo = _system_of(first, "led:1001")
    decisions = [_event(1, "split", octo, keys=["sv:r1-1"], reason="ander systeem")]
    split = _run(_records(OCTO, PARK, FRAUD), first, decisions)
    assert _system_of(split, "led:1001") == octo
    new = _system_of(split, "sv:r1-1")
    assert new != octo and new not in set(first.registry["system_id"])
    again = _run(_records(OCTO, PARK, FRAUD), split, decisions)
    assert _system_of(again, "sv:r1-1") == new and _system_of(again, "led:1001") == octo
    assert len(again.registry) == len(split.registry)  # no id issued twice


@pytest.mark.parametrize("older", ["AIG-000001", "AIG-000002"])
def test_model_merge_keeps_older_id(older):
    previous = pd.DataFrame({
        "system_id": ["AIG-000001", "AIG-000001", "AIG-000002", "AIG-000002"],
        "source_key": ["led:1001", "led:1002", "pf:octobox", "sv:r1-1"],
        "match_probability": 1.0, "match_reason": "x",
    })
    registry = pd.DataFrame({
        "system_id": ["AIG-000001", "AIG-000002"],
        "created_at": [pd.Timestamp("2025-06-01"), pd.Timestamp("2025-06-01")],
        "successor_id": [None, None], "retired_at": [None, None],
    })
    registry.loc[registry.system_id == older, "created_at"] = pd.Timestamp("2025-01-01")
    res = reconcile(_records(OCTO), previous=previous, registry=registry, decisions=None, as_of="2026-02-01")
    assert res.systems["system_id"].tolist() == [older]
    other = ({"AIG-000001", "AIG-000002"} - {older}).pop()
    assert res.registry.set_index("system_id").loc[other, "successor_id"] == older


def test_split_by_model_leaves_id_with_larger_part():
    previous = pd.DataFrame({"system_id": "AIG-000007", "source_key": [r["source_key"] for r in OCTO + PARK],
                             "match_probability": 1.0, "match_reason": "x"})
    registry = pd.DataFrame({"system_id": ["AIG-000007"], "created_at": [pd.Timestamp("2025-01-01")],
                             "successor_id": [None], "retired_at": [None]})
    res = reconcile(_records(OCTO, PARK), previous=previous, registry=registry, decisions=None, as_of="2026-02-01")
    assert _system_of(res, "led:1001") == "AIG-000007"  # 4 of the 6 records
    assert _system_of(res, "led:2001") == "AIG-000008"  # numbered after the highest id ever issued


def test_status_decisions_and_edits(first):
    octo, park, fraud = (_system_of(first, k) for k in ("led:1001", "led:2001", "pf:fraudradar"))
    decisions = [
        _event(1, "confirm", octo, reason="in gebruik bij KCC"),
        _event(2, "reject", park, reason="geen AI"),
        _event(3, "edit", octo, fields={"owner": "Teamleider KCC", "name": "Octobox chatbot", "dpia_status": "gereed",
                                        "bogus": 1}),
        _event(4, "defer", fraud, fields={"defer_until": "2026-06-01"}),
    ]
    res = _run(_records(OCTO, PARK, FRAUD), first, decisions)
    o, p, f = _system(res, octo), _system(res, park), _system(res, fraud)
    assert o["status"] == "confirmed" and o["decided_by"] == "privacy" and o["decision_reason"] == "in gebruik bij KCC"
    assert o["name"] == "Octobox chatbot"
    assert json.loads(o["fields_json"]) == {"dpia_status": "gereed", "name": "Octobox chatbot",
                                            "owner": "Teamleider KCC"}
    assert p["status"] == "rejected"
    assert f["status"] == "candidate" and str(f["defer_until"]) == "2026-06-01"
    assert res.decisions["applied"].all()
    assert "genegeerd: bogus" in res.decisions.loc[2, "apply_note"]
    # rejected stays rejected on later runs, with new rows for it too
    extra = [_rec("led:2002", "spend_ledger", "Abonnement ParkeerScan april 2025", "Scanmobiel BV",
                  dept="Mobiliteit", kvk="87654321")]
    later = _run(_records(OCTO, PARK, FRAUD, extra), res, decisions)
    assert _system_of(later, "led:2002") == park and _system(later, park)["status"] == "rejected"
    pd.testing.assert_frame_equal(later.systems[later.systems.system_id != park].reset_index(drop=True),
                                  res.systems[res.systems.system_id != park].reset_index(drop=True))


def test_retire_sets_registry_retired_at(first):
    fraud = _system_of(first, "pf:fraudradar")
    res = _run(_records(OCTO, PARK, FRAUD), first, [_event(1, "retire", fraud, reason="uitgefaseerd")])
    assert _system(res, fraud)["status"] == "retired"
    assert pd.notna(res.registry.set_index("system_id").loc[fraud, "retired_at"])


def test_decision_by_source_keys_only():
    res = _run(_records(OCTO, PARK), None, [_event(1, "confirm", keys=["pf:octobox"]),
                                            _event(2, "merge", keys=["led:2001", "led:1001"])])
    octo = _system_of(res, "pf:octobox")
    assert _system(res, octo)["status"] == "confirmed"
    assert _system_of(res, "led:2001") == octo
    assert res.decisions["applied"].tolist() == [True, True]


def test_unknown_targets_are_reported_not_applied(first):
    res = _run(_records(OCTO, PARK, FRAUD), first, [
        _event(1, "confirm", "AIG-999999"),
        _event(2, "split", _system_of(first, "led:1001")),
        _event(3, "approve", _system_of(first, "led:1001")),
        _event(4, "merge", _system_of(first, "led:1001"), into="AIG-888888"),
    ])
    assert res.decisions["applied"].tolist() == [False] * 4
    assert res.decisions["apply_note"].str.len().gt(0).all()
    pd.testing.assert_frame_equal(res.systems, _run(_records(OCTO, PARK, FRAUD), first).systems)


def test_idempotent_replay_over_many_runs(first):
    octo, park = _system_of(first, "led:1001"), _system_of(first, "led:2001")
    decisions = [_event(1, "merge", park, into=octo), _event(2, "split", octo, keys=["led:2001"]),
                 _event(3, "confirm", octo), _event(4, "edit", octo, fields={"goal": "Vragen beantwoorden"})]
    runs = [_run(_records(OCTO, PARK, FRAUD), first, decisions)]
    for _ in range(3):
        runs.append(_run(_records(OCTO, PARK, FRAUD), runs[-1], decisions))
    for later in runs[1:]:
        pd.testing.assert_frame_equal(later.systems, runs[0].systems)
        pd.testing.assert_frame_equal(later.provenance, runs[0].provenance)
        assert len(later.registry) == len(runs[0].registry)


def test_survey_from_another_department_joins_the_system_and_flags_the_conflict():
    recs = _records(OCTO)
    recs.loc[recs.source_key == "sv:r1-1", "department"] = "Burgerzaken"
    res = _run(recs)
    assert len(res.systems) == 1  # a respondent of another department names the same system
    assert "verschillende afdelingen: Burgerzaken, Klantcontactcentrum" in res.systems["conflicts"].iloc[0]
    prov = res.provenance.set_index("source_key")
    assert "andere afdeling" in prov.loc["sv:r1-1", "match_reason"]


def test_same_product_run_by_two_departments_is_two_deployments_and_a_survey_does_not_chain_them():
    def deployment(dept, n):
        return [
            _rec(f"led:9{n}01", "spend_ledger", "Licentie Octobox 2025", "Octobox B.V.", dept=dept,
                 kvk="12345678", kb="KB-0000000a"),
            _rec(f"led:9{n}02", "spend_ledger", "Ondersteuning Octobox Q3", "Octobox B.V.", dept=dept,
                 kvk="12345678", kb="KB-0000000a"),
            _rec(f"pf:octobox-{n}", "application_portfolio", f"Octobox {dept}", "Octobox B.V.",
                 product=f"Octobox {dept}", dept=dept, kb="KB-0000000a"),
        ]
    survey = [_rec("sv:r9-1", "survey", "octobox", "Octobox", product="octobox", dept="Griffie",
                   kb="KB-0000000a", date="2026-01-20")]
    res = _run(_records(deployment("Burgerzaken", 1), deployment("Belastingen", 2), survey))
    assert len(res.systems) == 2
    assert _system_of(res, "led:9101") == _system_of(res, "pf:octobox-1") != _system_of(res, "led:9201")
    assert _system_of(res, "sv:r9-1") in {_system_of(res, "led:9101"), _system_of(res, "led:9201")}
    merged = _run(_records(deployment("Burgerzaken", 1), deployment("Belastingen", 2)), None,
                  [_event(1, "merge", keys=["led:9101", "led:9201"])])
    assert len(merged.systems) == 1
    assert "verschillende afdelingen: Belastingen, Burgerzaken" in merged.systems["conflicts"].iloc[0]


def test_vendor_and_status_conflicts_are_flagged():
    recs = _records(OCTO)
    recs.loc[recs.source_key == "led:1002", ["vendor", "vendor_norm"]] = ["Octo Holding B.V.", "octo"]
    extra = [_rec("pf:octobox-2", "application_portfolio", "Octobox", "Octobox B.V.", product="Octobox",
                  dept="Klantcontactcentrum", kb="KB-0000000a", raw={"status": "uitgefaseerd"})]
    res = _run(pd.concat([recs, _records(extra)], ignore_index=True))
    assert len(res.systems) == 1
    conflicts = res.systems["conflicts"].iloc[0]
    assert "verschillende leveranciers: octo, octobox" in conflicts
    assert "verschillende statussen: in gebruik, uitgefaseerd" in conflicts
    clean = _run(_records(PARK))
    assert clean.systems["conflicts"].isna().all()


def test_empty_input_and_bad_input():
    res = _run(pd.DataFrame(columns=list(OCTO[0])))
    assert res.systems.empty and res.provenance.empty and res.registry.empty
    with pytest.raises(AigripError, match="occurs twice"):
        _run(_records(OCTO, OCTO))
    with pytest.raises(AigripError, match="not found"):
        _run(_records(OCTO), model_path="/nonexistent/model.json")
