"""The register editor in a real browser: an editor fills a high-risk demo system's entry from a
supplier template plus edits and releases it, another reviewer publishes it, and after the next run
citizens find it on the public site (which kept only published entries meanwhile).

Debian's Chromium through Playwright, like tests/test_browser.py; skipped only when either is absent.
Screenshots go to tmp_path; ``AIGRIP_UPDATE_SCREENSHOTS=1`` also writes docs/images/register-editor.png
and docs/images/register-site.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import ReviewServer, aigrip, aigrip_json, launch_chromium, missing_browser
from tests.conftest import copy_demo

pytestmark = pytest.mark.timeout(900)

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
EDITOR, EDITOR_PW = "redacteur", "voorbeeldstad-redacteur"      # the demo's reviewers (aigrip.yaml)
APPROVER, APPROVER_PW = "fg", "voorbeeldstad-privacy"
HUMAN = "Een schuldhulpverlener beoordeelt elk signaal en neemt zelf contact op; het model beslist niets."
RISK = "Onterechte signalen: een medewerker controleert elk signaal voordat er contact is."


def _shot(page, tmp_path: Path, name: str, full: bool = False) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("AIGRIP_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / name)


def _sign_in(page, url: str, username: str, password: str, target: str) -> None:
    page.context.clear_cookies()
    page.goto(url + target)
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"**{target}")


def test_template_edit_release_publish_and_find_it_on_the_site(tmp_path):
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    config = copy_demo(tmp_path / "demo")
    aigrip("run", "--config", str(config), "--as-of", "2026-11-15")
    queue = aigrip_json("review", "list", "--config", str(config))
    target = next(r for r in queue if r["ai_act_class"] == "high_risk" and r["status"] == "candidate")
    system_id = target["system_id"]
    aigrip("review", "decide", system_id, "--action", "confirm", "--reviewer", APPROVER, "--field", "kind=ai_system",
           "--reason", "Bevestigd: voorspelmodel vroegsignalering", "--config", str(config))
    site = tmp_path / "demo" / "var" / "site"
    assert not (site / "algoritme" / f"{system_id.lower()}.html").exists()

    with ReviewServer(config, tmp_path / "serve.log") as server, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        page.set_default_timeout(30_000)
        editor_url = f"/systemen/{system_id}/register"
        _sign_in(page, server.url, EDITOR, EDITOR_PW, editor_url)
        assert page.get_by_role("heading", name="Publicatie: Concept").is_visible()

        # a supplier template fills the empty fields, marked as such
        offers = page.locator("form.template-offer button")
        if offers.count():
            offers.first.click()
        else:
            page.get_by_label("Ander sjabloon").select_option(label="Centric: Sociaal Domein: eDiensten voor aanvragen")
            page.locator("form.template-any button").click()
        page.locator(".flash.ok").filter(has_text="lege velden ingevuld").wait_for()
        assert page.locator(".tpl").count() >= 3

        # typing shows Dutch messages at once; saving a bad value is refused
        page.get_by_label("Begindatum").fill("2023-13")
        assert "jaar-maand" in page.locator("#e-begin_date").inner_text()
        page.get_by_label("Begindatum").fill("2025-02")
        assert page.locator("#e-begin_date").inner_text() == ""
        page.get_by_label("Menselijke tussenkomst").fill(HUMAN)
        page.get_by_label("Risicobeheer").fill(RISK)
        page.get_by_label("Sociale zekerheid").check()
        group = page.locator("fieldset.grouping[data-key='source_data_grouping']")
        group.get_by_role("button", name="Regel toevoegen").click()
        group.get_by_label("Titel van gegevensbron").last.fill("Vroegsignalering vaste lasten")
        group.get_by_label("Link naar gegevensbron").last.fill("https://www.voorbeeldstad.nl/vroegsignalering")
        page.get_by_label("Publicatiecategorie").select_option("Hoog-risico AI-systeem")
        page.get_by_role("button", name="Registertekst opslaan").click()
        page.locator(".flash.ok").filter(has_text="Registertekst opgeslagen").wait_for()
        assert page.get_by_label("Menselijke tussenkomst").input_value() == HUMAN
        _shot(page, tmp_path, "register-editor.png")

        # the editor releases; the editor cannot publish
        page.get_by_role("button", name="Vrijgeven").click()
        page.locator(".flash.ok").filter(has_text="Vrijgeven opgeslagen").wait_for()
        assert page.get_by_role("button", name="Publiceren").is_disabled()

        # another reviewer, an approver, publishes
        _sign_in(page, server.url, APPROVER, APPROVER_PW, editor_url)
        page.get_by_role("button", name="Publiceren").click()
        page.locator(".flash.ok").filter(has_text="Publiceren opgeslagen").wait_for()

        aigrip("run", "--config", str(config), "--as-of", "2026-11-15")
        page.goto(server.url + editor_url)
        assert page.get_by_role("heading", name="Publicatie: Gepubliceerd").is_visible()

        # citizens find it on the public site
        page.goto((site / "index.html").as_uri())
        link = page.get_by_role("link", name=target["name"], exact=False).first
        link.click()
        body = page.locator("main").inner_text()
        assert HUMAN in body and RISK in body and "Vroegsignalering vaste lasten" in body
        assert "Hoog-risico AI-systeem" in body and "Sociale zekerheid" in body
        _shot(page, tmp_path, "register-site.png", full=True)
        browser.close()
