"""Publication states replayed from the decision log (transforms/publish/states.py)."""

from __future__ import annotations

import json

import pandas as pd

from transforms.publish.states import entry_hash, next_versions, replay_states

V1 = {"name": "Scanauto", "goal": "<p>versie 1</p>"}
V2 = {"name": "Scanauto", "goal": "<p>versie 2</p>"}
H1, H2 = entry_hash(V1), entry_hash(V2)


def _ev(n, action, who, system="AIG-000001", h=None, reason=None, keys=None):
    return {"event_id": f"e{n}", "at": f"2026-11-01T10:{n:02d}:00", "reviewer": who, "action": action,
            "system_id": system if keys is None else None, "source_keys": keys,
            "fields_json": json.dumps({"entry_hash": h}) if h else None, "reason": reason}


def _systems(status="confirmed", reason=None):
    return pd.DataFrame([{"system_id": "AIG-000001", "status": status, "decision_reason": reason,
                          "decided_at": "2026-11-02T09:00:00"}])


def _versions(*pairs):
    drafts = {f"AIG-000001#{i}": (h, e) for i, (h, e) in enumerate(pairs)}
    rows = [{"system_id": "AIG-000001", "version": i + 1, "entry_hash": h, "entry_json": json.dumps(e),
             "first_seen": pd.Timestamp("2026-11-01")} for i, (h, e) in enumerate(pairs)]
    assert drafts
    return pd.DataFrame(rows)


def _replay(events, draft=(H1, V1), systems=None, versions=None, successors=None, owners=None):
    out = replay_states(pd.DataFrame(events), systems if systems is not None else _systems(),
                        {"AIG-000001": draft} if draft else {}, versions if versions is not None else _versions((H1, V1)),
                        successors or {}, owners)
    row = out.states.set_index("system_id").loc["AIG-000001"].to_dict()
    return row, {r["event_id"]: r for r in out.report}


def test_confirmed_entry_is_a_concept_until_released_and_published_by_another_person():
    row, _ = _replay([])
    assert row["state"] == "concept" and row["published_entry_json"] is None
    row, _ = _replay([_ev(1, "release", "rik", h=H1)])
    assert row["state"] == "vrijgegeven" and row["released_by"] == "rik" and row["published_entry_json"] is None
    row, report = _replay([_ev(1, "release", "rik", h=H1), _ev(2, "publish", "fatima", h=H1)])
    assert row["state"] == "gepubliceerd" and row["published_by"] == "fatima"
    assert json.loads(row["published_entry_json"]) == V1 and report["e2"]["applied"]


def test_the_releaser_cannot_approve_their_own_release():
    row, report = _replay([_ev(1, "release", "rik", h=H1), _ev(2, "publish", "rik", h=H1)])
    assert row["state"] == "vrijgegeven" and row["published_entry_json"] is None
    assert not report["e2"]["applied"] and "zelf vrij" in report["e2"]["apply_note"]


def test_publish_without_release_or_of_another_version_is_not_applied():
    row, report = _replay([_ev(1, "publish", "fatima", h=H1)])
    assert row["state"] == "concept" and not report["e1"]["applied"]
    row, report = _replay([_ev(1, "release", "rik", h=H1), _ev(2, "publish", "fatima", h=H2)])
    assert row["state"] == "vrijgegeven" and not report["e2"]["applied"]


def test_an_edit_of_a_published_entry_stays_unpublished_until_released_and_approved():
    versions = _versions((H1, V1), (H2, V2))
    events = [_ev(1, "release", "rik", h=H1), _ev(2, "publish", "fatima", h=H1)]
    row, _ = _replay(events, draft=(H2, V2), versions=versions)  # edited after publication
    assert row["state"] == "concept" and "blijft online" in row["note"]
    assert json.loads(row["published_entry_json"]) == V1  # the site keeps the published version
    row, _ = _replay(events + [_ev(3, "release", "rik", h=H2)], draft=(H2, V2), versions=versions)
    assert row["state"] == "vrijgegeven" and json.loads(row["published_entry_json"]) == V1
    row, _ = _replay(events + [_ev(3, "release", "rik", h=H2), _ev(4, "publish", "fatima", h=H2)],
                     draft=(H2, V2), versions=versions)
    assert row["state"] == "gepubliceerd" and json.loads(row["published_entry_json"]) == V2
    assert row["published_version"] == 2


def test_withdraw_takes_the_entry_off_the_register_with_its_reason():
    row, _ = _replay([_ev(1, "release", "rik", h=H1), _ev(2, "publish", "fatima", h=H1),
                      _ev(3, "withdraw", "fatima", reason="contract beëindigd")])
    assert row["state"] == "gedepubliceerd" and row["published_entry_json"] is None
    assert row["withdrawn_reason"] == "contract beëindigd"


def test_retiring_rejecting_or_merging_away_a_published_system_withdraws_it():
    published = [_ev(1, "release", "rik", h=H1), _ev(2, "publish", "fatima", h=H1)]
    row, _ = _replay(published, draft=None, systems=_systems("retired", "vervangen door nieuw pakket"))
    assert row["state"] == "gedepubliceerd" and row["published_entry_json"] is None
    assert row["withdrawn_reason"] == "buiten gebruik gesteld: vervangen door nieuw pakket"
    row, _ = _replay(published, draft=None, systems=_systems("rejected", "geen AI"))
    assert row["state"] == "gedepubliceerd" and row["withdrawn_reason"].startswith("afgewezen")
    row, _ = _replay(published, draft=None, successors={"AIG-000001": "AIG-000007"})
    assert row["state"] == "gedepubliceerd" and row["withdrawn_reason"] == "samengevoegd met AIG-000007"


def test_a_release_without_a_version_releases_the_entry_as_it_stands_after_the_decisions_before_it():
    row, _ = _replay([_ev(1, "release", "rik"), _ev(2, "publish", "fatima")])
    assert row["state"] == "gepubliceerd"
    edit_after = {"event_id": "e3", "at": "2026-11-01T10:03:00", "reviewer": "rik", "action": "edit",
                  "system_id": "AIG-000001", "source_keys": None, "fields_json": "{}", "reason": None}
    row, _ = _replay([_ev(1, "release", "rik"), edit_after])
    assert row["state"] == "concept" and "opnieuw vrij" in row["note"]


def test_decisions_may_name_source_records_instead_of_a_system():
    row, _ = _replay([_ev(1, "release", "rik", keys=["led:1"]), _ev(2, "publish", "fatima", keys=["led:1"])],
                     owners={"led:1": "AIG-000001"})
    assert row["state"] == "gepubliceerd"


def test_next_versions_numbers_each_new_draft_once():
    now = pd.Timestamp("2026-11-01")
    first = next_versions(pd.DataFrame(columns=["system_id", "version", "entry_hash", "entry_json", "first_seen"]),
                          {"AIG-000001": (H1, V1)}, now)
    assert first[["version", "entry_hash"]].values.tolist() == [[1, H1]]
    assert next_versions(first, {"AIG-000001": (H1, V1)}, now).empty
    assert next_versions(first, {"AIG-000001": (H2, V2)}, now)["version"].tolist() == [2]
