"""In a real browser: a reviewer records a requirement status, a DPIA and a periodic review on a
system's page, a run with ``--select obligations`` applies them, and the overview page shows the
organisation's deadlines. Debian Chromium through Playwright; skipped only when either is absent."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.helpers import (
    ReviewServer,
    add_reviewer,
    aigrip,
    aigrip_json,
    launch_chromium,
    missing_browser,
)

pytestmark = pytest.mark.timeout(900)
USERNAME, NAME, PASSWORD = "privacy", "Petra de Privacyfunctionaris", "browsertest-wachtwoord-2"


def test_obligations_in_the_browser(demo_run, tmp_path):
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    work = tmp_path / "demo"
    shutil.copytree(demo_run.parent, work)
    config = work / "aigrip.yaml"
    add_reviewer(config, USERNAME, NAME, PASSWORD)
    sid = json_first_confirmed(config)
    with ReviewServer(config, tmp_path / "serve.log") as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="nl-NL")
        page.goto(f"{server.url}/login")
        page.fill("#username", USERNAME)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{server.url}/systemen/{sid}")
        assert page.locator("#plicht-kop").is_visible()
        req = page.locator("details.requirement", has=page.locator("summary strong", has_text="aia-01")).first
        req.locator("summary").click()
        form = req.locator("form.requirement-form").first
        form.locator("select[name=status]").select_option("gedaan")
        form.locator("input[name=owner]").fill("Team HR")
        form.locator("input[name=evidence]").fill("https://intranet.voorbeeldstad.nl/ai-training")
        form.locator("button[type=submit]").click()
        assert "opgeslagen" in page.locator(".flash").first.inner_text()
        dpia = page.locator("form.assessment", has=page.locator("input[name=assessment][value=DPIA]"))
        dpia.locator("select[name=status]").select_option("afgerond")
        dpia.locator("input[name=date]").fill("2026-11-01")
        dpia.locator("input[name=link]").fill("https://intranet.voorbeeldstad.nl/dpia/1")
        dpia.locator("button[type=submit]").click()
        assert "DPIA/IAMA/FRIA bijgewerkt" in page.locator(".flash").first.inner_text()
        page.locator("#h-reason").fill("Ongewijzigd in gebruik")
        page.locator("button", has_text="Herbeoordeling vastleggen").click()
        assert "Herbeoordeling" in page.locator(".flash").first.inner_text()

        aigrip("run", "--config", str(config), "--select", "obligations", "--as-of", "2026-12-06")
        page.goto(f"{server.url}/systemen/{sid}")
        text = page.locator("main").inner_text()
        assert "Vereiste aia-01 staat op 'gedaan'." in text
        assert f"door {USERNAME}." in text.split("Laatst herbeoordeeld op")[1][:80]
        page.click("text=Verplichtingen en termijnen")
        assert page.locator("h1").inner_text() == "Verplichtingen en termijnen"
        assert page.locator("#ov-progress").is_visible()
        page.screenshot(path=str(tmp_path / "obligations-overview.png"), full_page=True)
        browser.close()
    rows = aigrip_json("obligations", "--config", str(config), "--system", sid, "--json")
    assert any(r["obligation_id"] == "AIA-4" and r["status"] == "gedaan" for r in rows)
    assert all(r["status"] == "gedaan" for r in rows if r["obligation_id"] == "AVG-35")


def json_first_confirmed(config) -> str:
    systems = aigrip_json("review", "list", "--config", str(config), "--json", "--status", "confirmed")
    return sorted(s["system_id"] for s in systems)[0]
