"""The review web app through Starlette's TestClient: access, CSRF, every action, pending, filters."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from review.app import ReviewSettings, create_app
from review.passwords import hash_password, verify_password
from tests.test_review_data import published_snapshot
from warehouse.decision_log import log_path, read_decisions

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def pw_hash():
    return hash_password(PASSWORD)


def _settings(data_dir, pw_hash, **kw):
    return ReviewSettings(
        data_dir=data_dir, organisation="Gemeente Testdorp",
        reviewers=[{"username": "piet", "name": "Piet Privacy", "password_hash": pw_hash}],
        secret_key="test-secret-key-0123456789", **kw,
    )


@pytest.fixture()
def data_dir(tmp_path):
    published_snapshot(tmp_path)
    return tmp_path


@pytest.fixture()
def client(data_dir, pw_hash):
    return TestClient(create_app(_settings(data_dir, pw_hash)), base_url="http://127.0.0.1")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without csrf token"
    return match.group(1)


def _login(client, password=PASSWORD, username="piet"):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": _csrf(page.text), "next": "/"}, follow_redirects=False)


@pytest.fixture()
def signed_in(client):
    assert _login(client).status_code == 303
    return client


def _events(data_dir):
    return read_decisions(log_path(data_dir))


def test_passwords_roundtrip():
    h = hash_password("geheim")
    assert h.startswith("scrypt$") and h != hash_password("geheim")
    assert verify_password("geheim", h) and not verify_password("Geheim", h)
    assert not verify_password("geheim", "scrypt$bad") and not verify_password("geheim", "")


@pytest.mark.parametrize("path", ["/", "/systemen/AIG-000001", "/?status=all"])
def test_every_page_needs_login(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_posts_need_login(client, data_dir):
    response = client.post("/systemen/AIG-000001/besluit", data={"action": "confirm"}, follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]
    assert _events(data_dir) == []


def test_bad_password_and_unknown_user(client):
    response = _login(client, password="fout")
    assert response.status_code == 401 and "onjuist" in response.text
    assert _login(client, username="onbekend").status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_is_throttled_after_repeated_failures(data_dir, pw_hash):
    client = TestClient(create_app(_settings(data_dir, pw_hash, max_failures=3)))
    for _ in range(3):
        assert _login(client, password="fout").status_code == 401
    assert _login(client).status_code == 429


def test_login_form_needs_csrf(client):
    client.get("/login")
    response = client.post("/login", data={"username": "piet", "password": PASSWORD})
    assert response.status_code == 403


def test_login_redirects_only_to_local_paths(client):
    page = client.get("/login")
    response = client.post("/login", data={"username": "piet", "password": PASSWORD, "csrf_token": _csrf(page.text),
                                           "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_queue_page_with_counts_order_and_escaping(signed_in):
    page = signed_in.get("/")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert page.text.index("AIG-000001") < page.text.index("AIG-000003") < page.text.index("AIG-000002")
    assert "Te beoordelen (wachtrij) (3)" in page.text and "Hoog risico" in page.text
    assert "Chatbot &lt;b&gt;KCC&lt;/b&gt;" in page.text and "<b>KCC</b>" not in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors" in page.headers["content-security-policy"]


def test_queue_filters(signed_in):
    page = signed_in.get("/", params={"department": "Parkeren"})
    assert "AIG-000003" in page.text and "AIG-000001" not in page.text
    page = signed_in.get("/", params={"klasse": "transparency"})
    assert "AIG-000002" in page.text and "AIG-000003" not in page.text
    page = signed_in.get("/", params={"source": "portfolio"})
    assert "AIG-000001" in page.text and "AIG-000002" not in page.text
    page = signed_in.get("/", params={"status": "confirmed"})
    assert "AIG-000004" in page.text and "AIG-000001" not in page.text


def test_detail_page_explains_and_escapes(signed_in):
    page = signed_in.get("/systemen/AIG-000002")
    assert page.status_code == 200
    assert "Chatbot &lt;script&gt;alert(1)&lt;/script&gt; voor KCC" in page.text and "<script>" not in page.text
    assert "term &#39;chatbot&#39; in de omschrijving" in page.text  # why flagged
    assert "(sterk trefwoord, gewicht 0,90)" in page.text and "keyword_strong" not in page.text  # Dutch, no codes
    assert "chatbot: art. 50" in page.text  # classification reason
    detail = signed_in.get("/systemen/AIG-000001").text
    assert "leverancier gelijk; naam lijkt" in detail and "kans 93%" in detail  # why joined
    assert "afdeling verschilt" in detail  # conflicts


def test_detail_page_lists_resembling_systems_with_a_one_click_merge(signed_in, data_dir):
    page = signed_in.get("/systemen/AIG-000003").text
    assert "Lijkt op (niet samengevoegd)" in page
    assert "kans 64%" in page and "score 0,64 onder de drempel 0,70" in page
    assert "Scanauto huur" in page and "Octobox Fraude" in page  # which records resemble each other
    assert '<a href="/systemen/AIG-000001">' in page
    token = _csrf(page)
    form = {"csrf_token": token, "action": "merge", "into": "AIG-000001",
            "reason": "lijkt op AIG-000001: naam lijkt (0.86); zelfde afdeling"}
    assert 'name="into" value="AIG-000001"' in page
    response = signed_in.post("/systemen/AIG-000003/besluit", data=form, follow_redirects=False)
    assert response.status_code == 303
    [event] = _events(data_dir)
    assert event["action"] == "merge" and event["system_id"] == "AIG-000003" and event["into"] == "AIG-000001"
    assert "Lijkt op" not in signed_in.get("/systemen/AIG-000004").text  # no near misses there


def test_detail_follows_successor_and_404(signed_in):
    response = signed_in.get("/systemen/AIG-000009", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/systemen/AIG-000001"
    assert signed_in.get("/systemen/AIG-999999").status_code == 404


def test_csrf_rejected_on_decisions(signed_in, data_dir):
    response = signed_in.post("/systemen/AIG-000001/besluit", data={"action": "confirm", "csrf_token": "vals"})
    assert response.status_code == 403
    response = signed_in.post("/systemen/AIG-000001/besluit", data={"action": "confirm"})
    assert response.status_code == 403
    assert _events(data_dir) == []


def _decide(client, system_id, **form):
    token = _csrf(client.get(f"/systemen/{system_id}").text)
    return client.post(f"/systemen/{system_id}/besluit", data={"csrf_token": token, **form}, follow_redirects=False)


@pytest.mark.parametrize(
    "system_id, form, expected",
    [
        ("AIG-000001", {"action": "confirm", "kind": "ai_system"},
         {"action": "confirm", "fields": {"kind": "ai_system"}}),
        ("AIG-000002", {"action": "reject", "ground": "not_ai", "reason": "FAQ-pagina"},
         {"action": "reject", "fields": {"ground": "not_ai"}, "reason": "FAQ-pagina"}),
        ("AIG-000003", {"action": "merge", "into": "aig-000001"}, {"action": "merge", "into": "AIG-000001"}),
        ("AIG-000003", {"action": "split", "source_keys": ["crediteuren:F-200"]},
         {"action": "split", "source_keys": ["crediteuren:F-200"]}),
        ("AIG-000001", {"action": "edit", "owner": "Sociaal Domein", "next_review": "2026-10-01",
                        "publication_category": "Hoog-risico AI-systeem", "goal": ""},
         {"action": "edit", "fields": {"owner": "Sociaal Domein", "next_review": "2026-10-01",
                                       "publication_category": "Hoog-risico AI-systeem"}}),
        ("AIG-000002", {"action": "defer", "defer_until": "2026-09-01", "reason": "wacht op leverancier"},
         {"action": "defer", "fields": {"defer_until": "2026-09-01"}}),
    ],
)
def test_each_action_writes_the_right_event(signed_in, data_dir, system_id, form, expected):
    response = _decide(signed_in, system_id, **form)
    assert response.status_code == 303 and response.headers["location"] == f"/systemen/{system_id}"
    [event] = _events(data_dir)
    assert event["reviewer"] == "piet" and event["system_id"] == system_id and event["at"]
    for key, value in expected.items():
        assert event[key] == value
    page = signed_in.get(f"/systemen/{system_id}").text
    assert "opgeslagen" in page and "Openstaande besluiten" in page


def test_invalid_decision_is_reported_not_saved(signed_in, data_dir):
    _decide(signed_in, "AIG-000002", action="reject", reason="")
    page = signed_in.get("/systemen/AIG-000002").text
    assert "Niet opgeslagen" in page and "reason" in page
    _decide(signed_in, "AIG-000002", action="merge", into="AIG-777777")
    assert "AIG-777777" in signed_in.get("/systemen/AIG-000002").text
    assert _events(data_dir) == []


def test_double_submit_is_recorded_once(signed_in, data_dir):
    token = _csrf(signed_in.get("/systemen/AIG-000001").text)
    form = {"csrf_token": token, "action": "confirm", "event_id": "nonce42"}
    signed_in.post("/systemen/AIG-000001/besluit", data=form)
    signed_in.post("/systemen/AIG-000001/besluit", data=form)
    assert len(_events(data_dir)) == 1


def test_pending_shows_in_the_queue(signed_in):
    _decide(signed_in, "AIG-000003", action="confirm", kind="algorithm")
    page = signed_in.get("/").text
    row = page[page.index('value="AIG-000003"'):]
    row = row[: row.index("</tr>")]
    assert "Bevestigen door piet (wacht op verwerking)" in row


def test_bulk_confirm_and_reject(signed_in, data_dir):
    token = _csrf(signed_in.get("/").text)
    response = signed_in.post("/bulk", data={"csrf_token": token, "action": "reject", "reason": "geen AI",
                                             "ground": "not_ai", "system_ids": ["AIG-000002", "AIG-000003"],
                                             "back": "/?status=queue"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/?status=queue"
    signed_in.post("/bulk", data={"csrf_token": token, "action": "confirm", "system_ids": ["AIG-000001"]})
    events = _events(data_dir)
    assert [(e["system_id"], e["action"]) for e in events] == [
        ("AIG-000002", "reject"), ("AIG-000003", "reject"), ("AIG-000001", "confirm")]
    assert all(e["reviewer"] == "piet" for e in events) and events[0]["fields"] == {"ground": "not_ai"}
    # bulk reject without a reason saves nothing and says why
    signed_in.post("/bulk", data={"csrf_token": token, "action": "reject", "system_ids": ["AIG-000004"]})
    assert len(_events(data_dir)) == 3
    assert signed_in.post("/bulk", data={"action": "confirm", "system_ids": ["AIG-000004"]}).status_code == 403


def test_session_expires(data_dir, pw_hash, monkeypatch):
    import review.auth as auth

    client = TestClient(create_app(_settings(data_dir, pw_hash, session_minutes=1)))
    _login(client)
    assert client.get("/", follow_redirects=False).status_code == 200
    real = auth.time.time
    monkeypatch.setattr(auth.time, "time", lambda: real() + 120)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout(signed_in):
    token = _csrf(signed_in.get("/").text)
    assert signed_in.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert signed_in.get("/", follow_redirects=False).status_code == 303


def test_no_snapshot_is_a_readable_page(tmp_path, pw_hash):
    client = TestClient(create_app(_settings(tmp_path, pw_hash)))
    _login(client)
    page = client.get("/")
    assert page.status_code == 503 and "aigrip run" in page.text
