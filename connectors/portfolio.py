"""Application portfolio connector: CMDB/TOPdesk/generic list exports (CSV/XLSX) and the VNG
Softwarecatalogus JSON export (``voorzieninggebruik`` objects joined with their ``voorziening``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from connectors._rows import quarantine_frame, read_fields, slug, unique_refs
from connectors.base import ConnectorResult, SourceSpec
from connectors.limits import check_file_size
from transforms.errors import SourceFormatError

__all__ = ["load", "ALIASES", "FRAME_COLUMNS"]

FRAME_COLUMNS = ["row_ref", "app_id", "name", "vendor", "department", "description", "status"]

ALIASES: dict[str, tuple[str, ...]] = {
    "app_id": ("applicatie-id", "applicatie id", "applicatieid", "id", "objectid", "object-id", "asset-id", "nummer", "kenmerk", "unid"),
    "name": ("naam applicatie", "applicatie", "applicatienaam", "naam", "pakket", "systeem", "name", "voorziening"),
    "vendor": ("leverancier", "leveranciersnaam", "vendor", "fabrikant", "aanbieder", "leverancier (naam)"),
    "department": ("afdeling", "eigenaar (afdeling)", "eigenaar", "organisatieonderdeel", "team", "proceseigenaar", "afdeling eigenaar"),
    "description": ("omschrijving", "beschrijving", "toelichting", "functie", "doel", "description"),
    "status": ("status", "levensfase", "operationele status", "lifecycle"),
}


def load(spec: SourceSpec) -> ConnectorResult:
    """Read an application portfolio export (CSV/XLSX, or Softwarecatalogus JSON)."""
    if spec.path is not None and Path(spec.path).suffix.lower() == ".json":
        return _load_softwarecatalogus(spec)
    frame, table = read_fields(spec, ALIASES, required=("name",), sheet_hints=("Applicaties", "Applicatieportfolio"))
    rows = list(table.quarantine)
    no_name = frame["name"].isna()
    for ordinal, raw in frame.loc[no_name, ["_ord", "_raw"]].itertuples(index=False):
        rows.append({"row_ref": table.ref(ordinal), "reason": "naam van de applicatie ontbreekt", "raw_text": raw})
    frame = frame[~no_name].copy()
    return ConnectorResult(frame=_finish(frame), quarantine=quarantine_frame(rows), notes=table.notes,
                           rows_in=table.rows_in())


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    base = frame["app_id"].where(frame["app_id"].notna(), frame["name"].map(slug))
    frame["row_ref"] = unique_refs(base.astype(object))
    return frame[FRAME_COLUMNS].reset_index(drop=True)


def _load_softwarecatalogus(spec: SourceSpec) -> ConnectorResult:
    try:
        check_file_size(Path(spec.path), spec.id)
        doc = json.loads(Path(spec.path).read_text(encoding="utf-8-sig"))
    except (ValueError, OSError) as exc:
        raise SourceFormatError(f"{spec.path} is not valid JSON ({exc}); export it again", spec.id) from None
    objects = doc.get("components", {}).get("objects") if isinstance(doc, dict) else doc
    if not isinstance(objects, list):
        raise SourceFormatError(
            f"{spec.path} has no Softwarecatalogus objects list (components.objects); export the landscape again", spec.id
        )

    def schema(o: dict) -> str:
        return (o.get("@self") or {}).get("schema") or o.get("schema") or ""

    by_id = {o.get("id"): o for o in objects if isinstance(o, dict)}
    uses = [o for o in objects if isinstance(o, dict) and schema(o) == "voorzieninggebruik"]
    offers = {o.get("voorziening"): o for o in objects if isinstance(o, dict) and schema(o) == "voorzieningaanbod"}
    records, rows = [], []
    for use in uses:
        product = by_id.get(use.get("voorzieningId")) or {}
        offer = offers.get(use.get("voorzieningId")) or {}
        supplier = by_id.get(offer.get("leverancier")) or {}
        if not product.get("naam"):
            rows.append({"row_ref": str(use.get("id")), "reason": "voorziening bij dit gebruik niet gevonden",
                         "raw_text": json.dumps(use, ensure_ascii=False)})
            continue
        records.append({
            "app_id": use.get("id"), "name": product.get("naam"), "vendor": supplier.get("naam"),
            "department": None, "description": product.get("beschrijving"), "status": use.get("status"),
        })
    frame = pd.DataFrame(records, columns=FRAME_COLUMNS[1:]).astype(object)
    return ConnectorResult(frame=_finish(frame), quarantine=quarantine_frame(rows), rows_in=len(uses))
