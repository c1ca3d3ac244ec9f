"""Limits: a drip-feed server, a zip bomb and an alias bomb each fail alone, fast, with one line."""

from __future__ import annotations

import time

import pytest
import yaml

from connectors import SourceSpec, load_source
from connectors.http import get_json, make_session
from connectors.limits import Limits, SourceLimitError, limits_scope, run_with_limits
from pipelines.config import load_config
from pipelines.runner import run_pipeline
from pipelines.status import collect_status
from tests.conftest import copy_demo
from tests.hostile import DripServer, write_zip_bomb
from transforms.errors import ConfigError
from transforms.yamlsafe import safe_yaml

FAST = Limits(deadline_minutes=0.05)  # 3 seconds


def test_drip_feed_server_fails_within_the_deadline():
    with DripServer(interval=0.5) as server:
        session = make_session(timeout=30, retries=0)
        start = time.monotonic()
        with limits_scope(FAST, "peers"), pytest.raises(SourceLimitError) as err:
            get_json(session, server.url + "/api", source_id="peers")
        assert time.monotonic() - start < FAST.deadline_s + 2
    assert "deadline" in str(err.value) and "limits.deadline_minutes" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_connector_that_ignores_the_deadline_is_left_behind():
    start = time.monotonic()
    with pytest.raises(SourceLimitError, match="deadline"):
        run_with_limits(lambda: time.sleep(30), Limits(deadline_minutes=0.01), "slow", grace_s=0.2)
    assert time.monotonic() - start < 5


def test_zip_bomb_fails_before_anything_is_unzipped(tmp_path):
    bomb = write_zip_bomb(tmp_path / "applicatieportfolio.xlsx")  # ~1 MB that unzips to 1.2 GB
    start = time.monotonic()
    with pytest.raises(SourceLimitError) as err:
        run_with_limits(lambda: load_source(SourceSpec(id="portfolio", type="application_portfolio", path=bomb)),
                        Limits(), "portfolio")
    assert time.monotonic() - start < 10
    assert "unzips to 1.208 MB" in str(err.value) and "limits.max_unzipped_mb" in str(err.value)


def test_file_row_and_cell_limits(tmp_path):
    path = tmp_path / "crediteuren.csv"
    lines = ["Factuurnummer;Crediteur;Omschrijving;Bedrag"] + [f"F{i};Lev {i};Licentie;1,00" for i in range(50)]
    lines[10] = "F9x;Lev;" + "x" * 5000 + ";1,00"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = SourceSpec(id="led", type="spend_ledger", path=path)
    with limits_scope(Limits(max_rows=20), "led"), pytest.raises(SourceLimitError, match="limits.max_rows"):
        load_source(spec)
    with limits_scope(Limits(max_file_mb=0.001), "led"), pytest.raises(SourceLimitError, match="limits.max_file_mb"):
        load_source(spec)
    with limits_scope(Limits(max_cell_kb=2), "led"):
        r = load_source(spec)
    assert r.balanced and r.rows_in == 50 and r.rows_quarantined == 1
    assert r.quarantine.loc[0, "reason"].startswith("regel te lang (5.013 bytes; hoogstens 2.048)")


def test_xlsx_cell_limit_quarantines_the_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Naam applicatie", "Leverancier"])
    ws.append(["Zaaksysteem", "Acme"])
    ws.append(["Lang", "y" * 3000])
    wb.save(tmp_path / "p.xlsx")
    with limits_scope(Limits(max_cell_kb=1), "p"):
        r = load_source(SourceSpec(id="p", type="application_portfolio", path=tmp_path / "p.xlsx"))
    assert r.balanced and (r.rows_in, r.rows_loaded) == (2, 1)
    assert r.quarantine.loc[0, "reason"] == "cel te lang (3.000 tekens; hoogstens 1.024)"


def test_yaml_alias_bomb_fails_in_one_line(tmp_path):
    bomb = "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    )
    assert len(bomb.encode()) < 600
    path = tmp_path / "aigrip.yaml"
    path.write_text(bomb, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert time.monotonic() - start < 2
    assert "YAML aliases" in str(err.value) and "\n" not in str(err.value)


def test_a_few_anchors_are_fine():
    assert safe_yaml("base: &b {deadline_minutes: 5}\none: *b\ntwo: *b\n") == {
        "base": {"deadline_minutes": 5}, "one": {"deadline_minutes": 5}, "two": {"deadline_minutes": 5}}


def test_hostile_sources_fail_alone_and_the_run_completes(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["crediteuren_2025", "dpia_register"])
    raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    write_zip_bomb(cfg_path.parent / "data" / "bomb.xlsx")
    with DripServer(interval=2.0) as server:
        raw["sources"] += [
            {"id": "drip", "type": "national_register", "url": server.url + "/api", "limits": {"deadline_minutes": 0.1}},
            {"id": "bomb", "type": "application_portfolio", "path": "data/bomb.xlsx"},
        ]
        raw["limits"] = {"deadline_minutes": 2}
        cfg_path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        cfg = load_config(cfg_path)
        outcome = run_pipeline(cfg, as_of="2026-11-15")
    assert outcome.success, outcome.error
    st = collect_status(cfg)
    drip, bomb = st["sources"]["drip"], st["sources"]["bomb"]
    assert "deadline" in drip["error"] and "\n" not in drip["error"]
    assert "zip bomb" in bomb["error"] and "\n" not in bomb["error"]
    assert st["sources"]["crediteuren_2025"]["rows_loaded"] > 0 and st["sources"]["crediteuren_2025"]["error"] is None
    assert (cfg.data_dir / "site" / "index.html").exists()
