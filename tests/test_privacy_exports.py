"""Formula injection in every CSV/XLSX meant for people, and a report that never blocks publishing."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.exports import EXPORTERS
from tests.conftest import copy_demo
from transforms.privacy.cells import FORMULA_STARTS
from transforms.privacy.sheets import write_csv, write_xlsx

HOSTILE = [
    ("APP-99101", '=HYPERLINK("http://example.invalid/x","klik hier")', "+31 Leverancier B.V.",
     "chatbot met machine learning"),
    ("APP-99102", "=cmd|' /C calc'!A0", "@Leverancier", "-1+1 voorspelmodel met AI"),
    ("APP-99103", "Spraakherkenning", "Leverancier B.V.", "spraakherkenning met AI"),
]


def _string_cell(ws, row: int, col: int, value: str) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    cell.data_type = "s"  # as typed by a user: text, not a formula of the source workbook


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    demo = tmp_path_factory.mktemp("inject") / "demo"
    cfg_path = copy_demo(demo, sources=["portfolio"])
    path = demo / "data" / "applicatieportfolio.xlsx"  # as typed in the workbook: text cells, not formulas
    wb = openpyxl.load_workbook(path)
    ws = wb["Applicaties"]
    for app_id, name, vendor, description in HOSTILE:
        row = ws.max_row + 1
        for col, value in enumerate([app_id, name, vendor, "Werk en Inkomen", description, "In gebruik", ""], start=1):
            _string_cell(ws, row, col, value)
    wb.save(path)
    seed = demo / "review_seed.jsonl"
    # a control character in a name (here from a reviewer's edit; a workbook cannot hold one)
    fields = [{}, {}, {"name": "Chat\x07bot\x0b met\x1f AI"}]
    seed.write_text("".join(json.dumps({"event_id": f"inj-{i}", "at": "2026-10-20T09:00:00+00:00", "reviewer": "test",
                                        "action": "confirm", "source_keys": [f"portfolio:{a[0]}"],
                                        "fields": f or None}) + "\n"
                            for i, (a, f) in enumerate(zip(HOSTILE, fields))), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output
    for fmt in EXPORTERS:
        res = runner.invoke(app, ["export", "--config", str(cfg_path), "--format", fmt])
        assert res.exit_code == 0, f"{fmt}: {res.output} {res.exception!r}"
    return load_config(cfg_path)


def _csv_cells(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh, delimiter=";" if "eurocities" in path.name else ",") for cell in row]


def test_no_csv_cell_for_people_starts_a_formula(hostile_run):
    files = sorted((hostile_run.data_dir / "export").rglob("*.csv"))
    names = {p.name for p in files}
    assert {"inventory.csv", "provenance.csv", "algoritmeregister.csv", "eurocities_ats.csv"} <= names
    seen = ""
    for path in files:
        for cell in _csv_cells(path):
            assert not cell.startswith(FORMULA_STARTS), f"{path.name}: {cell[:40]!r}"
            assert not any(ord(c) < 32 and c not in "\n\t" for c in cell), f"{path.name}: control character"
        seen += path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in seen and "'=cmd|" in seen  # kept, readable, neutralised
    inv = pd.read_csv(hostile_run.data_dir / "export" / "inventory" / "inventory.csv", dtype=str)
    assert pd.to_numeric(inv["ai_score"]).notna().all()  # numbers stay numbers


def test_national_xlsx_has_string_cells_only_and_survives_control_characters(hostile_run):
    # the national XLSX holds published entries only; the editors' workbook holds every confirmed system
    export = hostile_run.data_dir / "export"
    paths = [export / "national-xlsx" / "algoritmeregister.xlsx", *sorted((export / "register-xlsx").glob("*.xlsx"))]
    assert len(paths) == 2
    values = []
    for ws in [ws for path in paths for ws in openpyxl.load_workbook(path).worksheets]:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    values.append(cell.value)
    assert any(v.startswith("'=HYPERLINK(") for v in values)
    assert any("Chatbot met AI" in v or "Chatbot met" in v for v in values)


def test_writers_keep_numbers_newlines_and_tabs(tmp_path):
    df = pd.DataFrame({"t": ["=1+1", "regel 1\nregel 2\tkolom", "-", "gewoon", "@x"], "n": [1, -2, 3.5, 0, 7]})
    write_csv(df, tmp_path / "a.csv")
    back = pd.read_csv(tmp_path / "a.csv")
    assert back["n"].tolist() == [1, -2, 3.5, 0, 7]
    assert back["t"].tolist() == ["'=1+1", "regel 1\nregel 2\tkolom", "'-", "gewoon", "'@x"]
    write_xlsx(df, tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert [c.value for c in ws["A"]][1:] == ["'=1+1", "regel 1\nregel 2\tkolom", "'-", "gewoon", "'@x"]
    assert [c.value for c in ws["B"]][1:] == [1, -2, 3.5, 0, 7] and ws["B2"].data_type == "n"


def test_classify_output_is_neutralised(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"omschrijving": ["=2+5 chatbot met AI", "licentie"]}).to_csv(src, index=False)
    res = CliRunner().invoke(app, ["classify", str(src), "--text-column", "omschrijving", "--out",
                                   str(tmp_path / "uit.xlsx")])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tmp_path / "uit.xlsx").active
    assert ws["A2"].value == "'=2+5 chatbot met AI" and ws["A2"].data_type == "s"


def test_a_failing_report_never_blocks_the_snapshot(tmp_path, monkeypatch):
    import pipelines.defs.monitor.assets as monitor

    def broken(*args, **kwargs):
        raise ValueError("ParseException: Expected end of text, found '$'")

    monkeypatch.setattr(monitor, "write_report", broken)
    cfg_path = copy_demo(tmp_path / "demo", sources=["portfolio"])
    res = CliRunner().invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "report for 2026-11 could not be written" in ln]
    assert lines and "ValueError" in lines[0]
    cfg = load_config(cfg_path)
    assert (cfg.data_dir / "snapshot.duckdb").exists() and (cfg.data_dir / "site" / "index.html").exists()


def test_source_text_is_never_mathtext_in_the_report():
    from tests.test_report_render import (  # the report's own input builder (a name with $\\alpha$)
        EVIL,
        _input,
    )
    from transforms.monitor.report import render_report

    files = render_report(_input(org={"name": "Gemeente $x^$", "contact_email": "a@b.nl"}), pdf=True)
    assert files.pdf.startswith(b"%PDF") and "Gemeente $x^$" in files.html
    assert "$\\alpha$ &amp; co" in files.html and EVIL.startswith("<script>")
