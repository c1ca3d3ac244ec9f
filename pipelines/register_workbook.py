"""``aigrip export --format register-xlsx`` and ``aigrip import register FILE.xlsx``: the register in
Excel and back, as edit decisions (the workbook layout is in transforms/publish/workbook.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.config import AigripConfig
from review.register import draft, edit_decision
from transforms.errors import AigripError
from transforms.publish.fields import field_specs, is_empty
from transforms.publish.workbook import (
    HELP_SHEET,
    SHEET,
    WorkbookChanges,
    help_rows,
    read_rows,
    workbook_rows,
)
from warehouse import snapshot_connect

__all__ = ["export_register_workbook", "read_register_workbook", "import_register_workbook"]


def _org(cfg: AigripConfig) -> dict:
    o = cfg.organisation
    return {"name": o.name, "code": o.code, "contact_email": o.contact_email}


def _current(cfg: AigripConfig) -> dict[str, dict]:
    """Per confirmed system: its publication state and the values the editor sees (by standard key)."""
    with snapshot_connect(cfg.data_dir) as con:
        ids = [r[0] for r in con.execute(
            "SELECT system_id FROM systems WHERE status = 'confirmed' ORDER BY system_id").fetchall()]
    out = {}
    for system_id in ids:
        d = draft(cfg.data_dir, system_id, _org(cfg))
        values = {}
        for spec in field_specs():
            stored = d["fields"].get(spec["stored"])
            values[spec["key"]] = stored if not is_empty(stored) else d["entry"].get(spec["key"])
        out[system_id] = {"state": (d["state"] or {}).get("state") or "concept", "values": values}
    return out


def export_register_workbook(cfg: AigripConfig, out: Path) -> Path:
    """Write ``out/register.xlsx`` (confirmed systems as editors see them); returns the path."""
    current = _current(cfg)
    header, rows = workbook_rows([{"system_id": k, **v} for k, v in current.items()])
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in ws.iter_cols(min_row=2):
        for cell in col:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 14 if i <= 2 else min(60, max(18, len(name) + 4))
    ws.freeze_panes = "C2"
    hs = wb.create_sheet(HELP_SHEET)
    h_header, h_rows = help_rows()
    hs.append(h_header)
    for row in h_rows:
        hs.append(row)
    for cell in hs[1]:
        cell.font = Font(bold=True)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "register.xlsx"
    wb.save(path)
    return path


def read_register_workbook(cfg: AigripConfig, path: Path) -> WorkbookChanges:
    """The differences between a workbook and the register as it stands; problems by sheet, row and field."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise AigripError(f"{path}: bestand niet gevonden; geef het pad naar het Excel-bestand") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise AigripError(f"{path}: geen leesbaar Excel-bestand (.xlsx); sla het op als Excel-werkmap en probeer opnieuw") from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        raise AigripError(f"{path}: blad {ws.title} is leeg; gebruik een export van 'aigrip export --format register-xlsx'")
    current = {k: v["values"] for k, v in _current(cfg).items()}
    numbered = [(n, list(r)) for n, r in enumerate(rows[1:], start=2)]
    return read_rows(ws.title, list(rows[0]), numbered, current)


def import_register_workbook(cfg: AigripConfig, path: Path, reviewer: str, dry_run: bool) -> tuple[WorkbookChanges, int]:
    """Read a workbook and, unless ``dry_run`` or there are problems, save one edit decision per system."""
    if not any(r.username == reviewer for r in cfg.reviewers):
        raise AigripError(f"'{reviewer}' is geen beoordelaar in aigrip.yaml; voeg hem toe onder reviewers:")
    changes = read_register_workbook(cfg, path)
    if dry_run or changes.problems:
        return changes, 0
    saved = 0
    for system_id, raw in changes.edits.items():
        edit_decision(cfg.data_dir, system_id, reviewer, raw, reason=f"Excel-import {Path(path).name}")
        saved += 1
    return changes, saved
