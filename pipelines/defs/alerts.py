"""Sensors that alert the data team (see pipelines/alerts.py): a failed run, a failed source, a missed run.

They run in the Dagster daemon. They are switched on by default when ``alerts:`` names an address
or a webhook, and off otherwise.
"""

from __future__ import annotations

import datetime as dt
import json

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunsFilter,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)
from dagster._utils.schedules import reverse_cron_string_iterator

from pipelines.alerts import send_alert
from pipelines.config import AigripConfig
from warehouse import SNAPSHOT_NAME, snapshot_connect, table_exists

__all__ = ["build_alert_sensors", "missed_runs", "failed_sources"]


def failed_sources(config: AigripConfig) -> list[tuple[str, str]]:
    """(source id, error) of every source that failed in the last published run."""
    if not (config.data_dir / SNAPSHOT_NAME).exists():
        return []
    with snapshot_connect(config.data_dir) as con:
        if not table_exists(con, "source_status"):
            return []
        return [(sid, err) for sid, err in con.execute(
            "SELECT source_id, error FROM source_status WHERE error IS NOT NULL ORDER BY source_id").fetchall()]


def missed_runs(schedules: list[tuple[str, str, str]], now: dt.datetime, started: dict[str, list[float]],
                grace_hours: float) -> list[tuple[str, dt.datetime]]:
    """The latest expected time of every schedule (name, cron, timezone) that passed more than
    ``grace_hours`` ago without a run started since (``started``: run start timestamps per schedule)."""
    out = []
    for name, cron, tz in schedules:
        expected = next(reverse_cron_string_iterator(now.timestamp() - grace_hours * 3600, cron, tz))
        if not any(ts >= expected.timestamp() - 300 for ts in started.get(name, [])):
            out.append((name, expected))
    return out


def _dutch(moment: dt.datetime) -> str:
    """'7 december 2026 om 06:00' in Amsterdam time."""
    from zoneinfo import ZoneInfo

    from transforms.classify.rulebook import dutch_date

    local = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"{dutch_date(local.date())} om {local:%H:%M}"


def build_alert_sensors(config: AigripConfig, schedules) -> list:
    status = DefaultSensorStatus.RUNNING if config.alerts.enabled else DefaultSensorStatus.STOPPED

    @run_failure_sensor(name="alert_on_run_failure", default_status=status, monitor_all_code_locations=False,
                        description="Alerts the data team (alerts: in aigrip.yaml) when a run fails.")
    def alert_on_run_failure(context: RunFailureSensorContext):
        run = context.dagster_run
        error = context.failure_event.message or "onbekende fout"
        how = run.tags.get("dagster/schedule_name") or run.tags.get("dagster/sensor_name") or "met de hand"
        done = send_alert(config, f"run {run.job_name} mislukt",
                          f"De run {run.run_id} van {run.job_name} (gestart: {how}) is mislukt.\n"
                          f"Fout: {error.splitlines()[0][:500]}\nZie de Dagster UI voor het volledige logboek.")
        context.log.info("alert: " + "; ".join(done))

    @run_status_sensor(name="alert_on_failed_sources", run_status=DagsterRunStatus.SUCCESS, default_status=status,
                       description="Alerts the data team when a run completed but a source failed to load.")
    def alert_on_failed_sources(context: RunStatusSensorContext):
        failed = failed_sources(config)
        if not failed:
            return SkipReason("alle bronnen geladen")
        lines = "\n".join(f"- {sid}: {err}" for sid, err in failed)
        done = send_alert(config, f"{len(failed)} bron(nen) niet geladen",
                          f"De run {context.dagster_run.run_id} is voltooid, maar deze bronnen konden niet "
                          f"geladen worden:\n{lines}\nDe andere bronnen zijn verwerkt.")
        context.log.info("alert: " + "; ".join(done))

    crons = [(s.name, s.cron_schedule, s.execution_timezone or "UTC") for s in schedules]

    @sensor(name="alert_on_missed_runs", minimum_interval_seconds=900, default_status=status,
            description="Alerts the data team when a switched-on schedule's run did not start.")
    def alert_on_missed_runs(context: SensorEvaluationContext):
        active = {s.instigator_name for s in context.instance.all_instigator_state()
                  if s.status.value == "RUNNING"}
        watched = [c for c in crons if c[0] in active]
        if not watched:
            return SkipReason("geen ingeschakelde schema's")
        started = {}
        for name, _cron, _tz in watched:
            runs = context.instance.get_run_records(RunsFilter(tags={"dagster/schedule_name": name}), limit=5)
            started[name] = [r.create_timestamp.timestamp() for r in runs]
        now = dt.datetime.now(dt.timezone.utc)
        cursor = set(json.loads(context.cursor)) if context.cursor else set()
        new = [(n, t) for n, t in missed_runs(watched, now, started, config.alerts.missed_run_hours)
               if f"{n}@{t.isoformat()}" not in cursor]
        if not new:
            return SkipReason("geen gemiste runs")
        for name, expected in new:
            done = send_alert(config, f"geplande run {name} niet gestart",
                              f"De run van schema {name} had op {_dutch(expected)} moeten starten, maar is niet "
                              "gestart. Controleer of de Dagster-daemon draait.")
            context.log.info("alert: " + "; ".join(done))
            cursor.add(f"{name}@{expected.isoformat()}")
        context.update_cursor(json.dumps(sorted(cursor)[-50:]))
        return SkipReason(f"{len(new)} gemiste run(s) gemeld")

    return [alert_on_run_failure, alert_on_failed_sources, alert_on_missed_runs]
