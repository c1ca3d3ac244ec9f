"""The obligations asset group in the pipeline: tables filled on the demo, moved deadlines recorded."""

from __future__ import annotations

import copy
import shutil

import duckdb
import pytest
from dagster import materialize

from pipelines.config import load_config
from pipelines.defs.obligations.assets import build_obligations_assets
from pipelines.resources import AigripResource
from transforms.obligations import duties


def _snapshot(cfg_path):
    cfg = load_config(cfg_path)
    return duckdb.connect(str(cfg.data_dir / "snapshot.duckdb"), read_only=True)


def test_demo_run_fills_the_obligation_tables(demo_run):
    with _snapshot(demo_run) as con:
        confirmed = {r[0] for r in con.execute("SELECT system_id FROM systems WHERE status = 'confirmed'").fetchall()}
        assert confirmed
        for table in ("obligations", "requirements", "assessments", "reviews"):
            ids = {r[0] for r in con.execute(f"SELECT DISTINCT system_id FROM {table}").fetchall()}
            assert ids and ids <= confirmed, table          # candidates are never systems
        assert con.execute("SELECT count(*) FROM obligations WHERE reason IS NULL OR legal_source IS NULL").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM obligations WHERE obligation_id = 'AIA-4'").fetchall()[0][0] > 0
        assert con.execute("SELECT count(*) FROM assessments").fetchall()[0][0] == 3 * len(confirmed)
        assert con.execute("SELECT count(*) FROM reviews").fetchall()[0][0] == len(confirmed)
        assert con.execute("SELECT count(*) FROM requirements WHERE applicable_reason IS NULL").fetchall()[0][0] == 0


def test_a_changed_date_moves_deadlines_on_the_next_run(demo_run, tmp_path, monkeypatch):
    work = tmp_path / "demo"
    shutil.copytree(demo_run.parent, work)
    cfg_path = work / "aigrip.yaml"
    assets = build_obligations_assets(load_config(cfg_path))
    resources = {"aigrip": AigripResource(config_path=str(cfg_path), as_of="2026-12-06")}
    assert materialize(assets, resources=resources).success
    rules = copy.deepcopy(duties.load_obligation_rules())
    rules["dates"]["avg"]["date"] = rules["dates"]["avg"]["date"].replace(year=2026)   # an (absurd) later AVG date
    monkeypatch.setattr(duties, "load_obligation_rules", lambda: rules)
    assert materialize(assets, resources=resources).success
    cfg = load_config(cfg_path)
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        moves = con.execute("SELECT obligation_id, old_deadline, new_deadline, reason FROM deadline_moves").fetchall()
        n_dpia = con.execute("SELECT count(*) FROM obligations WHERE obligation_id = 'AVG-35' "
                             "AND deadline = DATE '2026-05-25'").fetchall()[0][0]
    assert moves and {m[0] for m in moves} == {"AVG-35"}
    assert len(moves) == n_dpia
    assert all("datum 'avg' in de regels gewijzigd van 25 mei 2018 naar 25 mei 2026" in m[3] for m in moves)


@pytest.mark.parametrize("bad", [{"review_intervals": {"high_risk": 0}}, {"ai_act_role": "importeur"}])
def test_bad_obligation_config_is_one_readable_line(tmp_path, bad):
    from tests.conftest import copy_demo
    from transforms.errors import ConfigError

    cfg = copy_demo(tmp_path / "d", obligations=bad)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert "obligations" in str(info.value) and "\n" not in str(info.value)
