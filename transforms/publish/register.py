"""Register entries in the national publication standard 1.0: build, validate, export as CSV.

The standard's fields (names, required flags, max lengths, permitted values, allowed HTML tags) are
in ``transforms/data/standard_1_0.json``. Lengths are measured on the text with HTML removed.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from bs4 import BeautifulSoup

from transforms.publish.formats import to_amsterdam, to_eurocities_rows
from transforms.publish.markup import to_register_html

__all__ = [
    "standard_fields", "standard_sections", "to_national_entry", "validate_entry", "validate_file", "to_national_csv",
    "flatten_grouping", "parse_grouping", "to_eurocities_rows", "to_amsterdam", "CSV_COLUMNS", "DPIA_TITLE", "IAMA_TITLE",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "standard_1_0.json"
DPIA_TITLE = "Data Protection Impact Assessment (DPIA)"
IAMA_TITLE = "Impact Assessment Mensenrechten en Algoritmes (IAMA)"
CSV_COLUMNS = [
    "name", "organization", "description_short", "category", "website", "status", "goal",
    "proportionality", "lawful_basis", "standard_version", "url", "contact_email", "lang", "publiccode",
    "source_data", "methods_and_models", "human_intervention", "risks", "provider", "process_index_url",
    "tags", "source_id", "begin_date", "end_date", "impacttoetsen", "publication_category",
    "lawful_basis_grouping", "impacttoetsen_grouping", "source_data_grouping", "algorithm_id", "publication_dt",
]
_TEXT_FIELDS = ("goal", "proportionality", "human_intervention", "risks", "lawful_basis", "source_data", "methods_and_models")
_DONE = ("uitgevoerd", "afgerond", "gereed", "klaar", "ja", "done", "completed", "yes", "vastgesteld", "goedgekeurd")
_STATUS = {"in gebruik": "In gebruik", "in ontwikkeling": "In ontwikkeling", "buiten gebruik": "Buiten gebruik",
           "gebruik": "In gebruik", "ontwikkeling": "In ontwikkeling", "retired": "Buiten gebruik"}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_URL_FIELDS = ("website", "url", "process_index_url", "publiccode")
_SPACES = re.compile(r"\s+")


def standard_fields() -> dict[str, dict]:
    """Field definitions of publication standard 1.0 (key -> {title, type, required, help_text, …})."""
    return _standard()["fields"]


def standard_sections() -> list[dict]:
    """The register website's sections (tabs): ``[{key, label, fields: [key, …]}, …]``."""
    return _standard()["sections"]


@lru_cache(maxsize=1)
def _standard() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def _plain(value: Any, sep: str = " ") -> str:
    """Text without HTML; ``sep`` joins the text of adjacent elements ('' when measuring length)."""
    text = "" if value is None else str(value)
    if "<" in text or "&" in text:
        text = BeautifulSoup(text, "html.parser").get_text(sep)
    return _SPACES.sub(" ", text).strip()


