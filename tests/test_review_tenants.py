"""One review app for all tenants (review/platform.py): each municipality under /<code>/, isolated.

Three small tenants from a tenants.yaml, each with its own reviewers and a published snapshot
(tests/test_review_data.py) whose system names carry the tenant's name, so a page showing another
tenant's system is caught. Driven through Starlette's TestClient as the browser would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from typer.testing import CliRunner

from pipelines.review_platform import review_sites
from pipelines.tenants import load_platform
from review.auth import ReviewSettings
from review.passwords import hash_password
from review.paths import safe_next
from review.platform import TenantSite, create_platform_app, tenant_settings
from tests.test_review_data import published_snapshot
from transforms.errors import ConfigError
from warehouse import connect
from warehouse.decision_log import log_path, read_decisions

TENANTS = {"gm0361": "Alkmaar", "gm0373": "Bergen", "gm0398": "Heerhugowaard"}
PASSWORDS = {"gm0361": "wachtwoord-alkmaar-1", "gm0373": "wachtwoord-bergen-22", "gm0398": "wachtwoord-heerhugo-3"}


@pytest.fixture(scope="module")
def hashes():
    return {code: hash_password(pw) for code, pw in PASSWORDS.items()}


def tenant_folder(root: Path, code: str, pw_hash: str | None, extra: str = "") -> Path:
    """A municipality's folder: aigrip.yaml (reviewers 'anna-<code>' and 'piet') and a published snapshot."""
    folder = root / "gemeenten" / code
    folder.mkdir(parents=True)
    (folder / "ledger.csv").write_text("Crediteur;Omschrijving;Bedrag\nA;Chatbot;1,00\n", encoding="utf-8")
    reviewers = "" if pw_hash is None else (
        "reviewers:\n"
        f"  - {{username: anna-{code}, name: Anna {TENANTS[code]}, password_hash: '{pw_hash}'}}\n"
        f"  - {{username: piet, name: Piet {TENANTS[code]}, password_hash: '{pw_hash}'}}\n")
    (folder / "aigrip.yaml").write_text(
        f"organisation: {{name: Gemeente {TENANTS[code]}, code: {code.upper()}, contact_email: info@{code}.nl}}\n"
        f"data_dir: var\nsources:\n  - {{id: crediteuren, type: spend_ledger, path: ledger.csv}}\n{reviewers}{extra}",
        encoding="utf-8")
    snapshot = published_snapshot(folder / "var")
    with connect(snapshot) as con:
        con.execute("UPDATE systems SET name = ? || ' ' || name", [TENANTS[code]])
    return folder


@pytest.fixture()
def platform_file(tmp_path, hashes, monkeypatch):
    monkeypatch.setenv("AIGRIP_SECRET_KEY", "one-key-shared-by-all-tenants-0123456789")
    for code in TENANTS:  # only Alkmaar sits behind a proxy it trusts
        tenant_folder(tmp_path, code, hashes[code], "review: {trusted_proxies: [127.0.0.0/8]}\n" if code == "gm0361" else "")
    path = tmp_path / "tenants.yaml"
    path.write_text("platform: {name: Regionale ICT-dienst Noord, data_dir: platform}\n"
                    "tenants:\n  - config: gemeenten/*/aigrip.yaml\n", encoding="utf-8")
    return path


@pytest.fixture()
def client(platform_file):
    platform = load_platform(platform_file, check_files=False)
    sites, skipped = review_sites(platform)
    assert skipped == [] and [s.id for s in sites] == list(TENANTS)
    return TestClient(create_platform_app(sites, platform.name), base_url="http://127.0.0.1")


def _data_dir(platform_file: Path, code: str) -> Path:
    return platform_file.parent / "gemeenten" / code / "var"


def _raw_get(app, raw: str) -> tuple[int, dict[str, str], str]:
    """GET ``raw`` as the ASGI path, as a hostile client may send it (no client-side normalising)."""
    import anyio

    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": raw, "raw_path": raw.encode("utf-8", "surrogateescape"), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    anyio.run(app, scope, receive, send)
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in messages[0]["headers"]}
    body = b"".join(m.get("body", b"") for m in messages[1:]).decode("utf-8", "replace")
    return messages[0]["status"], headers, body


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without csrf token"
    return match.group(1)


def _login(client, code, username=None, password=None, nxt=None):
    page = client.get(f"/{code}/login")
    assert page.status_code == 200, page.text
    return client.post(f"/{code}/login", data={
        "username": username or f"anna-{code}", "password": password or PASSWORDS[code],
        "csrf_token": _csrf(page.text), "next": nxt or f"/{code}/"}, follow_redirects=False)


