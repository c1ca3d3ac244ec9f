"""Tenant runs through Dagster's own run queue (used by :func:`pipelines.platform_run.run_all_tenants`).

One run of the partitioned tenant job per tenant is created from the code location (a managed code
server that loads ``pipelines.definitions`` with ``$AIGRIP_CONFIG`` = the tenants file) and submitted
to the instance's ``QueuedRunCoordinator``. This process then runs the coordinator's daemon loop
(:class:`QueuedRunCoordinatorDaemon`) until every run has ended: the daemon dequeues at most
``max_concurrent_runs`` runs at a time and launches each with the instance's run launcher (a
process per run). This is the same machinery ``dagster-daemon`` runs; a cluster swaps the launcher
for Kubernetes (deploy/, docs/tenants.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from pipelines.tenants import Platform
from transforms.errors import AigripError

__all__ = ["submit_and_wait", "LOCATION"]

LOCATION = "aigrip"
_ENDED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
_REPO_ROOT = Path(__file__).resolve().parent.parent


def _create_run(instance: DagsterInstance, location, repo, job_name: str, tenant: str, run_config: dict):
    from dagster._core.definitions.selector import JobSubsetSelector

    selector = JobSubsetSelector(location_name=location.name, repository_name=repo.name, job_name=job_name,
                                 op_selection=None)
    remote_job = location.get_job(selector)
    plan = location.get_execution_plan(remote_job, run_config, step_keys_to_execute=None, known_state=None,
                                       instance=instance)
    snap = plan.execution_plan_snapshot
    tags = {**remote_job.tags, "dagster/partition": tenant, "aigrip/tenant": tenant, "aigrip/started_by": "cli"}
    return instance.create_run(
        job_name=job_name, run_id=None, run_config=run_config, resolved_op_selection=None,
        step_keys_to_execute=snap.step_keys_to_execute, op_selection=None, status=None, root_run_id=None,
        parent_run_id=None, tags=tags, job_snapshot=remote_job.job_snapshot, execution_plan_snapshot=snap,
        parent_job_snapshot=remote_job.parent_job_snapshot, remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(), asset_selection=None, asset_check_selection=None,
        asset_graph=repo.asset_graph)


def _failure_line(instance: DagsterInstance, run_id: str) -> str | None:
    """The first step failure of a run, as one line (its message's last line)."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records
    for rec in records:
        event = rec.event_log_entry.dagster_event
        data = event.step_failure_data if event else None
        err = data.error if data else None
        cause = err.cause if err is not None and err.cause is not None else err
        if cause is not None and cause.message:
            return f"stap '{event.step_key}': {cause.message.strip().splitlines()[-1]}"
    return None


def _cancel_open(instance: DagsterInstance, run_ids: list[str]) -> None:
    for run_id in run_ids:
        try:
            instance.run_coordinator.cancel_run(run_id)
        except Exception:  # noqa: BLE001 - best effort while stopping
            pass


def submit_and_wait(instance: DagsterInstance, platform: Platform, job_name: str, *, as_of: str = "",
                    on_done: Callable | None = None, poll: float = 1.0, timeout_s: float = 6 * 3600) -> list:
    """Submit one run per tenant, dequeue them with the coordinator daemon, wait; results per tenant."""
    from pipelines.platform_run import TenantResult

    run_config = {"resources": {"aigrip": {"config": {"config_path": str(platform.path),
                                                      "tenants_path": str(platform.path), "as_of": as_of}}},
                  "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    target = ModuleTarget(module_name="pipelines.definitions", attribute=None, working_directory=str(_REPO_ROOT),
                          location_name=LOCATION)
    results: dict[str, TenantResult] = {}
    with WorkspaceProcessContext(instance, target, code_server_log_level="ERROR") as wpc:
        request = wpc.create_request_context()
        error = request.get_code_location_error(LOCATION)
        if error is not None:
            raise AigripError(f"de Dagster-code kon niet geladen worden: {error.message.strip().splitlines()[-1]}")
        location = request.get_code_location(LOCATION)
        repo = next(iter(location.get_repositories().values()))
        runs: dict[str, str] = {}
        for tenant in platform.tenant_ids:
            run = _create_run(instance, location, repo, job_name, tenant, run_config)
            instance.submit_run(run.run_id, request)
            runs[run.run_id] = tenant
        daemon = QueuedRunCoordinatorDaemon(interval_seconds=poll)
        queued = isinstance(instance.run_coordinator, QueuedRunCoordinator)
        deadline = time.monotonic() + timeout_s
        try:
            while len(results) < len(runs):
                if queued:  # an operator's dagster.yaml without the queue launches on submission
                    list(daemon.run_iteration(wpc))
                for run_id, tenant in runs.items():
                    if tenant in results:
                        continue
                    record = instance.get_run_record_by_id(run_id)
                    if record is None or record.dagster_run.status not in _ENDED:
                        continue
                    status = record.dagster_run.status
                    seconds = (record.end_time - record.start_time) if record.start_time and record.end_time else None
                    error = _failure_line(instance, run_id) if status != DagsterRunStatus.SUCCESS else None
                    results[tenant] = TenantResult(tenant, status.value, run_id, seconds, error)
                    if on_done:
                        on_done(results[tenant])
                if time.monotonic() > deadline:
                    raise AigripError(f"de tenant-runs zijn na {timeout_s / 3600:.1f} uur niet klaar; "
                                      "bekijk ze met 'aigrip ui --config tenants.yaml'")
                if len(results) < len(runs):
                    time.sleep(poll)
        except BaseException:  # a timeout or Ctrl-C: no run is left queued or running behind our back
            _cancel_open(instance, [r for r, t in runs.items() if t not in results])
            raise
    return [results[t] for t in platform.tenant_ids]
