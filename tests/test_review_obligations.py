"""The obligations section of the review app: shown on a confirmed system's page; requirement,
assessment and review forms write decisions to the log."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from starlette.testclient import TestClient

from pipelines.config import load_config
from review.app import create_app
from tests.test_review_app import PASSWORD, _csrf, _login, _settings
from warehouse.decision_log import log_path, read_decisions


@pytest.fixture()
def demo_client(demo_run, tmp_path):
    from review.passwords import hash_password

    data_dir = tmp_path / "var"
    shutil.copytree(load_config(demo_run).data_dir, data_dir, ignore=shutil.ignore_patterns("decisions"))
    client = TestClient(create_app(_settings(data_dir, hash_password(PASSWORD))), base_url="http://127.0.0.1")
    assert _login(client).status_code == 303
    with duckdb.connect(str(data_dir / "snapshot.duckdb"), read_only=True) as con:
        high = con.execute("SELECT s.system_id FROM systems s JOIN classifications c USING (system_id) "
                           "WHERE s.status = 'confirmed' ORDER BY c.ai_act_class = 'high_risk' DESC, s.system_id LIMIT 1").fetchall()[0][0]
    return client, data_dir, high


def test_system_page_shows_obligations_assessments_review_and_requirements(demo_client):
    client, _, sid = demo_client
    page = client.get(f"/systemen/{sid}")
    assert page.status_code == 200
    html = page.text
    for words in ("Verplichtingen en termijnen", "AI-verordening art. 4", "DPIA, IAMA en FRIA", "Periodieke herbeoordeling",
                  "Vereisten en maatregelen (Algoritmekader)", "aia-01", "EUPL-1.2"):
        assert words in html, words
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) 20\d\d", html)
    assert "2025-02-02" not in html.split("Verplichtingen en termijnen")[1].split("DPIA, IAMA en FRIA")[0]


def test_forms_write_requirement_assessment_and_review_decisions(demo_client):
    client, data_dir, sid = demo_client
    page = client.get(f"/systemen/{sid}")
    token = _csrf(page.text)
    posts = [
        {"action": "requirement", "item": "aia-01", "status": "gedaan", "owner": "HR", "evidence": "https://intranet/training",
         "date": "2026-11-01", "reason": ""},
        {"action": "requirement", "item": "woo-01", "status": "niet van toepassing", "reason": "geen openbare stukken"},
        {"action": "assessment", "assessment": "DPIA", "status": "afgerond", "date": "2026-10-01", "link": "https://intranet/dpia"},
        {"action": "review", "reviewed_on": "2026-11-20", "reason": "ongewijzigd in gebruik"},
    ]
    for data in posts:
        r = client.post(f"/systemen/{sid}/verplichting", data={**data, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
    events = read_decisions(log_path(data_dir))
    assert [e["action"] for e in events] == ["requirement", "requirement", "assessment", "review"]
    assert all(e["reviewer"] == "piet" and e["system_id"] == sid for e in events)
    assert events[0]["fields"] == {"item": "aia-01", "status": "gedaan", "owner": "HR", "evidence": "https://intranet/training",
                                   "date": "2026-11-01"}
    assert events[1]["reason"] == "geen openbare stukken"


def test_not_applicable_without_reason_is_refused_in_dutch(demo_client):
    client, data_dir, sid = demo_client
    token = _csrf(client.get(f"/systemen/{sid}").text)
    r = client.post(f"/systemen/{sid}/verplichting", data={"action": "requirement", "item": "aia-01",
                                                           "status": "niet van toepassing", "csrf_token": token})
    assert "Niet opgeslagen: geef een toelichting als een vereiste of maatregel niet van toepassing is." in r.text
    assert read_decisions(log_path(data_dir)) == []


def test_obligation_post_needs_csrf(demo_client):
    client, data_dir, sid = demo_client
    r = client.post(f"/systemen/{sid}/verplichting", data={"action": "review", "csrf_token": "nope"})
    assert r.status_code == 403 and read_decisions(log_path(data_dir)) == []


def test_overview_page_lists_deadlines_flags_and_progress(demo_client):
    client, _, _ = demo_client
    page = client.get("/verplichtingen")
    assert page.status_code == 200
    for words in ("Herbeoordelingen die te laat zijn", "Termijnen verstreken of binnen 90 dagen",
                  "DPIA, IAMA en FRIA: aandachtspunten", "Voortgang vereisten en maatregelen", "Hele organisatie"):
        assert words in page.text, words
    assert 'href="/verplichtingen"' in client.get("/").text
