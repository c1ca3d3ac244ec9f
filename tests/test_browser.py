"""End to end in a real browser: a reviewer signs in to ``aigrip serve``, confirms, merges and rejects
candidates, and the next ``aigrip run`` (while the app keeps running) applies the decisions.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; skipped only when either is absent
(.ci/run installs both). Screenshots for the README are written to tmp_path; set
``AIGRIP_UPDATE_SCREENSHOTS=1`` to (re)write ``docs/images/review-queue.png`` and ``review-detail.png``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.browser.helpers import (
    ReviewServer,
    add_reviewer,
    aigrip,
    aigrip_json,
    launch_chromium,
    missing_browser,
    start_run,
)
from tests.conftest import copy_demo

pytestmark = pytest.mark.timeout(900)

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
USERNAME, NAME, PASSWORD = "privacy", "Petra de Privacyfunctionaris", "browsertest-wachtwoord-1"
REJECT_REASON = "Geen AI: vaste regels zonder lerend model"
SAVE_BOUND_S = 2.0  # the app answers a save within this, even during a run
SHOWN_BOUND_S = 10.0  # click to confirmation in the browser, on a busy 2-core machine


def _pick(queue: list[dict]) -> dict[str, str]:
    """Which candidates to confirm, merge (source into target) and reject.

    The most urgent one is confirmed. Merged: two further down that look like one system (same
    AI-Act class, department and vendor; in the demo the website chatbot named twice in the survey),
    else two of the same class; the lower-scored one goes into the other. The last other one is rejected.
    """
    assert len(queue) >= 5, f"the demo queue is too short for this test: {len(queue)}"
    confirm, rest = queue[0]["system_id"], queue[1:]

    def pair(key) -> tuple[dict, dict] | None:
        return next(((b, a) for i, a in enumerate(rest) for b in rest[i + 1:] if key(a) == key(b)), None)

    source, target = (pair(lambda r: (r["ai_act_class"], r["department"], r["vendor"]))
                      or pair(lambda r: r["ai_act_class"]) or (rest[-1], rest[-2]))
    reject = next(r["system_id"] for r in reversed(rest) if r["system_id"] not in (source["system_id"], target["system_id"]))
    return {"confirm": confirm, "merge": source["system_id"], "into": target["system_id"], "reject": reject}


def _shot(page, tmp_path: Path, name: str, height: int | None = None) -> Path:
    """A screenshot of the top of the page (``height`` px, default the viewport) into tmp_path, and
    into docs/images when asked to update them."""
    path = tmp_path / name
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height} if height else None
    page.screenshot(path=str(path), full_page=bool(height), clip=clip)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    if os.environ.get("AIGRIP_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / name)
    return path


def _save(page, button: str) -> tuple[float, float]:
    """Click a decision button and wait for the page that says it was saved. Returns the seconds the
    app took to answer the save (the POST, as the browser's network timing has it) and the seconds
    from the click until the confirmation shows."""
    started = time.perf_counter()
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/besluit")) as answer:
        page.get_by_role("button", name=button, exact=True).click()
    assert answer.value.status == 303
    timing = answer.value.request.timing
    page.locator(".flash.ok").filter(has_text="opgeslagen").wait_for(timeout=30_000)
    shown = time.perf_counter() - started
    if timing.get("requestStart", -1) >= 0 and timing.get("responseStart", -1) >= timing["requestStart"]:
        return (timing["responseStart"] - timing["requestStart"]) / 1000.0, shown
    return shown, shown


def _fact(page, label: str):
    """The value (dd) of a fact (dt) in the page's first fact list."""
    return page.locator(f'main > dl.facts > dt:text-is("{label}") + dd').first


def test_reviewer_workflow_in_the_browser(tmp_path):
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    cfg = copy_demo(tmp_path / "demo")
    add_reviewer(cfg, USERNAME, NAME, PASSWORD)
    aigrip("run", "--config", str(cfg), "--as-of", "2026-11-15")
    before = aigrip_json("status", "--config", str(cfg))
    queue = aigrip_json("review", "list", "--config", str(cfg))
    ids = _pick(queue)
    queue_ids = [r["system_id"] for r in queue]

    with ReviewServer(cfg, tmp_path / "serve.log") as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
        page.set_default_timeout(30_000)

        # Every page needs a signed-in reviewer: the queue sends us to the sign-in page.
        page.goto(server.url + "/")
        assert "/login" in page.url
        page.get_by_label("Gebruikersnaam").fill(USERNAME)
        page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        expect(page.locator("#login-fout")).to_contain_text("onjuist")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Te beoordelen systemen")
        expect(page.locator("header")).to_contain_text(f"Ingelogd als {NAME}")
        rows = page.locator("tbody tr th[scope=row] small").all_inner_texts()
        assert rows == queue_ids  # same queue, same order as 'aigrip review list'

        # Confirm the most urgent candidate as an AI system.
        page.get_by_role("link", name=queue[0]["name"], exact=True).first.click()
        expect(page).to_have_url(re.compile(f"/systemen/{ids['confirm']}$"))
        page.locator("#c-kind").select_option("ai_system")
        _save(page, "Bevestigen")
        expect(page.locator(".pending-box")).to_contain_text(f"Bevestigen door {USERNAME}")

        # Merge one candidate into another.
        page.goto(f"{server.url}/systemen/{ids['merge']}")
        page.locator("#m-into").fill(ids["into"].lower())
        page.locator("#m-reason").fill("Zelfde toepassing, andere bron")
        _save(page, "Samenvoegen")
        expect(page.locator(".pending-box")).to_contain_text(f"(naar {ids['into']})")

        # Reject one with a ground and a reason; without a reason the browser refuses to send it.
        page.goto(f"{server.url}/systemen/{ids['reject']}")
        page.get_by_role("button", name="Afwijzen", exact=True).click()
        assert page.locator("#r-reason").evaluate("el => !el.validity.valid")
        page.locator("#r-ground").select_option("not_ai")
        page.locator("#r-reason").fill(REJECT_REASON)
        _save(page, "Afwijzen")
        expect(page.locator(".pending-box")).to_contain_text(REJECT_REASON)

        # The queue shows all three at once as pending; so does the CLI.
        page.goto(server.url + "/")
        for key, action in (("confirm", "Bevestigen"), ("merge", "Samenvoegen"), ("reject", "Afwijzen")):
            row = page.locator("tbody tr").filter(has_text=ids[key])
            expect(row.locator(".pending")).to_contain_text(f"{action} door {USERNAME} (wacht op verwerking)")
        _shot(page, tmp_path, "review-queue.png")
        pending = {r["system_id"]: r["pending"]["action"] for r in aigrip_json("review", "list", "--config", str(cfg))
                   if r.get("pending")}
        assert pending == {ids["confirm"]: "confirm", ids["merge"]: "merge", ids["reject"]: "reject"}

        # The next discovery run, while the app keeps serving; decisions saved meanwhile stay quick.
        run = start_run(cfg, tmp_path / "run2.log", "--as-of", "2026-11-15")
        timings, busy = [], 0
        try:
            page.goto(f"{server.url}/systemen/{ids['confirm']}")
            for i in range(5):
                page.locator("#e-owner").fill(f"Sociaal Domein {i}")
                was_busy = run.poll() is None
                timings.append(_save(page, "Velden opslaan"))
                busy += was_busy and run.poll() is None
                time.sleep(0.5)
            assert run.wait(timeout=600) == 0, (tmp_path / "run2.log").read_text()
        finally:
            if run.poll() is None:
                run.kill()
                run.wait(timeout=30)
        print("\nsaves during a run, answered / shown: " + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in timings)
              + f" s ({busy} of {len(timings)} while it was busy)")
        assert busy >= 1, "the run finished before any decision could be saved during it"
        assert max(a for a, _ in timings) < SAVE_BOUND_S, timings
        assert max(b for _, b in timings) < SHOWN_BOUND_S, timings

        # After the run: confirmed, merged away (pointing to its successor), rejected.
        page.goto(f"{server.url}/systemen/{ids['confirm']}")
        expect(_fact(page, "Status")).to_have_text("Bevestigd")
        expect(page.locator("#historie-kop")).to_be_visible()
        page.goto(f"{server.url}/systemen/{ids['merge']}")
        expect(page).to_have_url(re.compile(f"/systemen/{ids['into']}$"))
        expect(page.locator(".flash")).to_contain_text(f"{ids['merge']} is samengevoegd met {ids['into']}")
        expect(_fact(page, "Samengevoegd uit")).to_contain_text(ids["merge"])
        _shot(page, tmp_path, "review-detail.png", height=1500)
        page.goto(f"{server.url}/systemen/{ids['reject']}")
        expect(_fact(page, "Status")).to_have_text("Afgewezen")
        expect(_fact(page, "Laatste besluit")).to_contain_text(REJECT_REASON)
        page.goto(server.url + "/")
        after_rows = page.locator("tbody tr th[scope=row] small").all_inner_texts()
        assert ids["into"] in after_rows
        assert not {ids["confirm"], ids["merge"], ids["reject"]} & set(after_rows)
        expect(page.get_by_role("link", name=re.compile(r"^Bevestigd \("))).to_have_text(
            f"Bevestigd ({before['systems']['confirmed'] + 1})")
        browser.close()

    # The same outcome from the command line.
    after = aigrip_json("status", "--config", str(cfg))
    assert after["systems"]["confirmed"] == before["systems"]["confirmed"] + 1
    assert after["systems"]["rejected"] == before["systems"]["rejected"] + 1
    assert after["review_queue"] == before["review_queue"] - 3
    assert after["decisions"] >= before["decisions"] + 3
    remaining = {r["system_id"] for r in aigrip_json("review", "list", "--config", str(cfg))}
    assert ids["into"] in remaining and not {ids["confirm"], ids["merge"], ids["reject"]} & remaining
    confirmed = {r["system_id"] for r in aigrip_json("review", "list", "--status", "confirmed", "--config", str(cfg))}
    rejected = {r["system_id"] for r in aigrip_json("review", "list", "--status", "rejected", "--config", str(cfg))}
    assert ids["confirm"] in confirmed and ids["reject"] in rejected
    merged = aigrip_json("review", "show", ids["merge"], "--config", str(cfg))
    assert merged["system_id"] == ids["into"] and ids["merge"] in merged["merged_from"]
    # Edits saved while the run was busy are never lost: each is applied or still pending.
    detail = aigrip_json("review", "show", ids["confirm"], "--config", str(cfg))
    seen = [e for e in detail["decisions"] + detail["pending"] if e["action"] == "edit"]
    assert len({e["event_id"] for e in seen}) == len(timings)
