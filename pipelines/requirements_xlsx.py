"""The Algoritmekader requirements as a spreadsheet round trip.

``export_requirements`` writes one row per system and requirement/measure (from the last published
snapshot) with a status drop-down; owners fill in status, owner, evidence, date and explanation.
``import_requirements`` reads the file back, checks every row, and records each changed row as a
``requirement`` decision in the log (like an edit in the review app). A file with any problem saves
nothing and lists every problem with its row number; importing the same file twice records nothing
new (the decisions have stable ids).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from transforms.errors import AigripError
from transforms.obligations.vocab import REQUIREMENT_STATUSES
from transforms.privacy.cells import neutralise_cell, restore_cell
from warehouse import snapshot_connect, table_exists
from warehouse.db import fetch_df
from warehouse.decision_log import append_decision, log_path, validate_decision

__all__ = ["COLUMNS", "EDITABLE", "export_requirements", "import_requirements", "ImportResult"]

SHEET = "Vereisten"
# (header in the file, column of the requirements table or a joined system field)
COLUMNS = [
    ("Systeem", "system_id"), ("Naam systeem", "name"), ("Afdeling", "department"), ("Soort", "item_kind"),
    ("Code", "slug"), ("Titel", "title"), ("Hoort bij vereiste", "serves"), ("Waarom van toepassing", "applicable_reason"),
    ("Status", "status"), ("Eigenaar", "owner"), ("Bewijs (link of document)", "evidence_link"), ("Datum (JJJJ-MM-DD)", "status_date"),
    ("Toelichting", "status_reason"),
]
EDITABLE = {"status": "status", "owner": "owner", "evidence_link": "evidence", "status_date": "date"}
_HEADERS = {h: c for h, c in COLUMNS}
_HYPERLINK = re.compile(r'^=\s*HYPERLINK\(\s*"([^"]*)"', re.I)


class ImportResult:
    """What an import found: decisions (saved or, with dry_run, only checked), unchanged rows, problems."""

    def __init__(self) -> None:
        self.decisions: list[dict] = []
        self.unchanged = 0
        self.problems: list[str] = []


def _load(data_dir: Path, system_id: str | None) -> pd.DataFrame:
    with snapshot_connect(data_dir) as con:
        if not table_exists(con, "requirements"):
            raise AigripError("the last published run has no requirements yet; run 'aigrip run' first")
        sql = ("SELECT r.*, s.name, s.department FROM requirements r JOIN systems s USING (system_id)"
               + (" WHERE r.system_id = ?" if system_id else "") + " ORDER BY r.system_id, r.item_kind DESC, r.slug")
        return fetch_df(con, sql, [system_id] if system_id else [])


def export_requirements(data_dir: Path, out: Path, system_id: str | None = None) -> int:
    """Write the spreadsheet; returns the number of rows."""
    rows = _load(Path(data_dir), system_id)
    if system_id and rows.empty:
        raise AigripError(f"system {system_id} has no requirements in the last published run (is it confirmed?)")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([h for h, _ in COLUMNS])
    for r in rows.to_dict("records"):
        values = []
        for _, col in COLUMNS:
            v = r.get(col)
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                v = None
            elif isinstance(v, (pd.Timestamp, dt.datetime)):
                v = v.date().isoformat()
            elif isinstance(v, dt.date):
                v = v.isoformat()
            values.append(neutralise_cell(v))
        ws.append(values)
    bold = Font(bold=True)
    editable_fill = PatternFill("solid", fgColor="FFF6DB")
    for i, (_header, col) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = {"title": 50, "applicable_reason": 50, "status_reason": 40,
                                                            "evidence_link": 35}.get(col, 16)
        if col in EDITABLE or col == "status_reason":
            cell.fill = editable_fill
    ws.freeze_panes = "B2"
    status_col = get_column_letter([c for _, c in COLUMNS].index("status") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(REQUIREMENT_STATUSES) + '"', allow_blank=False,
                        showErrorMessage=True, errorTitle="Ongeldige status",
                        error="Kies: " + ", ".join(REQUIREMENT_STATUSES))
    ws.add_data_validation(dv)
    if len(rows):
        dv.add(f"{status_col}2:{status_col}{len(rows) + 1}")
    info = wb.create_sheet("Toelichting")
    for line in (
        ["Vereisten en maatregelen uit het Algoritmekader per systeem."],
        ["Vul de gele kolommen in: Status, Eigenaar, Bewijs, Datum en Toelichting. Laat de andere kolommen staan."],
        ["Status: " + ", ".join(REQUIREMENT_STATUSES) + ". Bij 'niet van toepassing' is een toelichting verplicht."],
        ["Lees het bestand daarna in met: aigrip requirements import BESTAND --reviewer UW-NAAM"],
        ["Elke gewijzigde regel wordt een besluit in het besluitenlogboek; de volgende run verwerkt het."],
        ["Bron: Algoritmekader van het Ministerie van BZK (MinBZK/Algoritmekader), EUPL-1.2."],
    ):
        info.append(line)
    info.column_dimensions["A"].width = 110
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return len(rows)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    link = _HYPERLINK.match(text)
    if link:
        return link.group(1).strip() or None
    text = str(restore_cell(text)).strip()
    return text or None


def _read(path: Path) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=False)  # formulas as text: =HYPERLINK(...) keeps its link
    except FileNotFoundError:
        raise AigripError(f"{path}: file not found") from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise AigripError(f"{path}: not a readable XLSX file ({type(exc).__name__}); export it again with "
                          "'aigrip requirements export'") from None
    if SHEET not in wb.sheetnames:
        raise AigripError(f"{path}: no sheet '{SHEET}'; use a file made by 'aigrip requirements export'")
    rows = list(wb[SHEET].iter_rows(values_only=True))
    wb.close()
    if not rows:
        raise AigripError(f"{path}: sheet '{SHEET}' is empty")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    missing = [h for h, c in COLUMNS if c in ("system_id", "slug", "status") and h not in header]
    if missing:
        raise AigripError(f"{path}: column(s) {', '.join(missing)} missing; keep the header row of the exported file")
    return header, [(i, list(r)) for i, r in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in r)]


def _event_id(system_id: str, slug: str, fields: dict, reason: str | None, reviewer: str) -> str:
    raw = json.dumps([system_id, slug, fields, reason, reviewer], sort_keys=True, ensure_ascii=False)
    return "xlsx-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:32]


def import_requirements(data_dir: Path, path: Path, reviewer: str, dry_run: bool = False) -> ImportResult:
    """Check the file against the last published requirements and record each changed row."""
    data_dir = Path(data_dir)
    header, rows = _read(Path(path))
    current = _load(data_dir, None)
    known = {(r["system_id"], r["slug"]): r for r in current.to_dict("records")}
    result = ImportResult()
    for number, values in rows:
        row = {_HEADERS[h]: _text(v) for h, v in zip(header, values, strict=False) if h in _HEADERS}
        if row.get("status"):
            row["status"] = row["status"].lower()
        where = f"{Path(path).name} row {number}"
        key = (row.get("system_id"), row.get("slug"))
        if key not in known:
            result.problems.append(f"{where}: {key[0]} / {key[1]} is not a requirement of a confirmed system in the last run")
            continue
        old = known[key]
        fields = {"item": key[1]}
        for col, field in EDITABLE.items():
            new, before = row.get(col), _text(old.get(col))
            if new is not None and new != before:
                fields[field] = new
        reason = row.get("status_reason")
        changed_reason = reason is not None and reason != _text(old.get("status_reason"))
        if len(fields) == 1 and not changed_reason:
            result.unchanged += 1
            continue
        if "status" not in fields:
            fields["status"] = row.get("status") or old.get("status")
        event = {"event_id": _event_id(key[0], key[1], fields, reason, reviewer), "reviewer": reviewer,
                 "action": "requirement", "system_id": key[0], "fields": fields, "reason": reason}
        try:
            validate_decision(event)
        except AigripError as exc:
            result.problems.append(f"{where}: {str(exc).removeprefix('invalid decision: ')}")
            continue
        result.decisions.append(event)
    if result.problems or dry_run:
        return result
    log = log_path(data_dir)
    result.decisions = [append_decision(log, e) for e in result.decisions]
    return result
