"""Headcount connector (CSV/XLSX): how many staff per department (and role) must be AI-literate.

One row per department, or per department and role: department, role (optional; empty means the
whole department), headcount, and whether they must be trained (optional, default ja). This is
the denominator of AI-literacy coverage (AI Act Art. 4).
"""

from __future__ import annotations

import pandas as pd

from connectors._rows import quarantine_frame, read_fields, slug, unique_refs
from connectors.base import ConnectorResult, SourceSpec

__all__ = ["load", "ALIASES", "FRAME_COLUMNS"]

FRAME_COLUMNS = ["row_ref", "department", "role", "headcount", "must_train"]

ALIASES: dict[str, tuple[str, ...]] = {
    "department": ("afdeling", "organisatieonderdeel", "team", "cluster", "department", "organisatie-eenheid"),
    "role": ("functie", "rol", "functiegroep", "role", "doelgroep"),
    "headcount": ("aantal medewerkers", "aantal", "medewerkers", "bezetting", "headcount", "fte-aantal",
                  "aantal personen"),
    "must_train": ("moet getraind", "training verplicht", "verplicht", "moet training volgen", "must train",
                   "ai-geletterdheid verplicht"),
}
_YES = {"ja", "j", "yes", "y", "true", "1", "x", "verplicht"}
_NO = {"nee", "n", "no", "false", "0", "niet verplicht"}


def load(spec: SourceSpec) -> ConnectorResult:
    """Read a headcount list; rows without a department or with a headcount that is not a whole number are quarantined."""
    frame, table = read_fields(spec, ALIASES, required=("department", "headcount"),
                               sheet_hints=("Formatie", "Bezetting", "Headcount"))
    rows = list(table.quarantine)
    count = pd.to_numeric(frame["headcount"].astype("string").str.replace(",", ".", regex=False).str.strip(),
                          errors="coerce")
    flag = frame["must_train"].fillna("ja").astype(str).str.strip().str.lower()
    bad_count = count.isna() | (count < 0) | (count % 1 != 0)
    bad_flag = ~flag.isin(_YES | _NO)
    no_dept = frame["department"].isna()
    for i in frame.index[no_dept | bad_count | bad_flag]:
        r = frame.loc[i]
        reason = ("afdeling ontbreekt" if r["department"] is None
                  else f"aantal medewerkers '{r['headcount']}' is geen heel getal van 0 of meer" if bad_count[i]
                  else f"'{r['must_train']}' bij 'moet getraind' is geen ja of nee")
        rows.append({"row_ref": table.ref(r["_ord"]), "reason": reason, "raw_text": r["_raw"]})
    keep = ~(no_dept | bad_count | bad_flag)
    out = frame[keep].copy()
    out["headcount"] = count[keep].astype(int)
    out["must_train"] = flag[keep].isin(_YES)
    base = out["department"].map(slug) + out["role"].map(lambda r: f":{slug(r)}" if r else "")
    out["row_ref"] = unique_refs(base.astype(object))
    return ConnectorResult(frame=out[FRAME_COLUMNS].reset_index(drop=True), quarantine=quarantine_frame(rows),
                           notes=table.notes)
