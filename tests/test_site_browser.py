"""The public site in Chromium: axe-core finds no serious or critical problem on the index, a system
page and the changes page; search and filters work with the script and the site without it; 390 px."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from tests.browser.helpers import launch_chromium, missing_browser
from tests.site_fixture import build

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = ["index.html", "algoritme/aig-000002.html", "veranderingen.html"]

pytestmark = pytest.mark.skipif(missing_browser() is not None, reason=missing_browser() or "")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    build(root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(site, browser, page_path, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site + page_path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows, also at 390 px
    page.close()


def test_search_and_filters_with_the_script(site, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site + "index.html")
    cards = page.locator("li.card:visible")
    expect(page.locator("#zoeken")).to_be_visible()
    expect(cards).to_have_count(4)
    page.fill("#q", "parkeer")
    expect(cards).to_have_count(1)
    expect(page.locator("#aantal")).to_have_text("1 van 4 algoritmes gevonden.")
    page.fill("#q", "")
    page.select_option("#f-thema", "Sociale zekerheid")
    expect(cards).to_have_count(2)
    page.select_option("#f-status", "Buiten gebruik")
    expect(cards).to_have_count(1)
    assert "Risicomodel bijstand" in cards.first.inner_text()
    assert "thema=Sociale+zekerheid" in page.url and "status=Buiten+gebruik" in page.url
    page.goto(site + "index.html?q=zzzz")
    expect(cards).to_have_count(0)
    expect(page.locator("#geen")).to_be_visible()
    page.click("#wis")
    expect(cards).to_have_count(4)
    page.close()


def test_without_script_everything_is_listed_and_filter_pages_work(site, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site + "index.html")
    assert page.locator("li.card:visible").count() == 4 and not page.locator("#zoeken").is_visible()
    page.get_by_role("link", name="Sociale zekerheid", exact=True).click()
    assert page.url.endswith("thema/sociale-zekerheid.html")
    assert page.locator("li.card").count() == 2 and "Thema: Sociale zekerheid" in page.inner_text("h1")
    page.get_by_role("link", name="Chatbot Gem").first.click()
    assert page.url.endswith("algoritme/aig-000003.html")
    ctx.close()
