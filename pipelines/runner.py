"""Running the asset graph in-process (``aigrip run``), with progress and a closing summary."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dagster import AssetSelection, materialize

from pipelines import progress
from pipelines.config import AigripConfig
from pipelines.definitions import build_assets
from pipelines.instance import open_instance
from pipelines.resources import AigripResource
from pipelines.runlock import run_lock
from transforms.errors import AigripError
from warehouse.diskerrors import describe_message

__all__ = ["RunOutcome", "run_pipeline", "GROUPS"]

GROUPS = ("ingest", "normalise", "knowledge", "detect", "reconcile", "classify", "obligations", "publish", "monitor")


@dataclass
class RunOutcome:
    success: bool
    seconds: float
    assets: list[tuple[str, dict, float]] = field(default_factory=list)
    error: str | None = None
    stages: dict[str, str] = field(default_factory=dict)  # asset name -> group
    log_path: Path | None = None

    def seconds_by_stage(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, _info, secs in self.assets:
            stage = self.stages.get(name, "other")
            out[stage] = round(out.get(stage, 0.0) + secs, 3)
        return out


def run_pipeline(config: AigripConfig, *, as_of: str = "", select: str | None = None,
                 on_asset: Callable[[str, dict, float], None] | None = None, known_then: bool = False,
                 wait_s: float = 0.0) -> RunOutcome:
    """Materialise the whole graph (or one group and what it needs downstream) in-process.

    ``known_then`` (history runs, :mod:`pipelines.history`): the run sees only source records dated
    and review decisions taken on or before ``as_of``. Holds the run lock of ``data_dir``
    (pipelines.runlock): when another run is busy, waits up to ``wait_s`` seconds, then raises
    RunLockedError ("er loopt al een run sinds 10:02, pid 1234")."""
    if not config.enabled_sources:
        raise AigripError(f"{config.config_path}: no sources to run: add one under 'sources:' or set 'enabled: true' "
                          "(see docs/sources.md)")
    if select and select not in GROUPS:
        raise AigripError(f"unknown group '{select}'; use one of {', '.join(GROUPS)}")
    assets, checks = build_assets(config)
    resource = AigripResource(config_path=str(config.config_path), as_of=as_of, known_then=known_then)
    outcome = RunOutcome(success=False, seconds=0.0)
    for a in assets:
        for key, group in a.group_names_by_key.items():
            outcome.stages[key.to_user_string()] = group
    start = last = time.perf_counter()

    def _listener(asset: str, info: dict) -> None:
        nonlocal last
        now = time.perf_counter()
        outcome.assets.append((asset, info, now - last))
        if on_asset:
            on_asset(asset, info, now - last)
        last = now

    progress.clear()
    progress.listen(_listener)
    selection = None
    if select:
        selection = AssetSelection.groups(select)
        if select != "monitor":
            selection = selection | AssetSelection.keys("published_snapshot")
    instance = open_instance(config)
    try:
        with run_lock(config.data_dir, wait=wait_s):
            res = materialize([*assets, *checks], resources={"aigrip": resource}, selection=selection,
                              instance=instance, raise_on_error=False, tags={"aigrip/started_by": "cli"},
                              run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
        outcome.success = res.success
        outcome.log_path = _write_log(config, res)
        if not res.success:
            outcome.error = _first_failure(res) + (f" (full log: {outcome.log_path})" if outcome.log_path else "")
    finally:
        instance.dispose()
        progress.clear()
        outcome.seconds = time.perf_counter() - start
    return outcome


def _write_log(config: AigripConfig, res) -> Path | None:
    """Keep the run's Dagster event log (with any traceback) under data_dir/logs for the data team
    (None when it cannot be written, e.g. on a full disk: the run's outcome still counts)."""
    logs = config.data_dir / "logs"
    path = logs / f"run-{res.run_id}.log"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        _write_events(path, res)
    except OSError:
        path.unlink(missing_ok=True)
        return None
    return path


def _write_events(path: Path, res) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for event in res.all_events:
            fh.write(f"{event.event_type_value} {event.step_key or ''} {event.message or ''}\n")
            if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
                fh.write(event.step_failure_data.error.to_string() + "\n")
    return path


def _first_failure(res) -> str:
    for event in res.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            err = data.error if data else None
            cause = err.cause if err is not None and err.cause is not None else err
            message = (cause.message.strip().splitlines()[-1] if cause and cause.message else "failed")
            message = describe_message(message) or message  # a full or read-only disk, named as such
            return f"step '{event.step_key}' failed: {message}"
    return "the run failed (see the Dagster log above)"
