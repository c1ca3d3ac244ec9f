"""Schedules of a platform of tenants (docs/tenants.md): the shared run, then every tenant's partition.

Both are off until switched on in the UI (``aigrip ui --config tenants.yaml``, *Automation*), like the
single municipality's schedules. The weekly shared run (Monday 05:30, Europe/Amsterdam) refreshes the
peer registers and the knowledge base; half an hour later one run per tenant partition is queued,
and the platform's queued run coordinator starts at most ``max_concurrent_runs`` of them at once.
A tenant whose previous run is still busy is skipped for that week, with the reason.
"""

from __future__ import annotations

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from pipelines.runlock import lock_holder
from pipelines.tenants import Platform

__all__ = ["build_platform_schedules"]


def build_platform_schedules(platform: Platform, shared_job, tenant_job) -> list:
    path = str(platform.path)

    def _run_config(day: str) -> dict:
        return {"resources": {"aigrip": {"config": {"config_path": path, "tenants_path": path, "as_of": day}}}}

    @schedule(job=shared_job, cron_schedule="30 5 * * 1", execution_timezone="Europe/Amsterdam",
              default_status=DefaultScheduleStatus.STOPPED,
              description="Weekly shared run, Monday 05:30: peer registers and knowledge base for all tenants.")
    def weekly_shared(context: ScheduleEvaluationContext):
        if busy := lock_holder(platform.data_dir):
            return SkipReason(busy)
        day = context.scheduled_execution_time.date().isoformat()
        return RunRequest(run_key=f"shared-{day}", run_config=_run_config(day))

    @schedule(job=tenant_job, cron_schedule="0 6 * * 1", execution_timezone="Europe/Amsterdam",
              default_status=DefaultScheduleStatus.STOPPED,
              description="Weekly discovery run of every tenant, Monday 06:00, through the run queue.")
    def weekly_tenants(context: ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date().isoformat()
        requests, skipped = [], []
        for tenant in platform.tenants:
            if busy := lock_holder(tenant.data_dir):
                skipped.append(f"{tenant.id}: {busy}")
                continue
            requests.append(RunRequest(run_key=f"{tenant.id}-{day}", partition_key=tenant.id,
                                       run_config=_run_config(day), tags={"aigrip/tenant": tenant.id}))
        if not requests:
            return SkipReason("; ".join(skipped) or "geen tenants")
        for line in skipped:
            context.log.info(f"overgeslagen: {line}")
        return requests

    return [weekly_shared, weekly_tenants]
