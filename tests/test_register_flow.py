"""The register's publication step end to end on the demo: roles, versions, withdrawal, public outputs.

One demo copy per module: run it (the seed publishes the editors' work), then take decisions from the
CLI, run again and look at the register states, the site and the exports.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.exports import run_export
from pipelines.runner import run_pipeline
from tests.conftest import copy_demo
from warehouse import snapshot_connect

pytestmark = pytest.mark.timeout(600)
runner = CliRunner()
AS_OF = "2026-11-15"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    cfg_path = copy_demo(tmp_path_factory.mktemp("register_flow") / "demo")
    assert run_pipeline(load_config(cfg_path), as_of=AS_OF).success
    return cfg_path


def _run(cfg_path: Path) -> None:
    outcome = run_pipeline(load_config(cfg_path), as_of=AS_OF)
    assert outcome.success, outcome.error


def _decide(cfg_path: Path, *args: str):
    return runner.invoke(app, ["review", "decide", *args, "--config", str(cfg_path)])


def _states(cfg_path: Path) -> dict[str, dict]:
    with snapshot_connect(load_config(cfg_path).data_dir) as con:
        cur = con.execute("SELECT * FROM register_states")
        cols = [d[0] for d in cur.description]
        return {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}


def _site_page(cfg_path: Path, system_id: str) -> str | None:
    page = load_config(cfg_path).data_dir / "site" / "algoritme" / f"{system_id.lower()}.html"
    return page.read_text(encoding="utf-8") if page.exists() else None


def test_the_seed_publishes_the_editors_work_and_confirming_alone_publishes_nothing(demo):
    states = _states(demo)
    assert {s["state"] for s in states.values()} == {"gepubliceerd"} and len(states) == 8
    assert all(s["published_by"] == "fg" and s["released_by"] == "redacteur" for s in states.values())
    with snapshot_connect(load_config(demo).data_dir) as con:
        confirmed = {r[0] for r in con.execute("SELECT system_id FROM systems WHERE status = 'confirmed'").fetchall()}
        candidates = {r[0] for r in con.execute("SELECT system_id FROM systems WHERE status = 'candidate'").fetchall()}
    assert set(states) == confirmed
    site = load_config(demo).data_dir / "site"
    for system_id in candidates:
        assert _site_page(demo, system_id) is None
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Risicoscoremodel rechtmatigheid bijstand" in index


def test_roles_an_editor_cannot_publish_and_the_releaser_cannot_approve_their_own_release(demo):
    res = _decide(demo, "AIG-000018", "--action", "publish", "--reviewer", "redacteur")
    assert res.exit_code == 1 and "goedkeurder" in res.output
    res = _decide(demo, "AIG-000018", "--action", "release", "--reviewer", "onbekend")
    assert res.exit_code == 1 and "geen beoordelaar" in res.output
    res = _decide(demo, "AIG-000018", "--action", "edit", "--reviewer", "fg",
                  "--field", "risks=Nieuwe maatregel: **elke** mogelijke overtreding wordt door een handhaver bekeken.")
    assert res.exit_code == 0, res.output
    res = _decide(demo, "AIG-000018", "--action", "release", "--reviewer", "fg")
    assert res.exit_code == 0, res.output
    res = _decide(demo, "AIG-000018", "--action", "publish", "--reviewer", "fg")
    assert res.exit_code == 1 and "zelf vrijgegeven" in res.output


def test_an_edit_of_a_published_entry_stays_unpublished_until_approved(demo):
    old = _site_page(demo, "AIG-000018")
    assert "Onjuist gelezen kentekens" in old
    _run(demo)
    state = _states(demo)["AIG-000018"]
    assert state["state"] == "vrijgegeven" and state["released_by"] == "fg"
    page = _site_page(demo, "AIG-000018")
    assert "Onjuist gelezen kentekens" in page and "Nieuwe maatregel" not in page  # the published version stays
    entries = json.loads((run_export(load_config(demo), "national-json", demo.parent / "nj")[0]).read_text("utf-8"))
    risks = next(e["risks"] for e in entries if e["source_id"] == "AIG-000018")
    assert "Nieuwe maatregel" not in risks
    res = _decide(demo, "AIG-000018", "--action", "publish", "--reviewer", "privacy")
    assert res.exit_code == 1  # not a reviewer of this demo
    # fg released it, so only another approver may publish: make redacteur one for this step
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    next(r for r in data["reviewers"] if r["username"] == "redacteur")["roles"] = ["editor", "approver"]
    demo.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = _decide(demo, "AIG-000018", "--action", "publish", "--reviewer", "redacteur")
    assert res.exit_code == 0, res.output


def test_retire_merge_and_withdraw_take_entries_off_the_register_with_the_reason(demo):
    assert _decide(demo, "AIG-000013", "--action", "retire", "--reviewer", "fg",
                   "--reason", "contract opgezegd").exit_code == 0
    assert _decide(demo, "AIG-000010", "--action", "merge", "--into", "AIG-000006", "--reviewer", "fg",
                   "--reason", "test: samenvoegen").exit_code == 0
    res = _decide(demo, "AIG-000015", "--action", "withdraw", "--reviewer", "fg")
    assert res.exit_code == 1 and "reden" in res.output
    assert _decide(demo, "AIG-000015", "--action", "withdraw", "--reviewer", "fg",
                   "--reason", "wordt opnieuw beschreven").exit_code == 0
    _run(demo)
    states = _states(demo)
    assert states["AIG-000018"]["state"] == "gepubliceerd" and states["AIG-000018"]["published_by"] == "redacteur"
    assert "Nieuwe maatregel" in _site_page(demo, "AIG-000018")
    assert "<strong>" not in _site_page(demo, "AIG-000018")  # Markdown became the register's plain HTML
    assert states["AIG-000013"]["state"] == "gedepubliceerd"
    assert states["AIG-000013"]["withdrawn_reason"] == "buiten gebruik gesteld: contract opgezegd"
    assert states["AIG-000010"]["withdrawn_reason"] == "samengevoegd met AIG-000006"
    assert states["AIG-000015"]["withdrawn_reason"] == "wordt opnieuw beschreven"
    for system_id in ("AIG-000013", "AIG-000010", "AIG-000015"):  # the page stays and says the entry is gone
        page = _site_page(demo, system_id)
        assert page is None or ("niet meer in het register" in page and "id=\"geschiedenis\"" not in page)
    cfg = load_config(demo)
    eurocities = run_export(cfg, "eurocities-csv", demo.parent / "ec")[0].read_text(encoding="utf-8")
    assert "AIG-000013" not in eurocities and "AIG-000018" in eurocities
    assert "noemt" not in eurocities and "<p>" not in eurocities  # no internal reasons, no HTML
    amsterdam = run_export(cfg, "amsterdam", demo.parent / "am")[0].read_text(encoding="utf-8")
    assert "AIG-000015" not in amsterdam
    with snapshot_connect(cfg.data_dir) as con:
        notes = dict(con.execute("SELECT action, apply_note FROM review_decisions WHERE action = 'withdraw'").fetchall())
    assert "gedepubliceerd" in notes["withdraw"]


def test_public_entries_say_only_what_is_true_about_impact_assessments(demo):
    cfg = load_config(demo)
    entries = json.loads(run_export(cfg, "national-json", demo.parent / "nj2")[0].read_text("utf-8"))
    text = json.dumps(entries, ensure_ascii=False)
    assert "vereist" not in text and "gepland" not in text and "noemt" not in text
    woz = next(e for e in entries if e["source_id"] == "AIG-000006")
    assert re.search(r"DPIA: uitgevoerd op \d{2}-\d{2}-\d{4}", woz["impacttoetsen"])
    assert "&amp;amp;" not in text and "&lt;p&gt;" not in text  # template HTML converted, never double-escaped
