"""Registers in the Eurocities Algorithmic Transparency Standard v0.3.1 (Eindhoven co-developed it).

``spec.path`` is a CSV file (one header line of attribute names, semicolon-separated, as the
standard's template) or a YAML/JSON file holding one registration, a list of them, or
``{registrations: [...]}``. Attribute names follow the standard (``name``, ``description_short``,
``organization``, ``domain``, ``status``, ``DPIA_url``, …); English and Dutch enum values are both
accepted. ``options.org_code`` sets the organisation's gm-code when its name is not recognised.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import yaml

from connectors._registers_common import (
    csv_records,
    html_to_text,
    org_code_for,
    peer_frame,
    quarantine_frame,
    stable_hash,
)
from connectors.base import ConnectorResult, SourceSpec
from connectors.limits import check_file_size
from transforms.errors import ConfigError, SourceFormatError
from transforms.text import fold
from transforms.yamlsafe import safe_yaml

__all__ = ["load", "read_registrations", "STATUS_TO_NATIONAL", "assessment_performed"]

# An assessment description says whether it was *performed*, not whether it is *required*:
# "DPIA verplicht" and "IAMA niet nodig" are not performed; "DPIA uitgevoerd (2025)" is.
_NOT_YET = re.compile(r"\b(nog niet|wordt (nog )?uitgevoerd|in uitvoering|in voorbereiding|gepland|planned|"
                      r"not yet|niet uitgevoerd|not (been )?(performed|conducted|carried out)|ongoing|loopt)\b")
_DONE = re.compile(r"\b(uitgevoerd|afgerond|gereed|vastgesteld|goedgekeurd|gedaan|heeft plaatsgevonden|"
                   r"ja|yes|done|completed|performed|conducted|carried out)\b")
_NOT_DONE = re.compile(r"\b(verplicht|vereist|nodig|noodzakelijk|required|needed|mandatory|aanbevolen|recommended|"
                       r"n\.?v\.?t|niet van toepassing|not applicable|n/a|geen|nee|no|none)\b")

# Eurocities status (en and nl) -> national standard 1.0 status
STATUS_TO_NATIONAL = {
    "planned": "In ontwikkeling", "design": "In ontwikkeling", "development": "In ontwikkeling",
    "pilot": "In ontwikkeling", "evaluation": "In ontwikkeling", "operational": "In gebruik",
    "retired": "Buiten gebruik", "gepland": "In ontwikkeling", "ontwerp": "In ontwikkeling",
    "ontwikkeling": "In ontwikkeling", "evaluatie": "In ontwikkeling", "operationeel": "In gebruik",
    "beeindigd": "Buiten gebruik",
}


def load(spec: SourceSpec) -> ConnectorResult:
    """Load Eurocities-standard registrations into peer-register rows."""
    if spec.path is None:
        raise ConfigError(f"source '{spec.id}': an eurocities_register needs a path (CSV or YAML file)")
    records = read_registrations(Path(spec.path), spec.id)
    opts = spec.options or {}
    rows, quarantine = [], []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict) or not html_to_text(rec.get("name")):
            quarantine.append((f"#{i}", "registratie zonder naam", json.dumps(rec, ensure_ascii=False, default=str)[:2000]))
            continue
        rows.append(_row(rec, spec.id, opts))
    frame = peer_frame(rows)
    return ConnectorResult(frame=frame, quarantine=quarantine_frame(quarantine), rows_in=len(frame) + len(quarantine))


def read_registrations(path: Path, source_id: str) -> list:
    """The registrations in a Eurocities CSV or YAML/JSON file, as dicts keyed by attribute."""
    try:
        check_file_size(path, source_id)
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path}: {exc.strerror}; check the path in aigrip.yaml", source_id) from None
    except UnicodeDecodeError:
        raise SourceFormatError(f"{path} is not UTF-8 text; save it as CSV UTF-8 or YAML", source_id) from None
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        try:
            doc = safe_yaml(text)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" near line {line + 1}" if line is not None else ""
            raise SourceFormatError(f"{path} is not valid YAML{where}; fix the file", source_id) from None
        if isinstance(doc, dict) and isinstance(doc.get("registrations"), list):
            return doc["registrations"]
        if isinstance(doc, dict):
            return [doc]
        if isinstance(doc, list):
            return doc
        raise SourceFormatError(f"{path} holds no registrations (expected a mapping or a list)", source_id)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [(f or "").strip() for f in reader.fieldnames or []]
    if "name" not in fields:
        raise SourceFormatError(
            f"{path} has no 'name' column; use the Eurocities template header (name;description_short;…)",
            source_id,
        )
    reader.fieldnames = fields
    return csv_records(reader)


def _row(rec: dict, source_id: str, opts: dict) -> dict:
    organisation = html_to_text(rec.get("organization") or opts.get("organisation"))
    name = html_to_text(rec.get("name"))
    key = html_to_text(rec.get("uuid")) or stable_hash(organisation, name)
    status = html_to_text(rec.get("status"))
    goal = " ".join(t for t in (html_to_text(rec.get("goal")), html_to_text(rec.get("impact"))) if t)
    domain = rec.get("domain")
    categories = [html_to_text(d) for d in domain] if isinstance(domain, list) else (
        [d.strip() for d in str(domain).replace("|", ";").split(";") if d.strip()] if domain else []
    )
    assessments = []
    if assessment_performed(rec.get("DPIA_description"), rec.get("DPIA_url")):
        assessments.append("DPIA")
    if assessment_performed(rec.get("AIA_description"), rec.get("AIA_url")):
        assessments.append("AIIA")
    return {
        "entry_key": f"{source_id}:{key}",
        "source_id": source_id,
        "organisation": organisation,
        "org_code": org_code_for(organisation, opts.get("org_code")),
        "org_type": "gemeente" if fold(organisation).startswith(("gemeente", "city of", "municipality")) else "",
        "lars": None,
        "name": name,
        "description_short": html_to_text(rec.get("description_short")),
        "goal": goal,
        "status": STATUS_TO_NATIONAL.get(fold(status).replace("ë", "e"), status),
        "categories": categories,
        "publication_category": None,
        "provider": html_to_text(rec.get("provider") or rec.get("supplier")) or None,
        "impact_assessments": assessments,
        "lawful_basis": html_to_text(rec.get("lawful_basis")),
        "begin_date": None,
        "end_date": None,
        "standard_version": html_to_text(rec.get("standard_version")) or "0.3.1",
        "url": html_to_text(rec.get("website") or rec.get("product_information")) or None,
        "snapshot_id": None,
        "raw_json": json.dumps(rec, ensure_ascii=False, sort_keys=True, default=str),
    }


def assessment_performed(description, url=None) -> bool:
    """Whether a DPIA/IAMA description (and link) says the assessment was carried out."""
    text = fold(html_to_text(description))
    if text:
        if _NOT_YET.search(text):
            return False
        if _DONE.search(text):
            return True
        if _NOT_DONE.search(text):
            return False
    link = html_to_text(url)
    return link.lower().startswith(("http://", "https://"))
