"""The data team's way of working: the Dagster webserver and daemon (as a deployment starts them) on a copy of
the demo; `discovery_run` launched through the GraphQL API succeeds, and its materializations and asset-check
results are in the instance, next to a run started from the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.instance import ensure_dagster_home
from tests.conftest import copy_demo
from tests.netutil import free_port, wait_for_port

BIN = Path(sys.executable).parent


@pytest.mark.timeout(900)
def test_discovery_run_launched_through_graphql_succeeds(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["crediteuren_2025", "portfolio", "landelijk_register"])
    cfg = load_config(cfg_path)
    home = ensure_dagster_home(cfg)
    # a CLI run first: it must land in the same instance
    res = CliRunner().invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output
    env = dict(os.environ, DAGSTER_HOME=str(home), AIGRIP_CONFIG=str(cfg_path))
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    web = subprocess.Popen([str(BIN / "dagster-webserver"), "-m", "pipelines.definitions", "-h", "127.0.0.1",
                            "-p", str(port)], env=env, cwd=cfg_path.parent, start_new_session=True,
                           stdout=(logs / "web.log").open("w"), stderr=subprocess.STDOUT)
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions"], env=env,
                              cwd=cfg_path.parent, start_new_session=True,
                              stdout=(logs / "daemon.log").open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, web, 240)
        client = DagsterGraphQLClient("127.0.0.1", port_number=port, timeout=120)
        run_id = client.submit_job_execution("discovery_run")
        deadline = time.monotonic() + 600
        status = None
        while time.monotonic() < deadline:
            status = client.get_run_status(run_id)
            if status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
                break
            time.sleep(3)
        assert status == DagsterRunStatus.SUCCESS, (
            f"run {run_id} ended {status}\n" + (logs / "daemon.log").read_text()[-3000:])
    finally:
        for proc in (web, daemon):
            try:
                os.killpg(proc.pid, 15)
            except ProcessLookupError:
                pass
            proc.wait(timeout=60)
    instance = DagsterInstance.from_config(str(home))
    try:
        runs = instance.get_runs()
        by_id = {r.run_id: r for r in runs}
        assert by_id[run_id].job_name == "discovery_run"
        assert any(r.tags.get("aigrip/started_by") == "cli" for r in runs)
        records = instance.fetch_materializations(AssetKey("systems"), limit=10).records
        assert any(r.run_id == run_id for r in records)
        assert {r.run_id for r in records} - {run_id}, "the CLI run's materialization is missing"
        checks = instance.event_log_storage.get_asset_check_execution_history(
            _check_key("raw_crediteuren_2025", "rows_accounted_for"), limit=10)
        assert any(c.run_id == run_id for c in checks)
    finally:
        instance.dispose()


def _check_key(asset: str, name: str):
    from dagster import AssetCheckKey

    return AssetCheckKey(AssetKey(asset), name)