_KNOWN_TAG = re.compile(r"</?(p|div|br|span|b|i|u|em|strong|ul|ol|li|a|h[1-6]|font)\b[^>]*>", re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def _unhtml(value: Any) -> str:
    """A plain-text field as plain text: pasted HTML (known tags, entities) converted, other text as is."""
    text = "" if value is None else str(value)
    if _KNOWN_TAG.search(text):
        return _plain(text)
    return html.unescape(text) if _ENTITY.search(text) else text


def _clip(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters at a word boundary, with an ellipsis."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;: ")
    return cut + "…"


def _collapse(value: Any) -> str:
    return _SPACES.sub(" ", "" if value is None else str(value)).strip()


def _safe(value: Any, limit: int) -> str:
    """Plain text (never parsed as HTML) clipped to ``limit``; '<' and '>' escaped if present."""
    text = _clip(_collapse(value), limit)
    return html.escape(text, quote=False) if "<" in text or ">" in text else text


def _is_done(value: Any) -> bool:
    s = str(value or "").strip().lower()
    return any(s.startswith(d) for d in _DONE)


def _month(value: Any) -> str:
    s = str(value or "").strip()
    m = re.match(r"^(\d{4})-(\d{2})", s)
    return f"{m.group(1)}-{m.group(2)}" if m else ""


def _get(row: Any, key: str) -> Any:
    if row is None:
        return None
    value = row.get(key) if hasattr(row, "get") else None
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _dpia_line(name: str, status: Any, when: Any) -> str:
    """'DPIA: uitgevoerd op 12-03-2026.' (or without the date when it is unknown)."""
    day = None
    if when is not None and str(when).strip():
        try:
            day = pd.Timestamp(str(when)).strftime("%d-%m-%Y")
        except (ValueError, TypeError):
            day = None
    return f"{name}: uitgevoerd op {day}." if day else f"{name}: uitgevoerd."


def to_national_entry(system: dict, classification: dict, org: dict) -> dict:
    """A publication-standard-1.0 entry for one confirmed system; only published fields, no empties.

    Editors' values (``fields_json``, any key of the standard) come first; the sources fill name,
    short description and provider when an editor left them empty. Long texts become the register's
    HTML through :func:`transforms.publish.markup.to_register_html` (plain text, Markdown or HTML,
    escaped once). Impact assessments say only what is true: a DPIA or IAMA that was carried out
    (with its date and https link when known), never what the classification thinks is needed.
    """
    fields = _get(system, "fields_json") or {}
    if isinstance(fields, str):
        fields = json.loads(fields or "{}")
    spec = standard_fields()
    themes = spec["category"]["permitted_values"]
    status = _STATUS.get(str(fields.get("status_register") or "In gebruik").strip().lower(),
                         fields.get("status_register") or "In gebruik")
    dpia_status = fields.get("dpia_status") or _get(classification, "dpia_status")
    iama_status = fields.get("iama_status")
    grouping = [dict(i) for i in fields.get("impacttoetsen_grouping") or [] if isinstance(i, dict)]
    titles = {str(i.get("title", "")).lower() for i in grouping}
    done_lines = []
    if _is_done(dpia_status):
        link = fields.get("dpia_link") or _get(classification, "dpia_link")
        if not any("dpia" in t for t in titles):
            grouping.append({"title": DPIA_TITLE} | ({"link": str(link)[:500]} if link and str(link).startswith("https://") else {}))
        done_lines.append(_dpia_line("DPIA", dpia_status, fields.get("dpia_date") or _get(classification, "dpia_date")))
    if _is_done(iama_status):
        if not any("iama" in t for t in titles):
            grouping.append({"title": IAMA_TITLE} | ({"link": fields["iama_link"]} if fields.get("iama_link") else {}))
        done_lines.append(_dpia_line("IAMA", iama_status, fields.get("iama_date")))
    categories = fields.get("category") or fields.get("categories") or []
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.split(",")]
    entry: dict[str, Any] = {
        "name": _safe(_unhtml(fields.get("name") or _get(system, "name")), 100),
        "description_short": _safe(_unhtml(fields.get("description_short") or _get(system, "description")
                                           or fields.get("goal") or _get(system, "name")), 400),
        "organization": _safe(org.get("name"), 100),
        "category": [c for c in categories if c in themes],
        "status": status,
        "begin_date": _month(fields.get("begin_date")),
        "end_date": _month(fields.get("end_date")),
        "contact_email": str(fields.get("contact_email") or org.get("contact_email") or "").strip(),
        "publication_category": fields.get("publication_category") or _get(classification, "publication_category"),
        "provider": _safe(_unhtml(fields.get("provider") or _get(system, "vendor")), 200),
        "impacttoetsen_grouping": grouping,
        "impacttoetsen": to_register_html(fields.get("impacttoetsen") or " ".join(done_lines)),
        "lang": "nld",
        "standard_version": "1.0",
        "source_id": str(_get(system, "system_id") or ""),
        "lars": fields.get("lars"),
    }
    for key in _URL_FIELDS:
        entry[key] = fields.get(key)
    for key in ("lawful_basis_grouping", "source_data_grouping"):
        entry[key] = [dict(i) for i in fields.get(key) or [] if isinstance(i, dict)]
    for key in (*_TEXT_FIELDS, "tags"):
        entry[key] = to_register_html(fields.get(key))
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


def validate_entry(entry: dict) -> list[str]:
    """Readable problems of one entry against standard 1.0 (empty list = valid)."""
    if not isinstance(entry, dict):
        return ["registratie is geen JSON-object (entry is not an object)"]
    spec = standard_fields()
    problems: list[str] = []
    for key in entry:
        if key not in spec:
            problems.append(f"{key}: onbekend veld in standaard 1.0 (unknown field)")
    for key, f in spec.items():
        label = f"{key} ({f['title']})"
        value = entry.get(key)
        empty = value is None or value == "" or value == [] or (isinstance(value, str) and not _plain(value))
        if empty:
            if f.get("required"):
                problems.append(f"{label}: verplicht veld ontbreekt (required)")
            continue
        problems += _check_value(key, label, f, value)
    return problems


