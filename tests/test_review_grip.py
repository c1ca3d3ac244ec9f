"""The review app's start page: the path at a glance, and the queue ranked by impact with its reason."""

from __future__ import annotations

import duckdb
import pytest
from starlette.testclient import TestClient

from review.app import create_app
from review.queue import list_queue
from tests.test_review_app import _login, _settings
from tests.test_review_data import published_snapshot
from warehouse import snapshot_connect

KPIS = {"systems_confirmed": 1, "systems_candidate": 4, "review_backlog": 3, "dpia_required": 1, "dpia_done": 0,
        "published": 1, "impactful_confirmed": 1, "impactful_published": 1}


@pytest.fixture()
def data_dir(tmp_path):
    path = published_snapshot(tmp_path)
    con = duckdb.connect(str(path))
    try:
        for period in ("2026-10", "2026-11"):
            con.executemany("INSERT INTO kpis VALUES (?, ?, ?)", [[period, k, float(v)] for k, v in KPIS.items()])
        con.executemany("INSERT INTO system_impact (system_id, impact_score, impact_rank, impact_reason) VALUES (?, ?, ?, ?)",
                        [["AIG-000003", 80.0, 1, "hoog risico volgens de AI-verordening (+35); 4 bronnen (+9)"],
                         ["AIG-000001", 40.0, 2, "raakt inwoners (beschrijving noemt 'chatbot') (+20)"],
                         ["AIG-000002", 5.0, 3, "minimaal risico (+5)"]])
    finally:
        con.close()
    return tmp_path


def test_queue_is_ranked_by_impact(data_dir):
    with snapshot_connect(data_dir) as con:
        rows = list_queue(con)
    assert [r["system_id"] for r in rows] == ["AIG-000003", "AIG-000001", "AIG-000002"]
    assert rows[0]["impact_rank"] == 1 and "hoog risico" in rows[0]["impact_reason"]


def test_start_page_shows_the_path_at_a_glance_and_the_reason_for_each_rank(data_dir):
    from review.passwords import hash_password
    from tests.test_review_app import PASSWORD

    client = TestClient(create_app(_settings(data_dir, hash_password(PASSWORD))), base_url="http://127.0.0.1")
    assert _login(client).status_code == 303
    html = client.get("/").text
    assert "De weg naar grip" in html and "Stand volgens het rapport over november 2026" in html
    for title, status in (("Centrale inventaris", "op weg"), ("DPIA&#39;s", "niet gestart"),
                          ("Algoritmeregister", "op orde"), ("Training (AI-geletterdheid)", "niet gestart"),
                          ("Periodieke monitoring", "op weg"), ("Transparantie naar inwoners", "op orde")):
        block = html.split(f"<strong>{title}</strong>", 1)[1].split("</li>", 1)[0]
        assert f'<span class="grip-status">{status}</span>' in block, title
    assert "0 van 1 verplichte DPIA&#39;s afgerond (0%)" in html
    assert html.index("AIG-000003") < html.index("AIG-000001") < html.index("AIG-000002")
    assert "raakt inwoners (beschrijving noemt &#39;chatbot&#39;) (+20)" in html  # escaped, shown


def test_start_page_without_figures_has_no_checklist(tmp_path):
    published_snapshot(tmp_path)
    from review.passwords import hash_password
    from tests.test_review_app import PASSWORD

    client = TestClient(create_app(_settings(tmp_path, hash_password(PASSWORD))), base_url="http://127.0.0.1")
    assert _login(client).status_code == 303
    page = client.get("/")
    assert page.status_code == 200 and "De weg naar grip" not in page.text
