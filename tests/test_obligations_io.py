"""Obligations I/O: the requirements XLSX round trip, the CLI commands and the e-mail digest
received by a local SMTP server (aiosmtpd on 127.0.0.1, a free port)."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
import time

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.requirements_xlsx import export_requirements, import_requirements
from tests.netutil import free_port
from transforms.obligations.digest import DigestItem, compose_digest
from warehouse.decision_log import log_path, read_decisions


@pytest.fixture()
def demo_copy(demo_run, tmp_path):
    """A copy of the finished demo run (its own decision log), with the config path."""
    work = tmp_path / "demo"
    shutil.copytree(demo_run.parent, work)
    return work / "aigrip.yaml"


def _requirement_events(cfg):
    return [e for e in read_decisions(log_path(cfg.data_dir)) if e["action"] == "requirement"]


def _edit(path, changes: dict[tuple[str, str], dict]):
    wb = load_workbook(path)
    ws = wb["Vereisten"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    for row in ws.iter_rows(min_row=2):
        key = (row[col["Systeem"]].value, row[col["Code"]].value)
        for h, v in changes.get(key, {}).items():
            row[col[h]].value = v
    wb.save(path)


def test_requirements_xlsx_round_trip_records_decisions_once(demo_copy, tmp_path):
    cfg = load_config(demo_copy)
    out = tmp_path / "vereisten.xlsx"
    n = export_requirements(cfg.data_dir, out)
    wb = load_workbook(out)
    ws = wb["Vereisten"]
    assert ws.max_row == n + 1 and "Toelichting" in wb.sheetnames
    assert ws.data_validations.dataValidation, "status column has a drop-down"
    sid = ws.cell(row=2, column=1).value
    _edit(out, {(sid, "aia-01"): {"Status": "Gedaan", "Eigenaar": "Team HR", "Bewijs (link of document)": '=HYPERLINK("https://intranet/ai-training", "training")',
                                  "Datum (JJJJ-MM-DD)": dt.datetime(2026, 11, 1)},
                (sid, "woo-01"): {"Status": "niet van toepassing", "Toelichting": "geen openbare informatie"}})
    dry = import_requirements(cfg.data_dir, out, "piet", dry_run=True)
    assert len(dry.decisions) == 2 and not dry.problems and _requirement_events(cfg) == []
    res = import_requirements(cfg.data_dir, out, "piet")
    assert len(res.decisions) == 2 and res.unchanged == n - 2
    events = [e for e in read_decisions(log_path(cfg.data_dir)) if e["action"] == "requirement"]
    first = next(e for e in events if e["fields"]["item"] == "aia-01")
    assert first["fields"] == {"item": "aia-01", "status": "gedaan", "owner": "Team HR", "evidence": "https://intranet/ai-training",
                               "date": "2026-11-01"}
    assert next(e for e in events if e["fields"]["item"] == "woo-01")["reason"] == "geen openbare informatie"
    import_requirements(cfg.data_dir, out, "piet")              # the same file again: nothing new
    assert len([e for e in read_decisions(log_path(cfg.data_dir)) if e["action"] == "requirement"]) == 2


def test_requirements_import_with_problems_saves_nothing(demo_copy, tmp_path):
    cfg = load_config(demo_copy)
    out = tmp_path / "v.xlsx"
    export_requirements(cfg.data_dir, out)
    ws = load_workbook(out)["Vereisten"]
    sid = ws.cell(row=2, column=1).value
    _edit(out, {(sid, "aia-01"): {"Status": "klaar"}, (sid, "woo-01"): {"Status": "niet van toepassing"},
                (sid, "avg-01"): {"Status": "gedaan"}})
    res = import_requirements(cfg.data_dir, out, "piet")
    assert len(res.problems) == 2 and all("v.xlsx row" in p for p in res.problems)
    assert any("status must be one of" in p for p in res.problems)
    assert _requirement_events(cfg) == []


def test_export_neutralises_formulas(demo_copy, tmp_path):
    from pipelines.requirements_xlsx import _text

    assert _text("'=SUM(A1)") == "=SUM(A1)"        # restored on import
    cfg = load_config(demo_copy)
    out = tmp_path / "v.xlsx"
    export_requirements(cfg.data_dir, out)
    values = [c.value for row in load_workbook(out)["Vereisten"].iter_rows(min_row=2) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)


def test_cli_obligations_reviews_requirements(demo_copy, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["obligations", "--config", str(demo_copy), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and {"system_id", "duty", "legal_source", "deadline", "status", "reason"} <= set(rows[0])
    r = runner.invoke(app, ["reviews", "--config", str(demo_copy)])
    assert r.exit_code == 0 and "volgende herbeoordeling" in r.output
    out = tmp_path / "v.xlsx"
    r = runner.invoke(app, ["requirements", "export", "--config", str(demo_copy), "--out", str(out)])
    assert r.exit_code == 0 and out.exists()
    r = runner.invoke(app, ["requirements", "progress", "--config", str(demo_copy), "--by", "organisation"])
    assert r.exit_code == 0 and r.output.startswith("Hele organisatie: 0 gedaan")
    r = runner.invoke(app, ["requirements", "progress", "--config", str(demo_copy), "--by", "afdeling"])
    assert r.exit_code == 1 and "not one of system, department, organisation" in r.output
    r = runner.invoke(app, ["requirements", "import", str(tmp_path / "nope.xlsx"), "--reviewer", "privacy", "--config", str(demo_copy)])
    assert r.exit_code == 1 and "file not found" in r.output and "Traceback" not in r.output


def test_digest_groups_items_per_recipient_in_dutch():
    items = [DigestItem("candidate", "AIG-000001", "Chatbot", "Dienstverlening", "nieuwe kandidaat, gevonden op 1 december 2026"),
             DigestItem("overdue_review", "AIG-000002", "Risicomodel", "Werk en Inkomen", "herbeoordeling te laat"),
             DigestItem("deadline", "AIG-000002", "Risicomodel", "Werk en Inkomen", "FRIA: uiterlijk 2 december 2027")]
    recipients = [{"name": "Privacy", "email": "privacy@example.nl", "role": "reviewer", "departments": []},
                  {"name": "W&I", "email": "wi@example.nl", "role": "owner", "departments": ["werk en inkomen"]},
                  {"name": "Sport", "email": "sport@example.nl", "role": "owner", "departments": ["Sport"]}]
    msgs = compose_digest(items, recipients, organisation="Gemeente Testdorp", as_of=dt.date(2026, 12, 6), horizon_days=90,
                          app_url="http://127.0.0.1:8321")
    assert [m.to for m in msgs] == ["privacy@example.nl", "wi@example.nl"]      # nothing to report: no mail
    assert msgs[0].subject == ("aigrip Gemeente Testdorp: 1 nieuwe kandidaat, 1 herbeoordeling te laat, "
                               "1 termijn binnen 90 dagen")
    assert "6 december 2026" in msgs[0].text and "http://127.0.0.1:8321/systemen/AIG-000001" in msgs[0].text
    assert "Chatbot" not in msgs[1].text and "Risicomodel" in msgs[1].text


@pytest.fixture()
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    for _ in range(5):
        controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            time.sleep(0.1)
    yield controller, received
    controller.stop()


def test_digest_is_received_by_a_local_smtp_server(demo_copy, smtp_server):
    controller, received = smtp_server
    raw = yaml.safe_load(demo_copy.read_text(encoding="utf-8"))
    raw["digest"] = {"enabled": True, "sender": "aigrip@voorbeeldstad.nl", "horizon_days": 90,
                     "smtp": {"host": "127.0.0.1", "port": controller.port, "starttls": False, "timeout": 10},
                     "recipients": [{"name": "Privacyfunctionaris", "email": "privacy@voorbeeldstad.nl", "role": "reviewer"},
                                    {"name": "Team Sport", "email": "sport@voorbeeldstad.nl", "role": "owner",
                                     "departments": ["Sport en Recreatie"]}]}
    demo_copy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["digest", "--config", str(demo_copy), "--as-of", "2026-11-15", "--dry-run"])
    assert r.exit_code == 0 and "Subject: aigrip Gemeente Voorbeeldstad" in r.output
    r = runner.invoke(app, ["digest", "--config", str(demo_copy), "--as-of", "2026-11-15"])
    assert r.exit_code == 0, r.output
    assert "sent 1 digest message(s)" in r.output
    assert len(received) == 1
    msg = received[0]
    assert msg["To"] == "Privacyfunctionaris <privacy@voorbeeldstad.nl>" and msg["Content-Language"] == "nl"
    body = email.message_from_string(msg.as_string()).get_payload(decode=True).decode("utf-8")
    assert "Dit is het overzicht van aigrip voor Gemeente Voorbeeldstad op 15 november 2026." in body
    assert "Termijnen die verstreken zijn of binnenkort verlopen" in body
    assert "@" not in body.split("Beste")[1].split("U ontvangt")[0]     # no e-mail addresses of anyone in the items
    state = json.loads((load_config(demo_copy).data_dir / "digest" / "last_sent.json").read_text())
    assert state["last_sent"] == "2026-11-15"


def test_digest_server_without_starttls_is_one_clear_error(demo_copy, smtp_server):
    controller, received = smtp_server
    raw = yaml.safe_load(demo_copy.read_text(encoding="utf-8"))
    raw["digest"] = {"enabled": True, "sender": "aigrip@voorbeeldstad.nl",
                     "smtp": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
                     "recipients": [{"name": "P", "email": "p@voorbeeldstad.nl"}]}
    demo_copy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(app, ["digest", "--config", str(demo_copy), "--as-of", "2026-11-15"])
    assert r.exit_code == 1 and "offers no STARTTLS" in r.output and received == []


def test_an_obligation_without_a_deadline_prints_a_dash():
    """`aigrip obligations` printed a traceback for a duty without a deadline (NaT)."""
    import pandas as pd

    from pipelines.obligations_cli import _date

    assert _date(pd.NaT) == "—" and _date(None) == "—"
    assert _date(pd.Timestamp("2025-12-31")) == "31 december 2025"