def _check_value(key: str, label: str, f: dict, value: Any) -> list[str]:
    out: list[str] = []
    permitted = f.get("permitted_values")
    if key == "category":
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in permitted]
        if bad:
            out.append(f"{label}: {', '.join(map(str, bad))} is geen thema uit de lijst van 16 (not a permitted theme)")
        return out
    if key.endswith("_grouping"):
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            return [f"{label}: moet een lijst van {{title, link}} zijn (must be a list of objects)"]
        for n, item in enumerate(value, start=1):
            for sub, sf in f.get("items", {}).items():
                v = item.get(sub)
                if sf.get("required") and not v:
                    out.append(f"{label} #{n}: {sub} ontbreekt (required)")
                if v and sf.get("max_length") and len(str(v)) > sf["max_length"]:
                    out.append(f"{label} #{n}: {sub} is {len(str(v))} tekens, max {sf['max_length']}")
                if v and sub == "link" and not str(v).startswith(("https://", "http://")):
                    out.append(f"{label} #{n}: link is geen URL (not a URL)")
            extra = set(item) - set(f.get("items", {}))
            if extra:
                out.append(f"{label} #{n}: onbekende onderdelen {', '.join(sorted(extra))}")
        return out
    if not isinstance(value, str):
        return [f"{label}: moet tekst zijn (must be a string)"]
    if permitted and value not in permitted:
        return [f"{label}: '{value}' is niet toegestaan; kies uit {' / '.join(permitted)}"]
    plain = _plain(value, sep="")
    if f.get("max_length") and len(plain) > f["max_length"]:
        out.append(f"{label}: {len(plain)} tekens, maximaal {f['max_length']} (too long)")
    tags = {t.name for t in BeautifulSoup(value, "html.parser").find_all()} if "<" in value else set()
    bad_tags = tags - set(f.get("allowed_html_tags", []))
    if bad_tags:
        out.append(f"{label}: HTML-tags niet toegestaan: {', '.join(sorted(bad_tags))}")
    if key in ("begin_date", "end_date") and not _MONTH.match(value):
        out.append(f"{label}: '{value}' is geen jaar-maand (yyyy-mm)")
    if key == "contact_email" and not (_EMAIL.match(value) or value.startswith("https://")):
        out.append(f"{label}: geen geldig e-mailadres of https-link")
    if key in _URL_FIELDS and not value.startswith(("https://", "http://")):
        out.append(f"{label}: '{value[:60]}' is geen URL (http(s)://…)")
    return out


def flatten_grouping(items: Any) -> str:
    """``[{title, link}, …]`` -> ``"1: title, link. 2: title, link"`` (the register's CSV style)."""
    if not items:
        return ""
    if isinstance(items, str):
        return items
    parts = []
    for n, item in enumerate(items, start=1):
        bits = [str(item.get(k)) for k in ("title", "link") if isinstance(item, dict) and item.get(k)]
        parts.append(f"{n}: {', '.join(bits)}")
    return ". ".join(parts)


def parse_grouping(text: str) -> list[dict]:
    """Inverse of :func:`flatten_grouping` (best effort: the CSV form is lossy)."""
    out = []
    for part in re.split(r"(?:^|\.\s+)\d+:\s*", text or ""):
        part = part.strip().rstrip(".")
        if not part:
            continue
        title, _, link = part.rpartition(", ") if ", http" in part else (part, "", "")
        out.append({"title": title.strip()} | ({"link": link.strip()} if link else {}))
    return out


def to_national_csv(entries: list[dict]) -> pd.DataFrame:
    """The national CSV export layout: English keys, lists flattened, HTML stripped, one line each."""
    rows = []
    for e in entries:
        row = {}
        for col in CSV_COLUMNS:
            v = e.get("lars") if col == "algorithm_id" else e.get(col)
            if col.endswith("_grouping"):
                v = flatten_grouping(v)
            elif isinstance(v, list):
                v = ", ".join(map(str, v))
            row[col] = _plain(v) if v is not None else ""
        rows.append(row)
    return pd.DataFrame(rows, columns=CSV_COLUMNS, dtype=object)


def _entry_from_csv(row: dict) -> dict:
    entry: dict[str, Any] = {}
    for k, v in row.items():
        if k is None or v is None or str(v).strip() == "":
            continue
        key = "lars" if k == "algorithm_id" else k
        if key == "category":
            entry[key] = [c.strip() for c in v.split(",") if c.strip()]
        elif key.endswith("_grouping"):
            entry[key] = parse_grouping(v)
        else:
            entry[key] = html.escape(v, quote=False)  # CSV export text is plain text, not HTML
    if entry.get("standard_version", "").startswith("1.0"):
        entry["standard_version"] = "1.0"
    return entry


def validate_file(path: Path | str, notes: list[str] | None = None) -> dict[str, list[str]]:
    """Problems per entry of a file: a JSON object or list, the register's site-data download, or a
    national CSV export (UTF-8/UTF-16/Windows-1252, ``,`` or ``;``). Entries of another standard
    version are not checked; a line about each goes to ``notes`` when given."""
    from transforms.publish.register_files import read_register_file

    result: dict[str, list[str]] = {}
    for label, entry, note in read_register_file(path, _entry_from_csv):
        if note:
            if notes is not None:
                notes.append(f"{label}: {note}")
            continue
        result[label] = validate_entry(entry)
    return result
