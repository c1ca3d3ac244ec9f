"""Source frames → ``mentions`` (docs/architecture.md), vectorised."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from transforms.text import normalise_vendor_series

__all__ = ["to_mentions", "MENTION_COLUMNS"]

MENTION_COLUMNS = ["source_key", "source_id", "source_type", "org", "title", "description", "vendor", "vendor_norm",
                   "vendor_kvk", "product", "department", "amount_eur", "record_date", "url", "cpv_codes", "raw_json"]

# mention column -> source frame column, per source type
_MAP = {
    "spend_ledger": {"title": "description", "description": "description", "vendor": "supplier",
                     "vendor_kvk": "supplier_kvk", "department": "department", "amount_eur": "amount", "record_date": "date"},
    "tenderned": {"title": "title", "description": "description", "vendor": "winner", "vendor_kvk": "winner_kvk",
                  "amount_eur": "value_eur", "record_date": "date", "url": "url", "cpv_codes": "cpv_codes"},
    "application_portfolio": {"title": "name", "description": "description", "vendor": "vendor", "product": "name",
                              "department": "department"},
    "survey": {"title": "system", "description": "description", "vendor": "vendor", "product": "system",
               "department": "department"},
}
_MAP["ted"] = _MAP["tenderned"]
_SURVEY_PRIVATE = {"respondent_name", "respondent_email", "respondent_hash"}


def _code_list(value: object) -> list[str]:
    """CPV codes as a list of strings, whatever shape the raw table gave them: a list, a tuple, a numpy
    array (a DuckDB ``VARCHAR[]`` column read back), a JSON array or a comma-separated string."""
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text.strip("[]").split(",")
        else:
            value = text.split(",")
    if isinstance(value, (list, tuple, np.ndarray)):
        codes = (str(c).strip(" '\"") for c in value if c is not None and not (isinstance(c, float) and c != c))
        return [c for c in codes if c]
    return []


def to_mentions(source_type: str, source_id: str, frame: pd.DataFrame, org: str) -> pd.DataFrame:
    """One mention per frame row; ``raw_json`` is the row as JSON (survey: without respondent data)."""
    if source_type not in _MAP:
        raise ValueError(f"source type {source_type!r} does not produce mentions")
    mapping = _MAP[source_type]
    n = len(frame)
    out = pd.DataFrame(index=frame.index)
    out["source_key"] = source_id + ":" + frame["row_ref"].astype(str) if n else pd.Series(dtype=object)
    out["source_id"] = source_id
    out["source_type"] = source_type
    out["org"] = org
    for col in ("title", "description", "vendor", "vendor_kvk", "product", "department", "url"):
        src = mapping.get(col)
        values = frame[src] if src in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        if col != "vendor_kvk":
            values = values.astype("string").str.strip()
            values = values.where(values != "")
        out[col] = values.astype(object).where(values.notna(), None)
    kvk = out["vendor_kvk"].astype("string").str.replace(r"\D", "", regex=True)
    kvk = kvk.where(kvk.str.len().between(1, 8)).str.zfill(8)
    out["vendor_kvk"] = kvk.astype(object).where(kvk.notna(), None)
    out["vendor_norm"] = normalise_vendor_series(out["vendor"]).where(out["vendor"].notna(), None)
    src = mapping.get("amount_eur")
    out["amount_eur"] = pd.to_numeric(frame[src], errors="coerce").astype("float64") if src in frame.columns else float("nan")
    src = mapping.get("record_date")
    out["record_date"] = (pd.to_datetime(frame[src], errors="coerce").dt.normalize() if src in frame.columns
                          else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]"))
    src = mapping.get("cpv_codes")
    out["cpv_codes"] = frame[src].map(_code_list) if src in frame.columns else [[] for _ in range(n)]
    public = frame.drop(columns=[c for c in frame.columns if c in _SURVEY_PRIVATE]) if source_type == "survey" else frame
    out["raw_json"] = public.to_json(orient="records", lines=True, date_format="iso", force_ascii=False).splitlines() if n else []
    return out[MENTION_COLUMNS].reset_index(drop=True)
