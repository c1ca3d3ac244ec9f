"""The leak test (issue 15): personal data planted in every source is found nowhere after a whole run.

Every kind of personal data aigrip redacts is planted in every source of a copy of the demo
municipality (tests/leakscan.py); the planted rows are confirmed as they are (a plain confirm); then
the whole pipeline runs (also once with a persistent Dagster home, as ``aigrip ui`` keeps one), every
export, the public site and the report are written, and every file under ``data_dir`` — both DuckDB
files read as tables, the Dagster home's event log, the decision log, the run logs — is searched.
"""

from __future__ import annotations

import json

import pytest
import yaml
from dagster import instance_for_test, materialize
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.definitions import build_assets
from pipelines.exports import EXPORTERS
from pipelines.resources import AigripResource
from pipelines.status import collect_status
from tests.conftest import copy_demo
from tests.leakscan import plant_everything, scan_text, scan_tree
from warehouse import snapshot_connect


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    demo = tmp_path_factory.mktemp("leak") / "demo"
    cfg_path = copy_demo(demo)
    decisions = plant_everything(demo)
    seed = demo / "review_seed.jsonl"
    seed.write_text(seed.read_text(encoding="utf-8").rstrip("\n") + "\n"
                    + "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in decisions), encoding="utf-8")
    runner = CliRunner()
    outputs = []
    res = runner.invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    outputs.append(res.output)
    cfg = load_config(cfg_path)
    # a second run with a persistent Dagster home under data_dir, as `aigrip ui` and its schedules keep one
    home = cfg.data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    assets, checks = build_assets(cfg)
    with instance_for_test(temp_dir=str(home)) as instance:
        result = materialize([*assets, *checks], instance=instance,
                             resources={"aigrip": AigripResource(config_path=str(cfg_path), as_of="2026-11-15")})
        assert result.success
    for fmt in EXPORTERS:
        res = runner.invoke(app, ["export", "--config", str(cfg_path), "--format", fmt])
        assert res.exit_code == 0, f"{fmt}: {res.output}"
        outputs.append(res.output)
    for args in (["report", "--period", "2026-11"], ["status", "--json"], ["review", "list", "--json"]):
        res = runner.invoke(app, [*args, "--config", str(cfg_path)])
        assert res.exit_code == 0, f"{args}: {res.output}"
        outputs.append(res.output)
    return cfg_path, demo, outputs


def test_the_planted_data_is_really_in_the_sources(planted_run):
    _, demo, _ = planted_run
    hits = {needle for _, needle in scan_tree(demo / "data")}
    assert {"Zwaantje", "Kloosterboer", "Sloothaak", "Bakkenes", "Holtrop", "Overdijk", "111222333"} <= hits


def test_the_planted_rows_went_through_the_whole_pipeline(planted_run):
    cfg_path, _, _ = planted_run
    cfg = load_config(cfg_path)
    st = collect_status(cfg)
    for sid in ("crediteuren_2025", "portfolio", "uitvraag_2026", "tenderned", "dpia_register", "landelijk_register"):
        assert st["sources"][sid]["redacted"], f"{sid}: nothing redacted"
    assert st["sources"]["uitvraag_2026"]["redacted"]["name"] >= 3
    with snapshot_connect(cfg.data_dir) as con:
        title = con.execute("SELECT title FROM mentions WHERE source_key = 'uitvraag_2026:902-1'").fetchall()
        assert title == [("[naam verwijderd]",)]  # a bare name typed as the system name
        q = con.execute("SELECT raw_text FROM quarantine WHERE source_id = 'crediteuren_2025' "
                        "AND raw_text LIKE '%BK2025-LEAK02%'").fetchall()
        assert q and "[e-mailadres verwijderd]" in q[0][0] and "[telefoonnummer verwijderd]" in q[0][0]
        names = [r[0] for r in con.execute("SELECT name FROM systems WHERE status = 'confirmed'").fetchall()]
    assert any("$_$" in (n or "") for n in names), "the mathtext-like name was confirmed and reported"
    # confirmed is not published (register editors publish), so the name shows in the inventory export
    inventory = (cfg.data_dir / "export" / "inventory" / "inventory.csv").read_text(encoding="utf-8-sig")
    assert "Fraudescore $_$ bijstand" in inventory
    assert (cfg.data_dir / "reports" / "2026-11" / "report.pdf").stat().st_size > 0


def test_no_planted_personal_data_anywhere_under_data_dir(planted_run):
    cfg_path, _, outputs = planted_run
    cfg = load_config(cfg_path)
    assert (cfg.data_dir / "dagster_home").exists() and (cfg.data_dir / "snapshot.duckdb").exists()
    assert any(p.suffix == ".db" for p in (cfg.data_dir / "dagster_home").rglob("*")), "the event log is scanned"
    hits = scan_tree(cfg.data_dir)
    assert not hits, f"{len(hits)} leaks, e.g. {hits[:5]}"
    assert not [n for out in outputs for n in scan_text(out)], "personal data in command output"


def test_survey_answers_are_no_register_texts(planted_run):
    cfg_path, _, _ = planted_run
    cfg = load_config(cfg_path)
    with snapshot_connect(cfg.data_dir) as con:
        survey_only = con.execute(
            "SELECT s.system_id, s.description FROM systems s WHERE s.status = 'confirmed' AND s.description IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM provenance p JOIN mentions m USING (source_key) "
            "WHERE p.system_id = s.system_id AND m.source_type <> 'survey')").fetchall()
        entries = {sid: json.loads(js) for sid, js in con.execute("SELECT system_id, entry_json FROM register_entries"
                                                                  ).fetchall()}
    assert survey_only, "a confirmed system known only from the survey, with a description"
    public = (cfg.data_dir / "export").rglob("*")
    public_text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in public if p.suffix in {".json", ".csv"})
    for sid, description in survey_only:
        assert description not in public_text
        assert entries[sid].get("description_short") != description


