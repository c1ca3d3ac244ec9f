"""Reading downloaded national-register files: site-data JSON, API query JSON, CSV and Excel export.

Each reader returns ``(records, quarantine_rows, org_details)`` where records are dicts with the
register's English keys (as in the API), ready for ``_registers_common.national_row``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from connectors._registers_common import csv_records
from connectors.limits import check_file_size, check_unzipped_size
from transforms.errors import SourceFormatError

__all__ = ["read_national_file", "records_from_json", "EXCEL_LABELS"]

# Dutch row labels of the Excel export (field titles of standard 0.1, 0.4 and 1.0) -> English key.
EXCEL_LABELS: dict[str, str] = {
    "Naam": "name", "Organisatie": "organization", "Organisatienaam": "organization",
    "Afdeling": "department", "Korte omschrijving": "description_short", "Type algoritme": "type",
    "(Zelf)lerend": "type", "Beleidsterrein": "category", "Thema": "category",
    "Link naar publiekspagina": "website", "Status": "status", "Doel": "goal",
    "Doel en impact": "goal", "Impact": "impact", "Proportionaliteit": "proportionality",
    "Afwegingen": "proportionality", "Begindatum": "begin_date", "Einddatum": "end_date",
    "Contactgegevens": "contact_email", "E-mailadres van de contactpersoon": "contact_email",
    "Publicatiecategorie": "publication_category", "Link naar bronregistratie": "url",
    "Menselijke tussenkomst": "human_intervention", "Risicobeheer": "risks", "Risico's": "risks",
    "Wettelijke basis": "lawful_basis", "Wettelijke grondslag": "lawful_basis",
    "Verwijzingen wettelijke basis": "lawful_basis_grouping",
    "Link naar verwerkingsregister": "process_index_url",
    "Toelichting op impacttoetsen": "impacttoetsen", "Gegevens": "source_data",
    "Databronnen": "source_data", "Verwijzingen gegevensbronnen": "source_data_grouping",
    "Technische werking": "methods_and_models", "Methoden en modellen": "methods_and_models",
    "Leverancier": "provider", "Link naar broncode": "publiccode", "Taal": "lang",
    "Versie publicatiestandaard": "standard_version", "Schema": "standard_version",
    "Bron-ID": "source_id", "Zoektermen": "tags", "Algoritme-ID": "lars",
    "Publicatie datum": "publication_dt", "Geografisch gebied": "area",
    "Impact Assessment Mensenrechten en Algoritmes (IAMA)": "iama",
    "Data Protection Impact Assessment (DPIA)": "dpia",
}


def read_national_file(path: Path, source_id: str) -> tuple[list[dict], list[tuple[str, str, str]], dict]:
    """Records from a downloaded national-register file, chosen by content (JSON, CSV or XLSX)."""
    try:
        check_file_size(path, source_id)
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path}: {exc.strerror}; check the path in aigrip.yaml", source_id) from None
    if data[:2] == b"PK":
        return _read_excel(data, path, source_id), [], {}
    text = data.decode("utf-8-sig", errors="replace")
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise SourceFormatError(
                f"{path} is not valid JSON ({exc}); download the file again", source_id
            ) from None
        return records_from_json(doc, str(path), source_id)
    if head == "<":
        raise SourceFormatError(f"{path} is an HTML page, not a register export; download the JSON, CSV or Excel export", source_id)
    return _read_csv(text, path, source_id), [], {}


def records_from_json(doc: Any, where: str, source_id: str) -> tuple[list[dict], list[tuple[str, str, str]], dict]:
    """Records from site-data JSON (published Dutch versions only), query JSON, a list or one record."""
    if isinstance(doc, dict) and "algoritme_versions" in doc:
        details = _org_details(doc.get("organisation_details") or [])
        keep, quarantine = [], []
        for i, rec in enumerate(doc["algoritme_versions"] or [], start=1):
            if not isinstance(rec, dict):
                quarantine.append((f"#{i}", "geen JSON-object", json.dumps(rec)[:2000]))
                continue
            state = str(rec.get("state") or "PUBLISHED").upper()
            lang = str(rec.get("language") or "NLD").upper()
            if state == "PUBLISHED" and lang == "NLD":
                keep.append(rec)
            else:
                ref = f"{rec.get('lars') or i}-{lang}-{state}"
                quarantine.append(
                    (ref, f"niet de gepubliceerde Nederlandse versie (state {state}, taal {lang})",
                     json.dumps(rec, ensure_ascii=False)[:2000])
                )
        return keep, quarantine, details
    if isinstance(doc, dict) and "results" in doc:
        doc = doc["results"]
    if isinstance(doc, dict) and ("name" in doc or "lars" in doc):
        doc = [doc]
    if not isinstance(doc, list):
        raise SourceFormatError(
            f"{where} has no register entries (expected algoritme_versions, results or a list); "
            "use the site-data JSON, the API JSON, or the CSV/Excel export",
            source_id,
        )
    records, quarantine = [], []
    for i, rec in enumerate(doc, start=1):
        if isinstance(rec, dict):
            records.append(rec)
        else:
            quarantine.append((f"#{i}", "geen JSON-object", json.dumps(rec, ensure_ascii=False)[:2000]))
    return records, quarantine, {}


def _org_details(items: list) -> dict[str, dict]:
    """Organisation details by slug code, preferring the Dutch (NLD) variant."""
    out: dict[str, dict] = {}
    for item in items:
        if not isinstance(item, dict) or not item.get("code"):
            continue
        code = str(item["code"])
        if code not in out or str(item.get("language", "")).upper() == "NLD":
            out[code] = item
    return out


def _read_csv(text: str, path: Path, source_id: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in (reader.fieldnames or [])]
    if "name" not in fields or not ({"organization", "algorithm_id", "lars"} & set(fields)):
        raise SourceFormatError(
            f"{path} has no national-register CSV header (expected name, organization, …); "
            "use the CSV export of algoritmes.overheid.nl",
            source_id,
        )
    reader.fieldnames = fields
    return csv_records(reader)


def _read_excel(data: bytes, path: Path, source_id: str) -> list[dict]:
    from openpyxl import load_workbook

    check_unzipped_size(io.BytesIO(data), path, source_id)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceFormatError(
            f"{path} cannot be opened as Excel ({type(exc).__name__}); is it password-protected or damaged?",
            source_id,
        ) from None
    records: list[dict] = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        labelled = [r for r in rows if r and isinstance(r[0], str) and r[0].strip()]
        if not any(str(r[0]).strip() in EXCEL_LABELS for r in labelled):
            continue
        width = max(len(r) for r in labelled)
        for col in range(1, width):
            rec: dict[str, Any] = {}
            for r in labelled:
                value = r[col] if col < len(r) else None
                label = str(r[0]).strip()
                key = EXCEL_LABELS.get(label, label)
                if label == "Impacttoetsen":
                    key = "impacttoetsen_grouping" if sheet.title.startswith("1") else "impacttoetsen"
                rec[key] = "" if value is None else str(value)
            if any(v for v in rec.values()):
                rec.setdefault("standard_version", sheet.title)
                if not rec.get("standard_version"):
                    rec["standard_version"] = sheet.title
                records.append(rec)
    if not records:
        raise SourceFormatError(
            f"{path} has no sheet with register fields (Naam, Organisatie, …) in column A; "
            "use the Excel export of algoritmes.overheid.nl",
            source_id,
        )
    return records
