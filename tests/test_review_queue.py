"""Review queue functions over a published snapshot: ordering, filters, detail, pending, decide."""

from __future__ import annotations

import json
from datetime import date

import pytest

from review.queue import (
    ReviewError,
    UnknownSystemError,
    decide,
    filter_options,
    list_queue,
    queue_counts,
    show_system,
)
from tests.test_review_data import APPLIED_EVENT_ID, published_snapshot
from transforms.errors import AigripError, DecisionLogError
from warehouse import snapshot_connect
from warehouse.decision_log import append_decision, log_path, read_decisions


@pytest.fixture()
def data_dir(tmp_path):
    published_snapshot(tmp_path)
    return tmp_path


def test_queue_is_ordered_by_risk_then_score(data_dir):
    with snapshot_connect(data_dir) as con:
        rows = list_queue(con)
    # high_risk before transparency (despite the lower score), then needs_review; confirmed and deferred left out
    assert [r["system_id"] for r in rows] == ["AIG-000001", "AIG-000003", "AIG-000002"]
    first = rows[0]
    assert first["source_keys"] == ["crediteuren:F-100", "portfolio:APP-7"]
    assert first["ai_act_class"] == "high_risk" and first["status"] == "candidate"
    assert first["first_seen"] == "2025-03-01" and first["pending"] is None
    json.dumps(rows)  # CLI 'review list --json' prints this as is


def test_queue_filters(data_dir):
    with snapshot_connect(data_dir) as con:
        assert [r["system_id"] for r in list_queue(con, status="all")] == [
            "AIG-000001", "AIG-000003", "AIG-000002", "AIG-000004", "AIG-000005"]
        assert [r["system_id"] for r in list_queue(con, status="confirmed")] == ["AIG-000004"]
        assert [r["system_id"] for r in list_queue(con, status="deferred")] == ["AIG-000005"]
        assert [r["system_id"] for r in list_queue(con, status="all", department="KCC")] == [
            "AIG-000002", "AIG-000004", "AIG-000005"]
        assert [r["system_id"] for r in list_queue(con, source="crediteuren")] == ["AIG-000001", "AIG-000003"]
        assert [r["system_id"] for r in list_queue(con, source="survey")] == ["AIG-000003"]
        assert [r["system_id"] for r in list_queue(con, ai_act_class="transparency")] == ["AIG-000002"]
        assert list_queue(con, department="Bestaat niet") == []
        with pytest.raises(ReviewError, match="unknown status filter"):
            list_queue(con, status="klaar")
        counts = queue_counts(con)
        options = filter_options(con)
    assert counts == {"queue": 3, "deferred": 1, "candidate": 4, "confirmed": 1, "rejected": 0,
                      "retired": 0, "all": 5}
    assert options["departments"] == ["KCC", "Parkeren", "Werk en Inkomen"]
    assert "crediteuren" in options["sources"] and "survey" in options["sources"]
    assert options["classes"] == ["high_risk", "needs_review", "transparency", "minimal"]


def test_deferred_comes_back_after_its_date(data_dir):
    with snapshot_connect(data_dir) as con:
        ids = [r["system_id"] for r in list_queue(con, today=date(3000, 1, 1))]
    assert "AIG-000005" in ids


def test_show_system_explains_everything(data_dir):
    with snapshot_connect(data_dir) as con:
        detail = show_system(con, "AIG-000001")
    assert detail["system"]["name"] == "Octobox fraudedetectie"
    assert [s["source_key"] for s in detail["sources"]] == ["crediteuren:F-100", "portfolio:APP-7"]
    assert detail["sources"][1]["match_probability"] == pytest.approx(0.93)
    assert detail["sources"][1]["match_reason"] == "leverancier gelijk; naam lijkt"
    assert detail["sources"][0]["signals"][0]["reason"] == "product Octobox staat in 12 registers"
    assert detail["sources"][0]["reasons_list"] == ["reden A", "reden B"]
    assert detail["classification"]["ai_act_class"] == "high_risk"
    assert detail["conflicts"] == ["afdeling verschilt: Werk en Inkomen / Sociaal Domein"]
    assert detail["merged_from"] == ["AIG-000009"]


def test_show_follows_successor_and_rejects_unknown(data_dir):
    with snapshot_connect(data_dir) as con:
        detail = show_system(con, "AIG-000009")
        assert detail["system_id"] == "AIG-000001" and detail["requested_id"] == "AIG-000009"
        with pytest.raises(UnknownSystemError) as info:
            show_system(con, "AIG-999999")
    assert "AIG-999999" in str(info.value) and isinstance(info.value, AigripError)


def test_show_lists_applied_decisions(data_dir):
    with snapshot_connect(data_dir) as con:
        detail = show_system(con, "AIG-000004")
    assert [d["event_id"] for d in detail["decisions"]] == [APPLIED_EVENT_ID]
    assert detail["fields"] == {"owner": "KCC", "goal": "vertalen"}


def test_decide_writes_the_log_and_shows_pending(data_dir):
    event = decide(data_dir, "AIG-000002", "reject", "piet", reason="geen AI maar FAQ", fields={"ground": "not_ai"})
    assert read_decisions(log_path(data_dir)) == [event]
    assert event["reviewer"] == "piet" and event["fields"] == {"ground": "not_ai"}
    with snapshot_connect(data_dir) as con:
        rows = {r["system_id"]: r for r in list_queue(con, data_dir=data_dir)}
        detail = show_system(con, "AIG-000002", data_dir=data_dir)
    assert rows["AIG-000002"]["pending"]["action"] == "reject"
    assert rows["AIG-000001"]["pending"] is None
    assert [p["event_id"] for p in detail["pending"]] == [event["event_id"]]


def test_applied_events_are_not_pending(data_dir):
    append_decision(log_path(data_dir), {"event_id": APPLIED_EVENT_ID, "reviewer": "anna", "action": "confirm",
                                         "system_id": "AIG-000004", "reason": "bekend"})
    with snapshot_connect(data_dir) as con:
        rows = {r["system_id"]: r for r in list_queue(con, status="all", data_dir=data_dir)}
    assert rows["AIG-000004"]["pending"] is None


def test_decide_follows_successors_and_validates(data_dir):
    merged = decide(data_dir, "AIG-000003", "merge", "piet", into="AIG-000009")
    assert merged["into"] == "AIG-000001"
    with pytest.raises(UnknownSystemError):
        decide(data_dir, "AIG-123456", "confirm", "piet")
    with pytest.raises(ReviewError, match="already the same system"):
        decide(data_dir, "AIG-000009", "merge", "piet", into="AIG-000001")
    with pytest.raises(ReviewError, match="not in system AIG-000003"):
        decide(data_dir, "AIG-000003", "split", "piet", source_keys=["crediteuren:F-100"])
    with pytest.raises(DecisionLogError, match="reason"):
        decide(data_dir, "AIG-000003", "reject", "piet")
    split = decide(data_dir, "AIG-000003", "split", "piet", source_keys=["crediteuren:F-200"])
    assert split["source_keys"] == ["crediteuren:F-200"]
    assert len(read_decisions(log_path(data_dir))) == 2


def test_decide_is_idempotent_with_event_id(data_dir):
    one = decide(data_dir, "AIG-000001", "confirm", "piet", event_id="form123")
    two = decide(data_dir, "AIG-000001", "confirm", "piet", event_id="form123")
    assert one == two and len(read_decisions(log_path(data_dir))) == 1
