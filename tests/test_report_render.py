"""The report's HTML from a small ReportInput: escaping, honest figures, the grip tables absent or present."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from transforms.monitor.changes import period_changes
from transforms.monitor.charts import bar_chart, trend_chart
from transforms.monitor.checklist import grip_checklist
from transforms.monitor.literacy import LiteracyFigures
from transforms.monitor.pdf import INSTALL_HINT, pdf_problem
from transforms.monitor.report import ReportInput, attention_list, render_report
from warehouse import grip_tables

EVIL = "<script>alert('x')</script> $\\alpha$ & co"


def _inventory() -> pd.DataFrame:
    return pd.DataFrame({"system_id": ["AIG-000001", "AIG-000002"], "name": [EVIL, "Chatbot"],
                         "department": ["Burgerzaken", None], "status": ["confirmed", "candidate"],
                         "ai_act_class": ["high_risk", "transparency"], "publication_category": [None, None],
                         "dpia_required": [True, False], "dpia_status": [None, None], "iama_recommended": [False, False],
                         "published": [False, False]})


def _input(**over) -> ReportInput:
    inv = _inventory()
    impact = pd.DataFrame({"system_id": ["AIG-000001", "AIG-000002"], "impact_score": [55.0, 35.0],
                           "impact_rank": [1, 2], "impact_reason": [f"hoog risico (+35); {EVIL} (+20)", "chat (+15)"]})
    kpis = {"systems_confirmed": 1.0, "systems_candidate": 1.0, "review_backlog": 1.0, "dpia_required": 1.0,
            "dpia_done": 0.0, "dpia_coverage_pct": 0.0, "published": 0.0, "class_high_risk": 1.0, "rows_in": 1234.0}
    base = dict(org={"name": "Gemeente Testdorp", "contact_email": "a@b.nl"}, period="2026-11", kpis=kpis, previous={},
                history=pd.DataFrame([{"period": "2026-11", "name": k, "value": v} for k, v in kpis.items()]),
                checklist=grip_checklist(kpis, ["2026-11"]), changes=period_changes(inv, None),
                attention=attention_list(inv, impact), literacy=LiteracyFigures(),
                sources=pd.DataFrame([{"source_id": "led", "type": "spend_ledger", "rows_in": 1234, "rows_loaded": 1230,
                                       "rows_quarantined": 4, "error": None}]),
                generated_at=dt.datetime(2026, 12, 6, 9, 0))
    return ReportInput(**(base | over))


def test_source_text_is_escaped_and_figures_are_honest():
    files = render_report(_input(), pdf=False)
    html = files.html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert '<html lang="nl">' in html and "<title>Monitoringsrapport AI en algoritmes november 2026" in html
    assert "Opgesteld op 6 december 2026" in html and "1.234" in html and "crediteurenadministratie" in html
    assert "eerste periode" in html and "t.o.v. vorige periode" not in html
    assert "0 van 1 (0%)" in html  # DPIA: one required, none done
    assert "onbekend" in html  # AI literacy without a denominator is not a percentage
    for absent in ("Nog niet beschikbaar: de verplichtingen per systeem", "Nog niet beschikbaar: periodieke",
                   "Nog niet beschikbaar: de vereisten uit het Algoritmekader",
                   "IAMA- en FRIA-status per systeem: nog niet beschikbaar"):
        assert absent in html, absent
    assert files.pdf is None and files.pdf_error is None
    assert set(files.files()) >= {"report.html", "kpis.json", "charts/risk.svg"}


def test_grip_tables_are_shown_when_present():
    obligations = pd.DataFrame([{"system_id": "AIG-000001", "name": "Fraudescan", "department": "W&I",
                                 "obligation": "Grondrechteneffectbeoordeling (FRIA)", "legal_source": "AI-verordening art. 27",
                                 "deadline": dt.date(2027, 2, 1), "date_confirmed": False}])
    assessments = pd.DataFrame([{"kind": "DPIA", "required": 4, "done": 3}, {"kind": "FRIA", "required": 0, "done": 0}])
    overdue = pd.DataFrame([{"system_id": "AIG-000001", "name": "Fraudescan", "department": None,
                             "next_review": dt.date(2026, 9, 1), "days_overdue": 90}])
    reqs = pd.DataFrame([{"status": "gedaan", "n": 30}, {"status": "bezig", "n": 10}])
    moved = pd.DataFrame([{"system_id": "AIG-000001", "name": "Fraudescan", "obligation": "Hoog-risicoverplichtingen",
                           "old_deadline": dt.date(2026, 8, 2), "new_deadline": dt.date(2027, 12, 2)}])
    html = render_report(_input(obligations_due=obligations, assessments=assessments, overdue_reviews=overdue,
                                requirements=reqs, moved_deadlines=moved), pdf=False).html
    assert "1 februari 2027 (onzeker)" in html and "AI-verordening art. 27" in html
    assert "75%" in html and "—" in html  # DPIA 3 of 4; FRIA 0 of 0 is no percentage
    assert "1 september 2026" in html and "90" in html
    assert "gedaan" in html and "75%" in html
    assert "van 2 augustus 2026 naar 2 december 2027" in html
    assert "Nog niet beschikbaar" not in html


def test_charts_start_at_zero_and_take_dollars_literally():
    svg = bar_chart(["Kosten $ 5 en $$ meer", EVIL], [3, 0]).decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    trend = trend_chart(["2026-10", "2026-11"], {"Bevestigd": [5, 6]}).decode()
    assert "<svg" in trend


def test_grip_tables_readers_absent_and_present():
    con = duckdb.connect()
    con.execute("CREATE TABLE systems (system_id VARCHAR, status VARCHAR, name VARCHAR, department VARCHAR)")
    con.execute("INSERT INTO systems VALUES ('AIG-000001', 'confirmed', 'Fraudescan', 'W&I'), "
                "('AIG-000002', 'rejected', 'Oud', NULL)")
    today = dt.date(2026, 11, 30)
    assert grip_tables.obligations_due(con, today) is None and grip_tables.overdue_reviews(con, today) is None
    assert grip_tables.assessment_coverage(con) is None and grip_tables.requirements_progress(con) is None
    assert grip_tables.moved_deadlines(con, today, today) is None
    con.execute("CREATE TABLE obligations (system_id VARCHAR, duty VARCHAR, legal_source VARCHAR, deadline DATE, "
                "date_confirmed BOOLEAN)")  # the columns of migration 010 the reader uses
    con.execute("INSERT INTO obligations VALUES ('AIG-000001', 'FRIA', 'art. 27', DATE '2027-02-01', true), "
                "('AIG-000001', 'EU-databank', 'art. 49', DATE '2028-01-01', true), "
                "('AIG-000002', 'FRIA', 'art. 27', DATE '2027-01-01', true)")
    due = grip_tables.obligations_due(con, today)
    assert list(due["obligation"]) == ["FRIA"] and due["name"].iloc[0] == "Fraudescan"
    con.execute("CREATE TABLE reviews (system_id VARCHAR, next_review DATE)")
    con.execute("INSERT INTO reviews VALUES ('AIG-000001', DATE '2026-10-31')")
    assert grip_tables.overdue_reviews(con, today)["days_overdue"].tolist() == [30]
    con.execute("CREATE TABLE assessments (system_id VARCHAR, assessment VARCHAR, required BOOLEAN, status VARCHAR)")
    con.execute("INSERT INTO assessments VALUES ('AIG-000001', 'dpia', true, 'afgerond'), ('AIG-000001', 'fria', true, NULL)")
    cov = grip_tables.assessment_coverage(con).set_index("kind")
    assert cov.loc["DPIA", "done"] == 1 and cov.loc["FRIA", "done"] == 0
    con.execute("CREATE TABLE requirements (system_id VARCHAR, item_id VARCHAR, item_kind VARCHAR, status VARCHAR)")
    con.execute("INSERT INTO requirements VALUES ('AIG-000001', 'aia-01', 'vereiste', 'gedaan'), "
                "('AIG-000001', 'aia-02', 'vereiste', NULL), ('AIG-000001', 'm-01', 'maatregel', 'gedaan')")
    progress = dict(grip_tables.requirements_progress(con).itertuples(index=False))
    assert progress == {"gedaan": 1, "niet gestart": 1}
    con.execute("CREATE TABLE deadline_moves (moved_on DATE, system_id VARCHAR, duty VARCHAR, old_deadline DATE, "
                "new_deadline DATE)")
    con.execute("INSERT INTO deadline_moves VALUES (DATE '2026-11-20', 'AIG-000001', 'FRIA', DATE '2026-08-02', "
                "DATE '2027-12-02')")
    moved = grip_tables.moved_deadlines(con, dt.date(2026, 11, 1), today)
    assert moved["obligation"].tolist() == ["FRIA"] and moved["name"].tolist() == ["Fraudescan"]


def test_pdf_check_names_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    line = pdf_problem()
    assert line and line.startswith(INSTALL_HINT) and "\n" not in line and "apt install" in line


def test_pdf_check_command_exits_zero_here():
    res = subprocess.run([sys.executable, "-m", "transforms.monitor.pdf"], capture_output=True, text=True)
    if res.returncode:
        pytest.skip(f"no Pango here: {res.stderr.strip()}")
    assert "available" in res.stdout
