"""The management report as a document: every section, Dutch formatting, nothing cut off, no personal data.

Two in-process runs (October and November) of a small copy of the demo with a fixture LMS export.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from PIL import Image

from pipelines.config import load_config
from pipelines.runner import run_pipeline
from tests.conftest import copy_demo
from tests.test_literacy import NAMES, write_fixtures
from transforms.errors import AigripError
from warehouse import snapshot_connect
from warehouse.decision_log import append_decision, log_path

SECTIONS = ("Inhoud", "1. De weg naar grip in één oogopslag", "2. Kerncijfers", "3. Wat veranderde deze periode",
            "4. Verplichtingen in de komende zes maanden", "5. DPIA, IAMA en FRIA", "6. AI-geletterdheid van medewerkers",
            "7. Herbeoordelingen over tijd", "8. Voortgang vereisten Algoritmekader",
            "9. Vergelijking met vergelijkbare gemeenten", "10. Aandachtslijst: grootste impact eerst", "11. Bronnen")
MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                                   reason="poppler-utils (pdftotext, pdftoppm) not installed")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report_doc")
    cfg_path = copy_demo(root / "demo", ["crediteuren_2025", "portfolio", "dpia_register", "landelijk_register"])
    lms, hc = write_fixtures(root / "demo" / "data")
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg["sources"] += [{"id": "lms", "type": "training_register", "path": f"data/{lms.name}"},
                       {"id": "formatie", "type": "headcount", "path": f"data/{hc.name}"}]
    cfg["literacy"] = {"required_roles": ["Eigenaar AI-systeem", "Gebruiker AI-systeem"]}
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(cfg_path)
    # October as a history run: the demo's seed decision of 23 October (a rejection) is not known yet
    assert run_pipeline(config, as_of="2026-10-15", known_then=True).success
    with snapshot_connect(config.data_dir) as con:  # a reviewer confirms one more system before November
        first = con.execute("SELECT system_id FROM systems WHERE status = 'candidate' ORDER BY system_id").fetchone()[0]
    append_decision(log_path(config.data_dir), {"at": "2026-11-02T10:00:00.000+00:00", "reviewer": "privacy",
                                                "action": "confirm", "system_id": first,
                                                "reason": "bevestigd in november"})
    outcome = run_pipeline(config, as_of="2026-11-15")
    assert outcome.success, outcome.error
    return cfg_path


def _report(run: Path) -> Path:
    return load_config(run).data_dir / "reports" / "2026-11"


def _inflated(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the catalog) inflated, for searching."""
    parts = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