def test_the_later_outputs_hold_no_planted_personal_data(planted_run):
    """The outputs added after the leak test was written: the national XLSX and the site (with its
    history) are exports scanned above; here the obligations and reviews reports, the requirements
    spreadsheet and progress, the national products, the delivery plan and the digest mail."""
    cfg_path, _, _ = planted_run
    raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))  # the digest goes to a reviewer: it names every system
    raw["digest"] = {"enabled": True, "sender": "aigrip@voorbeeldstad.nl", "horizon_days": 90,
                     "recipients": [{"name": "Privacyfunctionaris", "email": "privacy@voorbeeldstad.nl", "role": "reviewer"}]}
    cfg_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cfg = load_config(cfg_path)
    runner = CliRunner()
    out_dir = cfg.data_dir / "leak-later"
    out_dir.mkdir(exist_ok=True)
    commands = [
        ["obligations", "--json"], ["obligations"], ["reviews", "--json"], ["reviews"],
        ["requirements", "export", "--out", str(out_dir / "vereisten.xlsx")], ["requirements", "progress", "--json"],
        ["national", "--json"], ["digest", "--dry-run", "--as-of", "2026-11-15"],
    ]
    texts = []
    for args in commands:
        res = runner.invoke(app, [*args, "--config", str(cfg_path)])
        assert res.exit_code == 0, f"{args}: {res.output}"
        texts.append(res.output)
    assert "Subject: aigrip" in texts[-1], "the digest mail was composed"
    assert (out_dir / "vereisten.xlsx").stat().st_size > 0
    produced = {p.relative_to(cfg.data_dir).parts[0] for p in cfg.data_dir.rglob("*") if p.is_file()}
    assert {"export", "reports", "leak-later"} <= produced
    site = cfg.data_dir / "export" / "site"
    assert any(site.rglob("*.html")), "the public site was written and is scanned"
    assert any((cfg.data_dir / "export" / "national-xlsx").glob("*.xlsx")), "the national XLSX is scanned"
    assert not [n for text in texts for n in scan_text(text)], "personal data in a later output"
    hits = scan_tree(cfg.data_dir)
    assert not hits, f"{len(hits)} leaks, e.g. {hits[:5]}"
