"""One review app for several municipalities, in a real browser: ``aigrip serve --config tenants.yaml``.

Chromium opens the list of municipalities, signs in at one under its prefix, confirms a candidate
and sees it saved; the decision is in that municipality's log only, and the session opens nothing at
the other. Screenshots of the landing page and of the queue under the prefix go to tmp_path (and to
docs/images with ``AIGRIP_UPDATE_SCREENSHOTS=1``). Skipped only without Chromium or Playwright.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from review.passwords import hash_password
from tests.browser.helpers import ReviewServer, launch_chromium, missing_browser
from tests.test_review_tenants import PASSWORDS, tenant_folder
from warehouse.decision_log import log_path, read_decisions

pytestmark = pytest.mark.timeout(600)
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    if os.environ.get("AIGRIP_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / name)
    return path


@pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))
def test_a_reviewer_signs_in_under_the_prefix_and_decides(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    codes = ["gm0361", "gm0373"]
    for code in codes:
        tenant_folder(tmp_path, code, hash_password(PASSWORDS[code]))
    config = tmp_path / "tenants.yaml"
    config.write_text("platform: {name: Regionale ICT-dienst Noord, data_dir: platform}\n"
                      "tenants:\n  - config: gemeenten/*/aigrip.yaml\n", encoding="utf-8")
    with ReviewServer(config, tmp_path / "serve.log", ready_path="/") as server, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="nl-NL")
        page.goto(server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Kies uw gemeente")
        expect(page.get_by_role("link", name="Gemeente Alkmaar")).to_have_attribute("href", "/gm0361/login")
        _shot(page, tmp_path, "review-tenants-landing.png")

        page.get_by_role("link", name="Gemeente Bergen").click()
        expect(page).to_have_url(server.url + "/gm0373/login")
        page.get_by_label("Gebruikersnaam").fill("anna-gm0373")
        page.get_by_label("Wachtwoord").fill(PASSWORDS["gm0373"])
        page.get_by_role("button", name="Inloggen").click()
        expect(page).to_have_url(server.url + "/gm0373/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Te beoordelen systemen")
        assert "Alkmaar" not in page.content()
        _shot(page, tmp_path, "review-tenants-queue.png")

        page.get_by_role("link", name=re.compile(r"^Bergen ")).first.click()
        expect(page).to_have_url(re.compile(r"/gm0373/systemen/AIG-\d{6}$"))
        system_id = page.url.rsplit("/", 1)[1]
        page.get_by_role("button", name="Bevestigen", exact=True).click()
        expect(page).to_have_url(server.url + f"/gm0373/systemen/{system_id}")
        expect(page.get_by_role("status").first).to_contain_text(f"voor {system_id} opgeslagen")

        events = read_decisions(log_path(tmp_path / "gemeenten" / "gm0373" / "var"))
        assert [(e["system_id"], e["action"], e["reviewer"]) for e in events] == [(system_id, "confirm", "anna-gm0373")]
        assert not log_path(tmp_path / "gemeenten" / "gm0361" / "var").exists()

        page.goto(server.url + "/gm0361/")  # the Bergen session opens nothing at Alkmaar
        expect(page).to_have_url(re.compile(r"/gm0361/login\?next="))
        page.goto(server.url + "/GM0373/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
        page.screenshot(path=str(tmp_path / "review-tenants-404.png"))
        page.goto(server.url + "/gm0361/login")
        page.screenshot(path=str(tmp_path / "review-tenants-login.png"))
        browser.close()
