"""The one Dagster instance of a municipality: ``<data_dir>/dagster_home``.

``aigrip run``, ``aigrip ui`` (webserver and daemon) and schedules all use this instance, so the UI
shows every run's history, asset metadata and asset-check results however the run was started.
The ``dagster.yaml`` aigrip writes there switches telemetry and the UI's newsletter prompt off
("nothing leaves your machine") and keeps run storage in SQLite files under the same folder; a
deployment with Postgres (``deploy/``) writes its own ``dagster.yaml`` and aigrip leaves it alone.
"""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance

from pipelines.config import AigripConfig

__all__ = ["dagster_home", "ensure_dagster_home", "open_instance", "INSTANCE_YAML"]

INSTANCE_YAML = """\
# Written by aigrip (pipelines/instance.py). Nothing leaves this machine: no telemetry, no newsletter prompt.
# Replace this file to use another run storage (see deploy/ for Postgres); aigrip then leaves it alone.
telemetry:
  enabled: false
nux:
  enabled: false
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
"""


def dagster_home(config: AigripConfig) -> Path:
    return config.data_dir / "dagster_home"


def ensure_dagster_home(config: AigripConfig) -> Path:
    """The instance folder with aigrip's ``dagster.yaml`` (written once; an operator's own file is kept)."""
    home = dagster_home(config)
    home.mkdir(parents=True, exist_ok=True)
    yaml_path = home / "dagster.yaml"
    if not yaml_path.exists():
        yaml_path.write_text(INSTANCE_YAML, encoding="utf-8")
    return home


def open_instance(config: AigripConfig) -> DagsterInstance:
    """The municipality's persistent Dagster instance (for in-process runs from the CLI)."""
    return DagsterInstance.from_config(str(ensure_dagster_home(config)))
