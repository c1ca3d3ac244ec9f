"""The XLSX reader (calamine) gives the same cell texts as openpyxl did, row for row (issue 14)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from connectors._tabular import _cell_text, _open_workbook, _sheet_rows
from connectors.base import SourceSpec

DEMO = Path(__file__).resolve().parents[1] / "examples" / "voorbeeldstad" / "data"


def _trim(rows: list[list]) -> list[list]:
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] is None:
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


def _openpyxl_rows(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {name: _trim([[_cell_text(v) for v in r] for r in wb[name].iter_rows(values_only=True)])
                for name in wb.sheetnames}
    finally:
        wb.close()


def _calamine_rows(path: Path) -> dict[str, list[list]]:
    spec = SourceSpec(id="t", type="application_portfolio", path=path)
    wb = _open_workbook(path, spec)
    try:
        return {name: _trim(_sheet_rows(wb, name, spec)) for name in wb.sheet_names}
    finally:
        wb.close()


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.xlsx")), ids=lambda p: p.name)
def test_demo_workbooks_read_the_same(path):
    assert _calamine_rows(path) == _openpyxl_rows(path)


def test_tricky_cells_read_the_same(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws["A1"] = "Overzicht trainingen"  # a title line above the header
    ws.append([])
    ws.append(["Naam", "Datum", "Tijdstip", "Bedrag", "Aantal", "Actief", "Leeg", "Tekst"])
    ws.append(["  Jan  ", date(2026, 12, 6), datetime(2026, 12, 6, 14, 30), 1234.5, 3, True, None, "a;b"])
    ws.append(["Piet", datetime(2026, 1, 2), time(9, 15), 0.1, 10 ** 12, False, "", "€ 1.234,50"])
    ws.append([None, None, None, -2.0, 1e-7, None, None, "  "])
    ws["J9"] = "ver weg"  # a cell beyond the others: wider and longer sheet
    ws.cell(row=12, column=2, value="na lege regels")
    second = wb.create_sheet("Blad2")
    second["C3"] = "begint niet in A1"
    second["D4"] = 42
    path = tmp_path / "lastig.xlsx"
    wb.save(path)
    rows = _calamine_rows(path)
    assert rows == _openpyxl_rows(path)
    assert rows["Export"][3][:6] == ["Jan", "2026-12-06", "2026-12-06 14:30:00", "1234,5", "3", "ja"]
    assert rows["Blad2"][2] == [None, None, "begint niet in A1"]  # row and column numbers as in the sheet


def test_unreadable_workbook_is_one_clear_error(tmp_path):
    from transforms.errors import SourceFormatError

    path = tmp_path / "kapot.xlsx"
    path.write_bytes(b"PK\x03\x04 dit is geen werkmap")
    with pytest.raises(SourceFormatError, match="not a readable XLSX file"):
        _open_workbook(path, SourceSpec(id="t", type="application_portfolio", path=path))
