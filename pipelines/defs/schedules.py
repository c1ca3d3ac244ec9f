"""Jobs, schedules and sensors: when discovery runs happen without anyone typing a command."""

from __future__ import annotations

import datetime as dt
import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from connectors.inbox import process_inbox
from pipelines.config import AigripConfig
from pipelines.runlock import lock_holder
from warehouse.decision_log import log_path

__all__ = ["build_automation"]


def build_automation(config: AigripConfig, config_path: str):
    # Every step writes the one DuckDB warehouse, which takes one writer at a time: jobs run their steps
    # one after the other in one process (as 'aigrip run' does), also when the webserver or daemon starts them.
    discovery = define_asset_job("discovery_run", selection=AssetSelection.all(), executor_def=in_process_executor,
                                 description="A whole discovery run: ingest → … → monitor.")
    apply_decisions = define_asset_job(
        "apply_decisions",
        selection=AssetSelection.groups("reconcile", "classify", "publish", "monitor"),
        executor_def=in_process_executor,
        description="Re-applies reviewers' decisions without re-reading the sources.",
    )

    def _run_config(as_of: dt.date, lock_wait_minutes: float = 0.0) -> dict:
        return {"resources": {"aigrip": {"config": {"config_path": config_path, "as_of": as_of.isoformat(),
                                                    "lock_wait_minutes": lock_wait_minutes}}}}

    @schedule(job=discovery, cron_schedule="0 6 * * 1", execution_timezone="Europe/Amsterdam",
              default_status=DefaultScheduleStatus.STOPPED,
              description="Weekly discovery run, Monday 06:00 (skipped while another run is busy).")
    def weekly_discovery(context: ScheduleEvaluationContext):
        if busy := lock_holder(config.data_dir):
            return SkipReason(busy)
        return RunRequest(run_config=_run_config(context.scheduled_execution_time.date()))

    @schedule(job=discovery, cron_schedule="0 5 1 * *", execution_timezone="Europe/Amsterdam",
              default_status=DefaultScheduleStatus.STOPPED,
              description="Monthly run on the 1st that closes the previous month's report.")
    def monthly_report(context: ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date() - dt.timedelta(days=1)
        # the month's report must not be lost to a busy run: this run waits (up to 3 hours) for it
        return RunRequest(run_key=f"report-{day:%Y-%m}", run_config=_run_config(day, lock_wait_minutes=180))

    @sensor(job=apply_decisions, minimum_interval_seconds=120, default_status=DefaultSensorStatus.STOPPED,
            description="Applies new review decisions shortly after reviewers save them.")
    def new_decisions(context: SensorEvaluationContext):
        path = log_path(config.data_dir)
        if not path.exists():
            return SkipReason(f"no decision log yet at {path}")
        stamp = f"{os.path.getsize(path)}:{int(path.stat().st_mtime)}"
        if context.cursor == stamp:
            return SkipReason("no new decisions")
        if busy := lock_holder(config.data_dir):
            return SkipReason(busy + "; de beslissingen worden na die run verwerkt")
        context.update_cursor(stamp)
        return RunRequest(run_key=stamp, run_config=_run_config(dt.date.today()))

    @sensor(job=discovery, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED,
            description="Checks files dropped in data_dir/inbox/<source_id>/, files them (added to or replacing "
                        "the source, by type) and starts a discovery run; bad files go to inbox/rejected/ with a note.")
    def inbox(context: SensorEvaluationContext):
        outcome = process_inbox(config.data_dir, [s.to_spec() for s in config.enabled_sources if s.path is not None])
        for sid, name, why in outcome.rejected:
            context.log.warning(f"inbox: {sid}/{name} geweigerd: {why}")
        if not outcome.accepted:
            rejected = f"; {len(outcome.rejected)} geweigerd (zie inbox/rejected/)" if outcome.rejected else ""
            return SkipReason("geen nieuwe bestanden in de inbox" + rejected)
        files = ", ".join(f"{sid}/{name} ({how})" for sid, name, how in outcome.accepted)
        context.log.info(f"inbox: {files}")
        return RunRequest(run_key=f"inbox-{dt.datetime.now():%Y%m%dT%H%M%S%f}",
                          run_config=_run_config(dt.date.today()), tags={"aigrip/inbox": files[:200]})

    from pipelines.defs.alerts import build_alert_sensors

    schedules = [weekly_discovery, monthly_report]
    alerts = build_alert_sensors(config, schedules)
    return [discovery, apply_decisions], schedules, [new_decisions, inbox, *alerts]
