"""Running aigrip as a service: one persistent Dagster instance, honest exit codes, one-line errors,
the quarantine listing, and `aigrip ui` stopping with all its children."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import yaml
from dagster import AssetKey, DagsterInstance
from typer.testing import CliRunner

from pipelines.cli import EXIT_PARTIAL, app
from pipelines.config import load_config
from pipelines.instance import dagster_home
from tests.conftest import copy_demo
from tests.netutil import free_port

runner = CliRunner()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_run_is_recorded_in_the_persistent_instance(demo_run):
    cfg = load_config(demo_run)
    home = dagster_home(cfg)
    settings = yaml.safe_load((home / "dagster.yaml").read_text())
    assert settings["telemetry"] == {"enabled": False} and settings["nux"] == {"enabled": False}
    instance = DagsterInstance.from_config(str(home))
    try:
        runs = instance.get_runs()
        assert runs and runs[0].tags.get("aigrip/started_by") == "cli"
        event = instance.get_latest_materialization_event(AssetKey("systems"))
        assert event is not None and event.asset_materialization.metadata
    finally:
        instance.dispose()


def test_a_failed_source_gives_the_partial_exit_code(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["crediteuren_2025", "portfolio"])
    (cfg_path.parent / "data" / "applicatieportfolio.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    res = runner.invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == EXIT_PARTIAL == 3, res.output
    assert "partial run" in res.output and "portfolio" in res.output


@pytest.mark.parametrize("command, body, message", [
    ("run", "organisation: {name: X, code: gm0001, contact_email: a@b.nl}\ndata_dir: var\nsources: []\n", "no sources"),
    ("status", "organisation: {name: X, code: gm0001, contact_email: 'geen adres'}\ndata_dir: var\n"
     "sources: [{id: l, type: spend_ledger, path: l.csv}]\n", "is not an e-mail address"),
])
def test_config_errors_are_one_line(tmp_path, command, body, message):
    cfg = _write(tmp_path / "aigrip.yaml", body)
    res = runner.invoke(app, [command, "--config", str(cfg)])
    assert res.exit_code == 1 and message in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["serve"], ["ui"]])
def test_an_invalid_port_is_refused(demo_config, command):
    res = runner.invoke(app, [*command, "--config", str(demo_config), "--port", "99999"])
    assert res.exit_code == 1 and "not a port number" in res.output


def test_an_unknown_reviewer_is_refused(demo_run):
    res = runner.invoke(app, ["review", "decide", "AIG-000001", "--action", "defer", "--reviewer", "nobody",
                              "--config", str(demo_run)])
    assert res.exit_code == 1 and "'nobody' is geen beoordelaar" in res.output


def test_quarantine_lists_reasons_without_row_text(demo_run, tmp_path):
    res = runner.invoke(app, ["quarantine", "--config", str(demo_run), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and set(rows[0]) == {"source_id", "row_ref", "reason"}
    one = rows[0]["source_id"]
    res = runner.invoke(app, ["quarantine", "--config", str(demo_run), "--source", one])
    assert res.exit_code == 0 and res.output.startswith(f"{one}: ")
    out = tmp_path / "q.xlsx"
    res = runner.invoke(app, ["quarantine", "--config", str(demo_run), "--out", str(out)])
    assert res.exit_code == 0 and out.exists()
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]] == ["Bron", "Rij", "Reden"] and sheet.max_row == len(rows) + 1
    res = runner.invoke(app, ["quarantine", "--config", str(demo_run), "--source", "bestaat_niet"])
    assert res.exit_code == 1 and "no source 'bestaat_niet'" in res.output


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tree(pid: int) -> list[int]:
    from pipelines.processes import descendants

    return descendants(pid)


@pytest.mark.timeout(240)
def test_ui_stops_with_all_its_children_on_sigterm(demo_config):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ui", "--config", str(demo_config),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))
    try:
        deadline = time.monotonic() + 180
        while not _answers(port) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(1)
        assert _answers(port), "the Dagster UI did not start"
        children = _tree(proc.pid)
        assert children
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        time.sleep(1)
        left = [p for p in children if Path(f"/proc/{p}").exists()
                and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert not left, f"processes left running: {left}"
        assert not _answers(port)
    finally:
        if proc.poll() is None:
            proc.kill()
