"""Review app hardening: X-Forwarded-For only from trusted proxies, logout revokes the session,
bulk forms idempotent, conflicting decisions shown to resolve instead of applied last-wins."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from review.app import create_app
from review.guard import client_address, parse_proxies
from review.passwords import hash_password
from tests.test_review_app import PASSWORD, _csrf, _events, _login, _settings
from tests.test_review_data import published_snapshot


@pytest.fixture(scope="module")
def pw_hash():
    return hash_password(PASSWORD)


@pytest.fixture()
def data_dir(tmp_path):
    published_snapshot(tmp_path)
    return tmp_path


def _two_reviewers(data_dir, pw_hash, **kw):
    settings = _settings(data_dir, pw_hash, **kw)
    settings.reviewers.append({"username": "karim", "name": "Karim de CISO", "password_hash": pw_hash})
    return create_app(settings)


def test_client_address_believes_only_trusted_proxies():
    proxies = parse_proxies(["10.0.0.5", "192.168.1.0/24"])
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy: header ignored
    assert client_address("10.0.0.5", "1.2.3.4", []) == "10.0.0.5"  # no proxies configured
    assert client_address("10.0.0.5", "6.6.6.6, 1.2.3.4", proxies) == "1.2.3.4"  # right-most = what the proxy saw
    assert client_address("10.0.0.5", "1.2.3.4, 192.168.1.7", proxies) == "1.2.3.4"  # chained trusted proxies
    assert client_address("10.0.0.5", "not-an-ip", proxies) == "not-an-ip"


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1", "testclient"]])
def test_rotating_x_forwarded_for_does_not_escape_the_lockout(data_dir, pw_hash, trusted):
    app = create_app(_settings(data_dir, pw_hash, trusted_proxies=[t for t in trusted if t[0].isdigit()]))
    client = TestClient(app, base_url="http://127.0.0.1")
    for n in range(5):
        page = client.get("/login")
        r = client.post("/login", data={"username": "piet", "password": "fout", "csrf_token": _csrf(page.text)},
                        headers={"X-Forwarded-For": f"198.51.100.{n}"})
        assert r.status_code == 401
    page = client.get("/login")
    r = client.post("/login", data={"username": "piet", "password": PASSWORD, "csrf_token": _csrf(page.text)},
                    headers={"X-Forwarded-For": "198.51.100.99"}, follow_redirects=False)
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text


def test_behind_a_trusted_proxy_each_client_is_locked_separately(data_dir, pw_hash):
    app = create_app(_settings(data_dir, pw_hash, trusted_proxies=["127.0.0.0/8"]))
    # Starlette's TestClient connects as 'testclient'; pretend the peer is the trusted proxy
    client = TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"username": "piet", "password": "fout", "csrf_token": _csrf(page.text)},
                    headers={"X-Forwarded-For": "198.51.100.1"})
    page = client.get("/login")
    other = client.post("/login", data={"username": "piet", "password": PASSWORD, "csrf_token": _csrf(page.text)},
                        headers={"X-Forwarded-For": "198.51.100.2"}, follow_redirects=False)
    assert other.status_code == 303  # a colleague at another address is not locked out by the attacker
    page = client.get("/login")


def test_logout_revokes_the_session_server_side(data_dir, pw_hash):
    client = TestClient(create_app(_settings(data_dir, pw_hash)), base_url="http://127.0.0.1")
    assert _login(client).status_code == 303
    stolen = client.cookies.get("aigrip_review")
    page = client.get("/")
    assert page.status_code == 200
    client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    thief = TestClient(client.app, base_url="http://127.0.0.1", cookies={"aigrip_review": stolen})
    r = thief.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_bulk_form_sent_twice_is_logged_once(data_dir, pw_hash):
    client = TestClient(create_app(_settings(data_dir, pw_hash)), base_url="http://127.0.0.1")
    _login(client)
    page = client.get("/")
    form_id = re.search(r'name="form_id" value="([0-9a-f]+)"', page.text).group(1)
    data = {"csrf_token": _csrf(page.text), "form_id": form_id, "action": "confirm", "back": "/",
            "system_ids": ["AIG-000001", "AIG-000002"], "seen.AIG-000001": "", "seen.AIG-000002": ""}
    for _ in range(2):
        assert client.post("/bulk", data=data, follow_redirects=False).status_code == 303
    events = _events(data_dir)
    assert sorted(e["system_id"] for e in events) == ["AIG-000001", "AIG-000002"]
    assert all(e["seen"] == "" for e in events)


def _decide(client, system_id, action, **extra):
    page = client.get(f"/systemen/{system_id}")
    form = re.search(r'name="event_id" value="([0-9a-f]+c)"><input type="hidden" name="seen" value="([^"]*)"', page.text)
    data = {"csrf_token": _csrf(page.text), "action": action, "event_id": form.group(1), "seen": form.group(2), **extra}
    return page, data


def test_conflicting_decision_is_shown_not_applied_last_wins(data_dir, pw_hash):
    app = _two_reviewers(data_dir, pw_hash)
    piet = TestClient(app, base_url="http://127.0.0.1")
    karim = TestClient(app, base_url="http://127.0.0.1")
    _login(piet)
    _login(karim, username="karim")
    _, piet_form = _decide(piet, "AIG-000001", "confirm")  # Piet opens the page ...
    _, karim_form = _decide(karim, "AIG-000001", "reject", ground="not_ai", reason="geen AI")
    karim_form["event_id"] = karim_form["event_id"][:-1] + "r"
    assert karim.post("/systemen/AIG-000001/besluit", data=karim_form, follow_redirects=False).status_code == 303
    r = piet.post("/systemen/AIG-000001/besluit", data=piet_form, follow_redirects=False)  # ... and confirms later
    assert r.status_code == 409
    assert "Conflict bij AIG-000001" in r.text and "<strong>Karim de CISO</strong>" in r.text
    assert "niet</strong> opgeslagen" in r.text and "Afwijzen" in r.text
    assert [e["action"] for e in _events(data_dir)] == ["reject"]
    # resolving: Piet saves anyway, now knowing Karim's decision; the event records that he saw it
    resend = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', r.text))
    assert piet.post("/systemen/AIG-000001/besluit", data=resend, follow_redirects=False).status_code == 303
    events = _events(data_dir)
    assert [e["action"] for e in events] == ["reject", "confirm"]
    assert events[1]["seen"] == events[0]["event_id"]


def test_resending_the_same_form_is_no_conflict(data_dir, pw_hash):
    client = TestClient(create_app(_settings(data_dir, pw_hash)), base_url="http://127.0.0.1")
    _login(client)
    _, form = _decide(client, "AIG-000003", "confirm")
    for _ in range(2):
        assert client.post("/systemen/AIG-000003/besluit", data=form, follow_redirects=False).status_code == 303
    assert len(_events(data_dir)) == 1


def test_aigrip_serve_does_not_let_uvicorn_believe_x_forwarded_for(demo_run, tmp_path):
    """The real server process: uvicorn by default rewrites the client address from X-Forwarded-For when
    the peer is 127.0.0.1; 'aigrip serve' must not, or rotating the header escapes the login lock."""
    import requests

    from tests.browser.helpers import ReviewServer

    with ReviewServer(demo_run, tmp_path / "serve.log") as server:
        http = requests.Session()
        for n in range(5):
            page = http.get(f"{server.url}/login", timeout=10)
            r = http.post(f"{server.url}/login", timeout=10, allow_redirects=False,
                          data={"username": "privacy", "password": "fout", "csrf_token": _csrf(page.text)},
                          headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert r.status_code == 401
        page = http.get(f"{server.url}/login", timeout=10)
        r = http.post(f"{server.url}/login", timeout=10, allow_redirects=False,
                      data={"username": "privacy", "password": "voorbeeldstad-demo", "csrf_token": _csrf(page.text)},
                      headers={"X-Forwarded-For": "198.51.100.99"})
        assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text
