"""Runs on a platform of tenants (``aigrip run --config tenants.yaml --tenant ID | --all-tenants``).

* :func:`run_shared` materialises the shared assets (peer registers, knowledge base, shared snapshot)
  in-process, once.
* :func:`run_tenant` runs the shared assets and then one tenant's partition in-process (as
  ``aigrip run`` does for a single municipality), recorded in the platform's Dagster instance.
* :func:`run_all_tenants` runs the shared assets once, then submits one Dagster run per tenant
  partition to the platform's instance, whose ``QueuedRunCoordinator`` limits how many run at once;
  this process runs the queued-run coordinator's daemon loop itself (no separate ``dagster-daemon``)
  and waits until every run has ended. Each run is its own process, launched by Dagster's default
  run launcher through a code server that loads ``pipelines.definitions`` with the tenants file.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from dagster import DagsterInstance, materialize

from pipelines import progress
from pipelines.instance import INSTANCE_YAML
from pipelines.platform_defs import TENANT_JOB, build_platform_graph
from pipelines.resources import AigripResource
from pipelines.runner import RunOutcome, _first_failure, _write_log
from pipelines.tenants import Platform
from transforms.errors import AigripError

__all__ = ["TenantResult", "ensure_platform_home", "open_platform_instance", "run_shared", "run_tenant",
           "run_all_tenants"]

_MARK = "# Written by aigrip"
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class TenantResult:
    """How one tenant's partition run ended (status: SUCCESS, FAILURE, CANCELED …)."""

    tenant: str
    status: str
    run_id: str
    seconds: float | None
    error: str | None = None


def ensure_platform_home(platform: Platform) -> Path:
    """The platform's Dagster home with aigrip's ``dagster.yaml`` (queued run coordinator at the limit of
    tenants.yaml). aigrip rewrites only a file it wrote itself; an operator's own file (Postgres, deploy/) is kept."""
    home = platform.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    text = re.sub(r"max_concurrent_runs: \d+", f"max_concurrent_runs: {platform.max_concurrent_runs}", INSTANCE_YAML)
    if not path.exists() or path.read_text(encoding="utf-8").startswith(_MARK):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return home


def open_platform_instance(platform: Platform, max_concurrent_runs: int | None = None) -> DagsterInstance:
    """The platform's persistent instance; ``max_concurrent_runs`` overrides the queue's limit for this process."""
    from dagster._core.instance.ref import InstanceRef

    home = str(ensure_platform_home(platform))
    overrides = None
    if max_concurrent_runs:
        overrides = {"run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator",
                                         "config": {"max_concurrent_runs": max_concurrent_runs}}}
    return DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides=overrides))


# the shared run of one `--tenant` command waits this long for another command's shared run to finish
SHARED_LOCK_WAIT_MINUTES = 30.0


def _resource(platform: Platform, as_of: str, lock_wait_minutes: float = 0.0) -> AigripResource:
    return AigripResource(config_path=str(platform.path), tenants_path=str(platform.path), as_of=as_of,
                          lock_wait_minutes=lock_wait_minutes)


def _materialize(platform: Platform, graph, instance, selection, as_of: str, partition: str | None,
                 log_config) -> RunOutcome:
    outcome = RunOutcome(success=False, seconds=0.0)
    start = time.perf_counter()
    wait = SHARED_LOCK_WAIT_MINUTES if partition is None else 0.0
    res = materialize([*graph.assets, *graph.checks], resources={"aigrip": _resource(platform, as_of, wait)},
                      selection=selection, partition_key=partition, instance=instance, raise_on_error=False,
                      tags={"aigrip/started_by": "cli"}, run_config=_QUIET)
    outcome.success = res.success
    outcome.log_path = _write_log(log_config, res)
    if not res.success:
        outcome.error = _first_failure(res) + (f" (full log: {outcome.log_path})" if outcome.log_path else "")
    outcome.seconds = time.perf_counter() - start
    return outcome


def run_shared(platform: Platform, *, as_of: str = "", instance: DagsterInstance | None = None) -> RunOutcome:
    """The shared assets, once for all tenants (in-process, in the platform's instance)."""
    graph = build_platform_graph(platform)
    own = instance is None
    instance = instance or open_platform_instance(platform)
    try:
        return _materialize(platform, graph, instance, graph.shared_selection, as_of, None, platform.shared_config())
    finally:
        if own:
            instance.dispose()


def run_tenant(platform: Platform, tenant_id: str, *, as_of: str = "",
               on_asset: Callable[[str, dict, float], None] | None = None) -> RunOutcome:
    """The shared assets, then one tenant's partition, in-process. The outcome is the tenant's run."""
    tenant = platform.tenant(tenant_id)
    graph = build_platform_graph(platform)
    instance = open_platform_instance(platform)
    try:
        shared = _materialize(platform, graph, instance, graph.shared_selection, as_of, None, platform.shared_config())
        if not shared.success:
            shared.error = f"gedeelde gegevens: {shared.error}"
            return shared
        last = time.perf_counter()

        def _listener(asset: str, info: dict) -> None:
            nonlocal last
            now = time.perf_counter()
            if on_asset:
                on_asset(asset, info, now - last)
            last = now

        progress.clear()
        progress.listen(_listener)
        try:
            return _materialize(platform, graph, instance, graph.tenant_selection, as_of, tenant.id, tenant.config)
        finally:
            progress.clear()
    finally:
        instance.dispose()


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def run_all_tenants(platform: Platform, *, as_of: str = "", concurrency: int | None = None,
                    on_done: Callable[[TenantResult], None] | None = None, poll: float = 1.0,
                    timeout_s: float = 6 * 3600) -> list[TenantResult]:
    """Shared assets once, then every tenant's partition through the queued run coordinator; waits for all."""
    from pipelines.platform_queue import submit_and_wait

    instance = open_platform_instance(platform, concurrency)
    try:
        shared = run_shared(platform, as_of=as_of, instance=instance)
        if not shared.success:
            raise AigripError(f"de gedeelde run (peer-registers, kennisbank) is mislukt: {shared.error}")
        with _env("AIGRIP_CONFIG", str(platform.path)):
            return submit_and_wait(instance, platform, TENANT_JOB, as_of=as_of, on_done=on_done, poll=poll,
                                   timeout_s=timeout_s)
    finally:
        instance.dispose()
