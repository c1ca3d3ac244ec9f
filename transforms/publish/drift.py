"""Drift between the municipality's own entries in the national register and its inventory.

Three kinds, each row with a Dutch reason and the register's id (LARS):

- ``alleen_in_register``: in the national register, but no confirmed system in the inventory
  (unknown, or rejected/retired there);
- ``niet_gepubliceerd``: a confirmed system with no entry of ours in the national register;
- ``verschil``: matched, but a field differs (name, short description, goal, status, publication
  category, themes, provider, lawful basis, begin date). A field the loaded copy of the register
  does not hold is not compared.

Matching an own entry to a system: the entry's ``system_id`` (when the own-entry detection gives
one), then the LARS code (the system's entry or its delivery state), then the folded name.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from transforms.text import fold

__all__ = ["DRIFT_COLUMNS", "DRIFT_KINDS", "COMPARED_FIELDS", "register_drift", "drift_summary"]

DRIFT_COLUMNS = ["kind", "system_id", "lars", "name", "field", "register_value", "inventory_value", "reason", "entry_key"]
DRIFT_KINDS = {"alleen_in_register": "Alleen in het landelijk register", "niet_gepubliceerd": "Niet in het landelijk register",
               "verschil": "Velden verschillen"}
# own-entry column -> (standard 1.0 key, Dutch label)
COMPARED_FIELDS = {
    "name": ("name", "Naam"), "description_short": ("description_short", "Korte omschrijving"),
    "goal": ("goal", "Doel en impact"), "status": ("status", "Status"),
    "publication_category": ("publication_category", "Publicatiecategorie"), "categories": ("category", "Thema"),
    "provider": ("provider", "Leverancier"), "lawful_basis": ("lawful_basis", "Wettelijke basis"),
    "begin_date": ("begin_date", "Begindatum"),
}
_TAGS = re.compile(r"<[^>]+>")
_STATUS_WORDS = {"rejected": "afgewezen", "retired": "buiten gebruik", "candidate": "nog niet beoordeeld"}


def _text(value: Any, key: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return ", ".join(sorted(_text(v) for v in value if _text(v)))
    text = html.unescape(_TAGS.sub(" ", str(value)))
    text = " ".join(text.split())
    return text[:7] if key == "begin_date" else text


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register_drift(own: pd.DataFrame, systems: list[dict]) -> pd.DataFrame:
    """Drift rows (columns :data:`DRIFT_COLUMNS`).

    ``own``: own entries (entry_key, lars, name, … and optionally system_id); ``systems``: dicts with
    system_id, name, status, entry (standard 1.0 dict or None) and lars (known LARS code or None).
    """
    rows: list[dict] = []
    by_id = {s["system_id"]: s for s in systems}
    by_lars = {}
    for s in systems:
        for lars in {s.get("lars"), (s.get("entry") or {}).get("lars")} - {None, ""}:
            by_lars[str(lars)] = s
    by_name: dict[str, list[dict]] = {}
    for s in systems:
        for name in {fold(s.get("name") or ""), fold((s.get("entry") or {}).get("name") or "")} - {""}:
            by_name.setdefault(name, []).append(s)
    matched: set[str] = set()
    for rec in own.to_dict("records"):
        lars = _text(rec.get("lars")) or None
        system = by_id.get(_text(rec.get("system_id"))) or (by_lars.get(lars) if lars else None)
        if system is None:
            same = by_name.get(fold(_text(rec.get("name"))), [])
            system = same[0] if len(same) == 1 else None
        base = {"lars": lars, "entry_key": rec.get("entry_key"), "field": None, "register_value": None,
                "inventory_value": None}
        where = f" (LARS {lars})" if lars else ""
        if system is None or system.get("status") != "confirmed":
            status = _STATUS_WORDS.get(system.get("status"), system.get("status")) if system else None
            rows.append(base | {"kind": "alleen_in_register", "system_id": system["system_id"] if system else None,
                                "name": _text(rec.get("name")),
                                "reason": f"Staat in het landelijk register{where}, maar "
                                          + (f"is in de inventaris {status} ({system['system_id']})" if system
                                             else "niet in de inventaris")})
            if system:
                matched.add(system["system_id"])
            continue
        matched.add(system["system_id"])
        entry = system.get("entry") or {}
        for col, (key, label) in COMPARED_FIELDS.items():
            theirs = _text(rec.get(col), key)
            if not theirs:
                continue  # not in the loaded copy of the register: not compared
            ours = _text(entry.get(key) if entry else (system.get("name") if key == "name" else None), key)
            if fold(theirs) == fold(ours):
                continue
            rows.append(base | {"kind": "verschil", "system_id": system["system_id"], "name": system.get("name"),
                                "field": label, "register_value": _short(theirs), "inventory_value": _short(ours),
                                "reason": f"{label}{where}: in het register '{_short(theirs, 80)}', in aigrip "
                                          + (f"'{_short(ours, 80)}'" if ours else "leeg")})
    for s in systems:
        if s.get("status") != "confirmed" or s["system_id"] in matched:
            continue
        category = (s.get("entry") or {}).get("publication_category") or ""
        hint = " (publicatie niet verplicht)" if category == "Overige algoritmes" else ""
        rows.append({"kind": "niet_gepubliceerd", "system_id": s["system_id"], "lars": s.get("lars"),
                     "name": s.get("name"), "field": None, "register_value": None, "inventory_value": category or None,
                     "reason": f"Bevestigd in de inventaris{' als ' + category if category else ''}, maar niet "
                               f"gevonden in het landelijk register{hint}", "entry_key": None})
    order = {k: i for i, k in enumerate(DRIFT_KINDS)}
    rows.sort(key=lambda r: (order[r["kind"]], r["system_id"] or "", r["name"] or "", r["field"] or ""))
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS, dtype=object)


def drift_summary(drift: pd.DataFrame) -> dict:
    """Counts per kind (systems, not rows, for ``verschil``) and the rows per kind, for pages and the report."""
    out = {"kinds": []}
    drift = drift.astype(object).where(drift.notna(), None)
    for kind, label in DRIFT_KINDS.items():
        part = drift[drift["kind"] == kind] if len(drift) else drift
        n = part["system_id"].nunique() if kind == "verschil" else len(part)
        out["kinds"].append({"kind": kind, "label": label, "count": int(n), "rows": part.to_dict("records")})
    out["total"] = sum(k["count"] for k in out["kinds"])
    return out
