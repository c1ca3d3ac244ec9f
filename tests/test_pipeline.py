"""The whole graph on the demo municipality: accounting, ids stable across runs, exports, privacy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from dagster import Definitions

from pipelines.config import load_config
from pipelines.definitions import build_definitions
from pipelines.exports import run_export
from pipelines.runner import run_pipeline
from pipelines.status import collect_status
from tests.conftest import copy_demo
from transforms.publish.register import validate_entry
from warehouse import snapshot_connect


def test_definitions_load(demo_config):
    defs = build_definitions(demo_config)
    Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"raw_crediteuren_2025", "mentions", "kb_products", "signals", "candidates", "systems",
            "classifications", "register_entries", "public_site", "monitoring_report", "published_snapshot"} <= keys
    assert {s.name for s in defs.schedules} == {"weekly_discovery", "monthly_report"}


def test_demo_run_accounts_for_every_row(demo_run):
    st = collect_status(load_config(demo_run))
    assert st["last_run"]
    for sid, s in st["sources"].items():
        assert s["error"] is None, f"{sid}: {s['error']}"
        assert s["rows_in"] > 0, sid
        assert s["rows_in"] == s["rows_loaded"] + s["rows_quarantined"] + s["rows_filtered"], sid
    assert st["sources"]["crediteuren_2025"]["rows_quarantined"] > 0, "the demo's bad ledger lines are quarantined"
    assert st["mentions"] > 5000 and st["candidates"] > 0 and st["kb_products"] > 0
    assert st["peer_register_entries"] > 0 and st["peer_organisations"] > 1
    assert st["systems"]["confirmed"] > 0 and st["systems"]["rejected"] > 0, "the seed decisions were applied"
    assert st["decisions"] > 0


def test_every_candidate_has_a_reason_and_every_system_a_classification(demo_run):
    with snapshot_connect(load_config(demo_run).data_dir) as con:
        assert con.execute("SELECT count(*) FROM candidates WHERE coalesce(reasons, '') = ''").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM systems s LEFT JOIN classifications c USING (system_id) "
                           "WHERE c.ai_act_reason IS NULL").fetchone()[0] == 0


def test_near_misses_between_systems_are_published_for_reviewers(demo_run):
    with snapshot_connect(load_config(demo_run).data_dir) as con:
        rows = con.execute("SELECT l.system_id, l.other_id, l.why_apart FROM system_links l "
                           "JOIN systems a ON a.system_id = l.system_id "
                           "JOIN systems b ON b.system_id = l.other_id").fetchall()
        total = con.execute("SELECT count(*) FROM system_links").fetchone()[0]
    assert rows and len(rows) == total  # every link names two live systems
    assert all(a != b and why for a, b, why in rows)
    assert {(b, a) for a, b, _ in rows} == {(a, b) for a, b, _ in rows}  # both directions


def test_second_run_keeps_every_system_id(tmp_path):
    cfg = load_config(copy_demo(tmp_path / "demo"))
    assert run_pipeline(cfg, as_of="2026-10-31").success

    def ids():
        with snapshot_connect(cfg.data_dir) as con:
            return dict(con.execute("SELECT source_key, system_id FROM provenance").fetchall())

    first = ids()
    assert first
    assert run_pipeline(cfg, as_of="2026-11-30").success
    assert ids() == first
    with snapshot_connect(cfg.data_dir) as con:
        periods = [r[0] for r in con.execute("SELECT DISTINCT period FROM kpis ORDER BY 1").fetchall()]
    assert periods == ["2026-10", "2026-11"]
    assert (cfg.data_dir / "reports" / "2026-11" / "charts" / "trend.svg").exists()


def test_national_json_export_is_valid(demo_run, tmp_path):
    cfg = load_config(demo_run)
    paths = run_export(cfg, "national-json", tmp_path / "nj")
    entries = json.loads(paths[0].read_text(encoding="utf-8"))
    assert entries, "confirmed systems are exported"
    for e in entries:
        assert validate_entry(e) == [], e.get("name")


def test_inventory_export_lists_systems_and_provenance(demo_run, tmp_path):
    cfg = load_config(demo_run)
    inv_path, prov_path = run_export(cfg, "inventory", tmp_path / "inv")
    inv, prov = pd.read_csv(inv_path), pd.read_csv(prov_path)
    assert {"system_id", "status", "name", "vendor", "department", "ai_act_class", "publication_category",
            "dpia_status"} <= set(inv.columns)
    assert inv["system_id"].is_unique and set(prov["system_id"]) <= set(inv["system_id"])
    assert inv["system_id"].str.match(r"^AIG-\d{6}$").all()


def test_public_outputs_hold_no_respondent_data_and_no_rejected_systems(demo_run):
    cfg = load_config(demo_run)
    survey = pd.read_excel(cfg.source("uitvraag_2026").path, dtype=str)
    personal = {v.strip() for col in ("E-mail", "Naam") for v in survey[col].dropna() if len(v.strip()) > 3}
    assert personal
    with snapshot_connect(cfg.data_dir) as con:
        rejected = [r[0] for r in con.execute("SELECT name FROM systems WHERE status = 'rejected'").fetchall()]
        dump = " ".join(str(v) for t in ("mentions", "signals", "candidates", "systems", "provenance", "register_entries")
                        for row in con.execute(f"SELECT * FROM {t}").fetchall() for v in row)
    leaked = [p for p in personal if p in dump]
    assert not leaked, f"respondent data in the warehouse snapshot: {leaked[:3]}"
    public = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in (cfg.data_dir / "site").rglob("*")
                     if p.is_file() and p.suffix in {".html", ".json"})
    public += "".join(p.read_text(encoding="utf-8", errors="ignore") for p in (cfg.data_dir / "reports").rglob("*")
                      if p.is_file() and p.suffix in {".html", ".json"})
    assert not [p for p in personal if p in public]
    site_index = (cfg.data_dir / "site" / "index.html").read_text(encoding="utf-8")
    for name in rejected:
        assert f">{name}<" not in site_index


def test_a_failing_source_does_not_sink_the_run(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo")
    (cfg_path.parent / "data" / "applicatieportfolio.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    cfg = load_config(cfg_path)
    outcome = run_pipeline(cfg, as_of="2026-11-15")
    assert outcome.success
    st = collect_status(cfg)
    assert st["sources"]["portfolio"]["error"] and "portfolio" in st["sources"]["portfolio"]["error"]
    assert "\n" not in st["sources"]["portfolio"]["error"]
    assert st["sources"]["crediteuren_2025"]["rows_loaded"] > 0 and st["systems"]["confirmed"] > 0
    assert (cfg.data_dir / "site" / "index.html").exists()


def test_report_files_exist(demo_run):
    out = load_config(demo_run).data_dir / "reports" / "2026-11"
    for name in ("report.html", "report.pdf", "kpis.json", "charts/risk.svg"):
        assert (out / name).exists(), name
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["kpis"]
    assert kpis["systems_confirmed"] > 0 and "dpia_coverage_pct" in kpis
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Monitoringsrapport" in html and "De weg naar grip" in html and "Aandachtslijst" in html


def test_raw_tables_keep_source_rows(demo_run):
    from warehouse import connect

    cfg = load_config(demo_run)
    with connect(cfg.warehouse_path, read_only=True) as con:
        n = con.execute("SELECT count(*) FROM raw_crediteuren_2025").fetchone()[0]
    st = collect_status(cfg)
    assert n == st["sources"]["crediteuren_2025"]["rows_loaded"]
    assert Path(cfg.data_dir / "snapshot.duckdb").exists()


def test_ids_survive_a_source_that_is_away_for_a_run(tmp_path):
    """Systems seen only in one source keep their ids when that source is away for a run."""
    import yaml

    cfg_path = copy_demo(tmp_path / "demo")

    def run_with(**enabled: bool) -> dict:
        raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
        for s in raw["sources"]:
            s["enabled"] = enabled.get(s["id"], True)
        cfg_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        cfg = load_config(cfg_path)
        assert run_pipeline(cfg, as_of="2026-11-15").success
        with snapshot_connect(cfg.data_dir) as con:
            return dict(con.execute("SELECT source_key, system_id FROM provenance").fetchall())

    # in the full demo every system has ledger lines or a portfolio entry; without those two sources
    # some systems are known only from tenders
    base = {"crediteuren_2025": False, "portfolio": False}
    first = run_with(**base)
    only_tender = {sid for sid in first.values()
                   if all(k.startswith("tenderned:") for k, v in first.items() if v == sid)}
    assert only_tender, "without ledger and portfolio the demo has systems seen only in tenders"
    away = run_with(**base, tenderned=False)
    assert not any(k.startswith("tenderned:") for k in away)
    back = run_with(**base, tenderned=True)
    kept = {k: v for k, v in first.items() if v in only_tender}
    assert {k: back.get(k) for k in kept} == kept