def test_landing_page_lists_the_municipalities_and_nothing_else(client):
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    for code, name in TENANTS.items():
        assert f'<a href="/{code}/login">Gemeente {name}</a>' in page.text
    assert "aigrip · Regionale ICT-dienst Noord</a>" in page.text and "AI-inventaris Regionale" not in page.text
    assert "AIG-0000" not in page.text and "Uitloggen" not in page.text and "csrf_token" not in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors" in page.headers["content-security-policy"]
    assert client.get("/static/style.css").status_code == 200


def test_every_link_redirect_and_form_stays_under_the_prefix(client):
    response = client.get("/gm0373/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/gm0373/login?next=%2Fgm0373%2F"
    login = client.get(response.headers["location"])
    assert 'action="/gm0373/login"' in login.text and 'href="/gm0373/static/style.css"' in login.text
    assert '<a href="/">Andere gemeente kiezen</a>' in login.text
    assert client.get("/gm0373/static/style.css").status_code == 200
    assert client.get("/gm0373", follow_redirects=False).headers["location"] == "/gm0373/"
    signed_in = _login(client, "gm0373", nxt="/gm0373/systemen/AIG-000001")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/gm0373/systemen/AIG-000001"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("aigrip_review_gm0373=") and "path=/gm0373/" in cookie and "samesite=strict" in cookie
    page = client.get("/gm0373/systemen/AIG-000001")
    assert page.status_code == 200 and "Bergen" in page.text
    hrefs = re.findall(r'(?:href|action|src)="(/[^"]*)"', page.text)
    assert hrefs and all(h.startswith("/gm0373/") for h in hrefs), [h for h in hrefs if not h.startswith("/gm0373/")]
    queue = client.get("/gm0373/")
    assert all(h.startswith("/gm0373/") for h in re.findall(r'(?:href|action|src)="(/[^"]*)"', queue.text))
    # after sign-in only pages of this municipality: another's path (or another site) is not a target
    assert _login(client, "gm0373", nxt="/gm0361/").headers["location"] == "/gm0373/"
    assert _login(client, "gm0373", nxt="//evil.example/").headers["location"] == "/gm0373/"
    token = _csrf(client.get("/gm0373/").text)
    logout = client.post("/gm0373/logout", data={"csrf_token": token}, follow_redirects=False)
    assert logout.headers["location"] == "/gm0373/login"
    assert client.get("/gm0373/", follow_redirects=False).status_code == 303


def test_credentials_of_one_municipality_fail_at_another(client):
    assert _login(client, "gm0361").status_code == 303
    # anna-gm0361 does not exist at gm0373, and piet at gm0373 has gm0373's password, not gm0361's
    assert _login(client, "gm0373", username="anna-gm0361", password=PASSWORDS["gm0361"]).status_code == 401
    assert _login(client, "gm0373", username="piet", password=PASSWORDS["gm0361"]).status_code == 401
    assert _login(client, "gm0373", username="piet", password=PASSWORDS["gm0373"]).status_code == 303


def test_a_session_of_one_municipality_opens_nothing_at_another(client, platform_file):
    assert _login(client, "gm0361").status_code == 303
    cookie = client.cookies.get("aigrip_review_gm0361")
    queue = client.get("/gm0361/")
    assert queue.status_code == 200
    token = _csrf(queue.text)
    other = TestClient(client.app, base_url="http://127.0.0.1")
    # A's cookie sent to B, under A's name and under B's name (a forged copy): B's sign-in every time
    for name in ("aigrip_review_gm0361", "aigrip_review_gm0373"):
        other.cookies.clear()
        other.cookies.set(name, cookie, domain="127.0.0.1", path="/")
        for path in ("/gm0373/", "/gm0373/systemen/AIG-000001", "/gm0373/verplichtingen",
                     "/gm0373/register/afwijkingen", "/gm0373/systemen/AIG-000001/register"):
            response = other.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/gm0373/login"), path
        for path, data in (("/gm0373/systemen/AIG-000001/besluit", {"action": "confirm"}),
                           ("/gm0373/bulk", {"action": "reject", "system_ids": "AIG-000001"}),
                           ("/gm0373/systemen/AIG-000001/verplichting", {"action": "dpia"}),
                           ("/gm0373/systemen/AIG-000001/register", {}),
                           ("/gm0373/logout", {})):
            response = other.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/gm0373/login"), path
    assert not log_path(_data_dir(platform_file, "gm0373")).exists()
    # and the browser would not even send it there: the cookie's path is A's prefix
    assert client.get("/gm0373/", follow_redirects=False).status_code == 303


def test_decisions_land_only_in_the_own_decision_log(client, platform_file):
    assert _login(client, "gm0361").status_code == 303
    page = client.get("/gm0361/systemen/AIG-000002")
    response = client.post("/gm0361/systemen/AIG-000002/besluit", data={
        "action": "confirm", "csrf_token": _csrf(page.text), "reason": "bekend bij Alkmaar"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/gm0361/systemen/AIG-000002"
    assert "opgeslagen" in client.get(response.headers["location"]).text
    events = read_decisions(log_path(_data_dir(platform_file, "gm0361")))
    assert [(e["system_id"], e["action"], e["reviewer"]) for e in events] == [("AIG-000002", "confirm", "anna-gm0361")]
    for code in ("gm0373", "gm0398"):
        assert not log_path(_data_dir(platform_file, code)).exists()


def test_pages_list_only_the_own_systems(client):
    for code, name in TENANTS.items():
        assert _login(client, code).status_code == 303
        for path in (f"/{code}/?status=all", f"/{code}/systemen/AIG-000001", f"/{code}/verplichtingen"):
            text = client.get(path).text
            others = [n for c, n in TENANTS.items() if c != code]
            assert name in text and not any(n in text for n in others), (path, [n for n in others if n in text])


@pytest.mark.parametrize("path", ["/GM0361/", "/Gm0361/login", "/gm9999/", "/gm9999/login", "/%2e%2e/gm0361/",
                                  "/gm0361/%2e%2e/gm0373/", "/gm0361/..%2fgm0373/",
                                  "/gm0361x/login", "/%00/", "/gm0361%2f/login"])
def test_crafted_tenant_paths_give_a_dutch_404(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404, (path, response.status_code, response.headers.get("location"))
    assert '<html lang="nl">' in response.text and "Niet gevonden" in response.text
    assert "aigrip · Regionale ICT-dienst Noord" in response.text or "AI-inventaris Gemeente" in response.text
    assert "Traceback" not in response.text and "Not Found" not in response.text


@pytest.mark.parametrize("raw", ["/../gm0361/", "/gm0361/../gm0373/", "/static/../gm0361/login", "/./gm0361/",
                                 "//gm0361/", "/gm0361/..", "/\u0067m0361/login\x00"])
def test_dot_segments_sent_raw_give_a_dutch_404(client, raw):
    """Paths as a hostile client sends them, without the normalising an HTTP library does."""
    status, headers, body = _raw_get(client.app, raw)
    assert status in (303, 404), (raw, status)
    if status == 303:  # a dot segment inside one municipality stays inside it (its own sign-in)
        assert headers["location"].startswith("/gm0361/login"), (raw, headers["location"])
    else:
        assert "Niet gevonden" in body and '<html lang="nl">' in body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).map(lambda t: "/" + t),
    st.lists(st.sampled_from(["gm0361", "GM0361", "gm0373", "..", ".", "", "static", "login", "systemen",
                              "AIG-000001", "besluit", "%2e", "\\"]), max_size=5).map(lambda p: "/" + "/".join(p))))
def test_no_path_gives_a_traceback_or_another_municipality(client, path):
    """Any path: a Dutch page or a redirect; a redirect never leaves the municipality the path starts with."""
    status, headers, body = _raw_get(client.app, path)
    assert status in (200, 303, 307, 308, 404, 405), (path, status)
    if status == 200:
        assert (path.rstrip("\n") in ["/", *(f"/{c}/login" for c in TENANTS)]  # regex '$' takes a final newline
                or re.match(r"^/(gm\d{4}/)?static/", path)), path
    elif status in (303, 307, 308):
        location = headers["location"].removeprefix("http://127.0.0.1")  # Starlette's slash redirect is absolute
        owner = next((c for c in TENANTS if path.startswith(f"/{c}")), None)
        assert location.startswith(f"/{owner}/") if owner else location == path + "/", (path, location)
    else:
        assert '<html lang="nl">' in body and "Traceback" not in body


@given(target=st.text(max_size=30), root=st.sampled_from(["", "/gm0361"]))
def test_sign_in_targets_stay_inside_the_app(target, root):
    result = safe_next(target, root)
    assert result.startswith(root + "/") or result == root or result.startswith(root + "?")
    assert not result.startswith("//") and "\\" not in result
    assert result == target or result == root + "/"


def test_a_post_to_the_landing_page_is_refused_in_dutch(client):
    response = client.post("/", data={"x": "1"})
    assert response.status_code == 405 and "Niet toegestaan" in response.text


def test_login_throttle_is_per_municipality(platform_file, hashes):
    platform = load_platform(platform_file, check_files=False)
    sites, _ = review_sites(platform)
    sites = [TenantSite(s.id, s.name, ReviewSettings(**{**s.settings.__dict__, "max_failures": 2})) for s in sites]
    client = TestClient(create_platform_app(sites, platform.name), base_url="http://127.0.0.1")
    for _ in range(2):
        assert _login(client, "gm0361", username="piet", password="fout-fout-fout").status_code == 401
    assert _login(client, "gm0361", username="piet").status_code == 429
    assert _login(client, "gm0373", username="piet").status_code == 303


def test_tenant_keys_and_cookies_differ_even_with_one_shared_secret(platform_file):
    sites, _ = review_sites(load_platform(platform_file, check_files=False))
    derived = [tenant_settings(s.id, s.settings) for s in sites]
    assert len({d.secret_key for d in derived}) == 3 and all(d.secret_key != sites[0].settings.secret_key for d in derived)
    assert [(d.cookie_name, d.cookie_path) for d in derived] == [(f"aigrip_review_{c}", f"/{c}/") for c in TENANTS]


def test_tenants_without_reviewers_are_left_out_with_a_warning(tmp_path, hashes, monkeypatch):
    monkeypatch.setenv("AIGRIP_SECRET_KEY", "one-key-shared-by-all-tenants-0123456789")
    tenant_folder(tmp_path, "gm0361", hashes["gm0361"])
    tenant_folder(tmp_path, "gm0373", None)
    path = tmp_path / "tenants.yaml"
    path.write_text("platform: {name: Regio, data_dir: platform}\ntenants:\n  - config: gemeenten/*/aigrip.yaml\n",
                    encoding="utf-8")
    sites, skipped = review_sites(load_platform(path, check_files=False))
    assert [s.id for s in sites] == ["gm0361"] and len(skipped) == 1 and skipped[0].startswith("gm0373 (Gemeente Bergen)")
    with pytest.raises(ConfigError, match="no organisation to serve"):
        create_platform_app([], "Regio")


@pytest.mark.parametrize("bad", ["static", "login", "a/b", "..", "GM0363", ""])
def test_ids_that_cannot_be_a_prefix_are_refused(bad):
    settings = ReviewSettings(data_dir=Path("."), organisation="X", reviewers=[], secret_key="k" * 32)
    with pytest.raises(ConfigError, match="cannot be a web address prefix"):
        tenant_settings(bad, settings)


def test_serve_with_a_tenants_file_names_every_municipality(platform_file, monkeypatch):
    import uvicorn

    from pipelines.cli import app

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **kw: served.update(app=asgi, **kw))
    result = CliRunner().invoke(app, ["serve", "--config", str(platform_file), "--port", "8399"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8399/gm0373/" in result.output and "Gemeente Bergen" in result.output
    assert served["port"] == 8399
    page = TestClient(served["app"], base_url="http://127.0.0.1").get("/")
    assert "Gemeente Heerhugowaard" in page.text


def test_trusted_proxies_are_per_municipality(platform_file):
    """Alkmaar trusts its proxy's X-Forwarded-For, Bergen trusts none: an attacker rotating the header
    is locked out at Bergen, while at Alkmaar a colleague at another address still signs in."""
    platform = load_platform(platform_file, check_files=False)
    sites, _ = review_sites(platform)
    client = TestClient(create_platform_app(sites, platform.name), base_url="http://127.0.0.1",
                        client=("127.0.0.1", 50000))
    for code in ("gm0361", "gm0373"):
        for i in range(5):
            page = client.get(f"/{code}/login")
            client.post(f"/{code}/login", data={"username": "piet", "password": "fout-fout-fout",
                                                "csrf_token": _csrf(page.text)},
                        headers={"X-Forwarded-For": f"198.51.100.{i + 10}" if code == "gm0373" else "198.51.100.1"})
        page = client.get(f"/{code}/login")
        other = client.post(f"/{code}/login", data={"username": "piet", "password": PASSWORDS[code],
                                                    "csrf_token": _csrf(page.text)},
                            headers={"X-Forwarded-For": "198.51.100.2"}, follow_redirects=False)
        assert other.status_code == (303 if code == "gm0361" else 429), code


def test_logout_revokes_the_session_of_that_municipality_only(client):
    assert _login(client, "gm0361").status_code == 303 and _login(client, "gm0373").status_code == 303
    stolen = client.cookies.get("aigrip_review_gm0361", path="/gm0361/")
    page = client.get("/gm0361/")
    client.post("/gm0361/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    client.cookies.set("aigrip_review_gm0361", stolen, domain="127.0.0.1", path="/gm0361/")
    assert client.get("/gm0361/", follow_redirects=False).headers["location"].startswith("/gm0361/login")
    assert client.get("/gm0373/", follow_redirects=False).status_code == 200  # still signed in at Bergen
