"""The register as an Excel workbook for editors, and reading it back (the XLSX round trip).

Sheet ``Register``: one row per confirmed system, the first column ``Bron-ID`` (our system id, the
key back), then ``Publicatiestatus`` (for information), then every editable field of publication
standard 1.0 under its national label (as the register's own forms and Excel export name it).
Long texts as plain text/Markdown, themes comma-separated, groupings one ``title, link`` per line.
Sheet ``Toelichting``: per field its key, whether it is required, its maximum length, the permitted
values and the register's help text. Every text cell is neutralised against formulas; reading back
undoes that (:func:`transforms.privacy.cells.restore_cell`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from transforms.privacy.cells import neutralise_cell, restore_cell
from transforms.publish.fields import (
    FieldValueError,
    check_value,
    display_value,
    field_specs,
    is_empty,
    parse_value,
)

__all__ = ["SHEET", "HELP_SHEET", "ID_COLUMN", "STATE_COLUMN", "workbook_rows", "help_rows", "read_rows",
           "WorkbookChanges", "cell_text"]

SHEET, HELP_SHEET = "Register", "Toelichting"
ID_COLUMN, STATE_COLUMN = "Bron-ID", "Publicatiestatus"


def cell_text(key: str, value: Any, kind: str) -> str:
    """A stored value as the workbook shows it."""
    if kind == "grouping":
        return "\n".join(", ".join(str(i.get(k)) for k in ("title", "link") if i.get(k)) for i in value or [])
    return display_value(key, value)


def workbook_rows(systems: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Header and rows; ``systems``: ``[{system_id, state, values: {key: value}}]`` (values by standard key)."""
    specs = field_specs()
    header = [ID_COLUMN, STATE_COLUMN] + [s["label"] for s in specs]
    rows = []
    for s in systems:
        row = [s["system_id"], s.get("state") or "concept"]
        row += [neutralise_cell(cell_text(sp["key"], s["values"].get(sp["key"]), sp["kind"])) for sp in specs]
        rows.append(row)
    return header, rows


def help_rows() -> tuple[list[str], list[list[str]]]:
    header = ["Veld", "Sleutel", "Verplicht", "Maximale lengte", "Toegestane waarden", "Uitleg"]
    rows = [[s["label"], s["key"], "ja" if s["required"] else "", s["max_length"] or "",
             "; ".join(s["options"]), s["help"]] for s in field_specs()]
    rows.append([ID_COLUMN, "source_id", "ja", "", "", "Het id van het systeem in aigrip; niet wijzigen."])
    rows.append([STATE_COLUMN, "", "", "", "concept; vrijgegeven; gepubliceerd; gedepubliceerd",
                 "Ter informatie; wijzigen heeft geen effect. Publiceren gaat in de beoordelingsapp."])
    return header, [[neutralise_cell(str(c)) for c in r] for r in rows]


@dataclass
class WorkbookChanges:
    """What a workbook changes: per system the new values (raw text by standard key) and the
    differences to show, and the problems (Dutch, each naming sheet, row and field)."""

    edits: dict[str, dict[str, str]] = field(default_factory=dict)
    diffs: list[dict] = field(default_factory=list)  # system_id, row, field (label), old, new
    problems: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m") if value.day == 1 else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(restore_cell(value) if isinstance(value, str) else value).strip()


def read_rows(sheet_name: str, header: list[Any], rows: list[tuple[int, list[Any]]],
              current: dict[str, dict[str, Any]]) -> WorkbookChanges:
    """Compare the workbook's rows with the current values; ``rows``: (row number, cells).

    ``current``: system_id -> {standard key: current value}. Unknown columns and ids, and values that
    break the standard, become problems; unchanged cells are ignored.
    """
    out = WorkbookChanges()
    by_label = {s["label"].lower(): s for s in field_specs()}
    by_key = {s["key"]: s for s in field_specs()}
    names = [str(h or "").strip().rstrip("*").strip() for h in header]
    if ID_COLUMN.lower() not in [n.lower() for n in names]:
        out.problems.append(f"blad {sheet_name}: kolom '{ID_COLUMN}' ontbreekt in de eerste rij; "
                            "gebruik een workbook van 'aigrip export --format register-xlsx'")
        return out
    id_col = [n.lower() for n in names].index(ID_COLUMN.lower())
    columns = {}
    for i, name in enumerate(names):
        if i == id_col or name.lower() == STATE_COLUMN.lower() or not name:
            continue
        spec = by_label.get(name.lower()) or by_key.get(name)
        if spec is None:
            out.problems.append(f"blad {sheet_name}, kolom '{name}': onbekend veld; gebruik de kolomnamen van de export")
        else:
            columns[i] = spec
    seen: set[str] = set()
    for number, cells in rows:
        system_id = _text(cells[id_col] if id_col < len(cells) else None)
        if not system_id and all(is_empty(_text(c)) for c in cells):
            continue
        where = f"blad {sheet_name}, rij {number}"
        if system_id not in current:
            out.problems.append(f"{where}, {ID_COLUMN}: '{system_id}' is geen bevestigd systeem in het register; "
                                "laat deze kolom ongewijzigd")
            continue
        if system_id in seen:
            out.problems.append(f"{where}, {ID_COLUMN}: {system_id} staat twee keer in het blad; houd één rij over")
            continue
        seen.add(system_id)
        for i, spec in columns.items():
            text = _text(cells[i] if i < len(cells) else None)
            old_value = current[system_id].get(spec["key"])
            if text == cell_text(spec["key"], old_value, spec["kind"]):
                continue
            try:
                new_value = parse_value(spec["key"], text)
                old_parsed = parse_value(spec["key"], cell_text(spec["key"], old_value, spec["kind"])) \
                    if not is_empty(old_value) else None
            except FieldValueError as exc:
                out.problems.append(f"{where}, {spec['label']}: {exc}")
                continue
            if new_value == old_parsed:
                continue
            bad = check_value(spec["key"], new_value)
            if bad:
                out.problems += [f"{where}, {spec['label']}: {p}" for p in bad]
                continue
            out.edits.setdefault(system_id, {})[spec["key"]] = text
            out.diffs.append({"system_id": system_id, "row": number, "field": spec["label"],
                              "old": cell_text(spec["key"], old_value, spec["kind"]), "new": text})
    return out