def _pdftext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *args, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_no_personal_data_in_warehouse_snapshot_or_outputs(run):
    data_dir = load_config(run).data_dir
    for db in ("warehouse.duckdb", "snapshot.duckdb"):
        con = duckdb.connect(str(data_dir / db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM training_records").fetchone()[0] == 6
            cols = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE data_type = 'VARCHAR'").fetchall()
            for table, column in cols:
                for needle in NAMES:
                    n = con.execute(f'SELECT count(*) FROM "{table}" WHERE lower("{column}") LIKE ?',
                                    [f"%{needle}%"]).fetchone()[0]
                    assert n == 0, f"{db}: {table}.{column} holds '{needle}'"
        finally:
            con.close()
    for path in (data_dir / "reports").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json"):
            text = path.read_text(encoding="utf-8").lower()
            assert not [n for n in NAMES if n in text], path


def test_history_run_knew_only_the_decisions_taken_by_then(run):
    with snapshot_connect(load_config(run).data_dir) as con:
        k = {(p, n): v for p, n, v in con.execute("SELECT period, name, value FROM kpis").fetchall()}
    assert k[("2026-11", "systems_rejected")] == k[("2026-10", "systems_rejected")] + 1
    assert k[("2026-11", "systems_confirmed")] == k[("2026-10", "systems_confirmed")] + 1


def test_history_dates():
    from pipelines.history import history_dates

    got = history_dates(dt.date(2026, 12, 6), 6, {"2026-09"})
    assert [d.isoformat() for d in got] == ["2026-06-30", "2026-07-31", "2026-08-31", "2026-10-31", "2026-11-30"]
    assert history_dates(dt.date(2026, 3, 1), 2, set())[0] == dt.date(2026, 1, 31)
    assert history_dates(dt.date(2026, 3, 1), 0, set()) == []


def test_kpis_and_checklist_in_kpis_json(run):
    doc = json.loads((_report(run) / "kpis.json").read_text(encoding="utf-8"))
    k = doc["kpis"]
    assert k["literacy_required"] == 7 and k["literacy_trained"] == 2 and k["literacy_coverage_pct"] == pytest.approx(28.6)
    assert k["systems_active"] == k["systems_confirmed"]
    assert [s["step"] for s in doc["checklist"]] == ["inventory", "dpia", "register", "training", "monitoring",
                                                      "transparency"]
    assert {s["status"] for s in doc["checklist"]} <= {"niet gestart", "op weg", "op orde"}


@needs_poppler
def test_pdf_holds_every_section_and_dutch_formatting(run):
    pdf = _report(run) / "report.pdf"
    text = _pdftext(pdf)
    flat = " ".join(text.split())
    for title in SECTIONS:
        assert title in flat, title
    assert re.search(r"\b\d{1,3}(\.\d{3})+\b", flat), "thousands with a point (5.000)"
    assert re.search(r"€ \d{1,3}(\.\d{3})+", flat), "money as € 12.345"
    assert re.search(rf"\b\d{{1,2}} ({MONTHS}) 20\d\d\b", flat), "dates as 6 december 2026"
    assert "november 2026" in flat and "+1 t.o.v. vorige periode" in flat
    assert "28,6%" in flat or "29%" in flat
    for wrong in ("nan", "None", "spend_ledger", "NaT", "0 van 0"):
        assert not re.search(rf"\b{re.escape(wrong)}\b", flat), wrong
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    assert pages >= 6 and f"pagina 2 van {pages}" in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Title:\s+Monitoringsrapport AI en algoritmes november 2026", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert b"/Lang (nl)" in _inflated(pdf.read_bytes())


@needs_poppler
def test_pdf_pages_have_no_ink_in_the_outer_margins(run, tmp_path):
    """Rendered as images: nothing within 8 mm of a page edge (text that overflows would be cut off there)."""
    pdf = _report(run) / "report.pdf"
    dpi = 60
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) >= 6
    edge = round(8 / 25.4 * dpi)
    for img in images:
        a = np.asarray(Image.open(img).convert("L"))
        assert a.shape[0] > a.shape[1]  # portrait A4
        strips = {"top": a[:edge], "bottom": a[-edge:], "left": a[:, :edge], "right": a[:, -edge:]}
        for side, strip in strips.items():
            assert strip.min() > 200, f"{img.name}: ink in the {side} margin"
        assert (a < 128).mean() > 0.0005, f"{img.name} is empty"


@needs_poppler
def test_every_attention_row_is_printed_in_full(run):
    """The attention list's reasons are long: each one appears whole in the PDF's text."""
    html = (_report(run) / "report.html").read_text(encoding="utf-8")
    flat = " ".join(_pdftext(_report(run) / "report.pdf", "-raw").split()).replace("- ", "")
    reasons = re.findall(r"<td>([^<]*?) = \d+ punten</td>", html)
    assert reasons
    for reason in reasons:
        tail = " ".join(reason.split(";")[-1].replace("&#39;", "'").split())  # a no-break space reads as a space
        assert tail.replace("-", "") in flat.replace("-", ""), tail


def test_a_failing_report_does_not_block_the_snapshot(run, monkeypatch):
    config = load_config(run)
    snapshot = config.data_dir / "snapshot.duckdb"
    before = snapshot.stat().st_mtime_ns

    def no_pango(*_a, **_k):
        raise AigripError("WeasyPrint needs the Pango library to write the PDF report: install it")

    monkeypatch.setattr("transforms.monitor.report.html_to_pdf", no_pango)
    outcome = run_pipeline(config, as_of="2026-11-15", select="monitor")
    assert outcome.success, outcome.error
    assert snapshot.stat().st_mtime_ns > before
    info = dict((name, meta) for name, meta, _s in outcome.assets)
    assert "Pango" in info["monitoring_report"]["report_problem"]
    assert (_report(run) / "report.html").exists() and not (_report(run) / "report.pdf").exists()

    def broken(*_a, **_k):
        raise ValueError("template broke")

    monkeypatch.setattr("transforms.monitor.report.render_html", broken)
    outcome = run_pipeline(config, as_of="2026-11-15", select="monitor")
    assert outcome.success and "template broke" in dict((n, m) for n, m, _ in outcome.assets)["monitoring_report"][
        "report_problem"]
