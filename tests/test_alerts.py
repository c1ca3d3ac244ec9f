"""Alerts to the data team: a failed run, a failed source and a missed scheduled run, by e-mail (a local SMTP
server on 127.0.0.1) and by webhook (a local HTTP server)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterInstance, build_run_status_sensor_context, job, op
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.defs.alerts import build_alert_sensors, missed_runs
from tests.conftest import copy_demo
from tests.netutil import free_port


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    handler = _Inbox()
    for _ in range(5):  # another test may take the free port in between: try again
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            continue
    try:
        yield port, handler
    finally:
        controller.stop()


@pytest.fixture
def webhook():
    posts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", posts
    finally:
        server.shutdown()


def _config(tmp_path, port, hook, sources=("crediteuren_2025", "portfolio")):
    alerts = {"email": ["datateam@voorbeeldstad.nl"], "webhook": hook, "sender": "aigrip@voorbeeldstad.nl",
              "smtp": {"host": "127.0.0.1", "port": port, "starttls": False}}
    return copy_demo(tmp_path / "demo", sources=list(sources), alerts=alerts)


@op
def _boom():
    raise RuntimeError("de bron gaf een fout")


@op
def _fine():
    return 1


@job
def failing():
    _boom()


@job
def succeeding():
    _fine()


def _sensors(cfg):
    from pipelines.definitions import build_definitions

    defs = build_definitions(cfg.config_path)
    return {s.name: s for s in defs.sensors}, defs


def test_a_failed_run_alerts_by_mail_and_webhook(tmp_path, smtp, webhook):
    port, inbox = smtp
    url, posts = webhook
    cfg = load_config(_config(tmp_path, port, url))
    sensor = build_alert_sensors(cfg, [])[0]
    with DagsterInstance.ephemeral() as instance:
        result = failing.execute_in_process(instance=instance, raise_on_error=False)
        ctx = build_run_status_sensor_context(sensor_name=sensor.name, dagster_instance=instance,
                                              dagster_run=result.dagster_run,
                                              dagster_event=result.get_run_failure_event()).for_run_failure()
        sensor(ctx)
    assert len(inbox.messages) == 1
    rcpt, content = inbox.messages[0]
    assert rcpt == ["datateam@voorbeeldstad.nl"] and "[aigrip] run failing mislukt" in content
    assert posts and "run failing mislukt" in posts[0]["text"]


def test_a_failed_source_alerts(tmp_path, smtp):
    port, inbox = smtp
    cfg_path = _config(tmp_path, port, None)
    (cfg_path.parent / "data" / "applicatieportfolio.xlsx").write_bytes(b"PK\x03\x04 kapot")
    res = CliRunner().invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 3, res.output
    cfg = load_config(cfg_path)
    sensor = build_alert_sensors(cfg, [])[1]
    with DagsterInstance.ephemeral() as instance:
        result = succeeding.execute_in_process(instance=instance)
        ctx = build_run_status_sensor_context(sensor_name=sensor.name, dagster_instance=instance,
                                              dagster_run=result.dagster_run,
                                              dagster_event=result.get_run_success_event())
        sensor(ctx)
    assert len(inbox.messages) == 1 and "portfolio" in inbox.messages[0][1]
    assert "1 bron(nen) niet geladen" in inbox.messages[0][1]


def test_missed_runs():
    ams = ZoneInfo("Europe/Amsterdam")
    weekly = [("weekly_discovery", "0 6 * * 1", "Europe/Amsterdam")]
    monday_noon = dt.datetime(2026, 12, 7, 14, 0, tzinfo=ams)
    missed = missed_runs(weekly, monday_noon, {}, grace_hours=6)
    assert [(n, t.astimezone(ams).strftime("%Y-%m-%d %H:%M")) for n, t in missed] == [("weekly_discovery", "2026-12-07 06:00")]
    ran = {"weekly_discovery": [dt.datetime(2026, 12, 7, 6, 1, tzinfo=ams).timestamp()]}
    assert missed_runs(weekly, monday_noon, ran, grace_hours=6) == []
    # within the grace period the previous week's run counts
    early = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ams)
    last_week = {"weekly_discovery": [dt.datetime(2026, 11, 30, 6, 0, tzinfo=ams).timestamp()]}
    assert missed_runs(weekly, early, last_week, grace_hours=6) == []


def test_alert_sensors_are_off_without_alert_settings(demo_config):
    from dagster import DefaultSensorStatus

    sensors = build_alert_sensors(load_config(demo_config), [])
    assert {s.default_status for s in sensors} == {DefaultSensorStatus.STOPPED}


def test_bad_alert_settings_are_one_line(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", alerts={"email": ["geen-adres"]})
    res = CliRunner().invoke(app, ["status", "--config", str(cfg_path)])
    assert res.exit_code == 1 and "alerts.email" in res.output and "is not an e-mail address" in res.output
