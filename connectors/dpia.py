"""DPIA register connector (CSV/XLSX): one row per processing (verwerking) with its DPIA status."""

from __future__ import annotations

import pandas as pd

from connectors._rows import quarantine_frame, read_fields, slug, unique_refs
from connectors.base import ConnectorResult, SourceSpec

__all__ = ["load", "ALIASES", "FRAME_COLUMNS"]

FRAME_COLUMNS = ["row_ref", "name", "status", "date", "outcome", "link"]

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "nummer", "dpia-nummer", "kenmerk", "registratienummer"),
    "name": ("verwerking", "naam verwerking", "naam", "verwerkingsactiviteit", "systeem", "applicatie", "onderwerp"),
    "status": ("status", "status dpia", "dpia-status"),
    "date": ("datum", "datum dpia", "afgerond op", "datum afronding", "vastgesteld op"),
    "outcome": ("uitkomst", "conclusie", "resultaat", "advies", "restrisico"),
    "link": ("link", "url", "document", "vindplaats", "locatie"),
}


def load(spec: SourceSpec) -> ConnectorResult:
    """Read a DPIA register; rows without a name or with an unreadable date are quarantined."""

    frame, table = read_fields(spec, ALIASES, required=("name",), sheet_hints=("DPIA's", "DPIA", "Register"))
    rows = list(table.quarantine)
    parsed = _dates(frame["date"])
    bad_date = frame["date"].notna() & parsed.isna()
    no_name = frame["name"].isna()
    for ordinal, raw, nn, value in frame.loc[no_name | bad_date, ["_ord", "_raw", "name", "date"]].itertuples(index=False):
        reason = "naam van de verwerking ontbreekt" if nn is None else f"datum '{value}' bestaat niet of heeft een onbekend formaat"
        rows.append({"row_ref": table.ref(ordinal), "reason": reason, "raw_text": raw})
    keep = ~(no_name | bad_date)
    frame = frame[keep].copy()
    frame["date"] = parsed[keep]
    base = frame["id"].where(frame["id"].notna(), frame["name"].map(slug))
    frame["row_ref"] = unique_refs(base.astype(object))
    return ConnectorResult(frame=frame[FRAME_COLUMNS].reset_index(drop=True), quarantine=quarantine_frame(rows), notes=table.notes,
                           rows_in=table.rows_in())


def _dates(values: pd.Series) -> pd.Series:
    """dd-mm-jjjj, jjjj-mm-dd (XLSX dates arrive as jjjj-mm-dd) or dd/mm/jjjj; NaT otherwise."""
    text = values.astype(object).where(values.notna(), None).astype("string").str.strip().str.slice(0, 10)
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d-%m-%Y", "%d/%m/%Y"):
        out = out.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return out
