"""The register editor's fields: every editable property of publication standard 1.0.

Driven by ``transforms/data/standard_1_0.json`` (labels, help texts, max lengths, required flags,
permitted values, the website's sections). A value an editor types — in the review app, on the
command line or in the register workbook — goes through :func:`parse_value` (to the stored shape:
text, register HTML, a list of themes, a list of ``{title, link}``) and :func:`check_value` (Dutch
problems, empty list when fine). Values are stored in a system's ``fields_json`` under the same
keys as the standard, except ``status`` (stored as ``status_register``, the older key).
"""

from __future__ import annotations

import json
import re
from typing import Any

from transforms.publish.markup import plain_text, to_register_html
from transforms.publish.register import standard_fields, standard_sections

__all__ = [
    "EDITOR_FIELDS", "AUTOMATIC_FIELDS", "STORED_KEYS", "stored_key", "standard_key", "field_specs",
    "parse_value", "check_value", "display_value", "is_empty", "FieldValueError",
]

# Filled by aigrip itself, never typed: the organisation (from aigrip.yaml), language, version,
# our own id and the national register's id and date.
AUTOMATIC_FIELDS = ("organization", "lang", "standard_version", "source_id", "lars", "publication_dt")
_ALIASES = {"status": "status_register"}
_MONTHS = {m: i for i, m in enumerate(
    ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
     "november", "december"), start=1)}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_URL_FIELDS = ("website", "url", "process_index_url", "publiccode")


class FieldValueError(ValueError):
    """A value that cannot be read for its field; str() is one Dutch line."""


def _editor_fields() -> tuple[str, ...]:
    ordered = [k for s in standard_sections() for k in s["fields"]]
    ordered += [k for k in standard_fields() if k not in ordered]
    return tuple(k for k in ordered if k not in AUTOMATIC_FIELDS)


EDITOR_FIELDS: tuple[str, ...] = _editor_fields()
STORED_KEYS: tuple[str, ...] = tuple(_ALIASES.get(k, k) for k in EDITOR_FIELDS)


def stored_key(key: str) -> str:
    """The key a standard field is stored under in ``fields_json`` (``status`` -> ``status_register``)."""
    return _ALIASES.get(key, key)


def standard_key(key: str) -> str:
    """The standard's key for a stored key (inverse of :func:`stored_key`)."""
    return {v: k for k, v in _ALIASES.items()}.get(key, key)


def _kind(key: str, f: dict) -> str:
    if key.endswith("_grouping"):
        return "grouping"
    if key == "category":
        return "themes"
    if f.get("permitted_values"):
        return "choice"
    if key in ("begin_date", "end_date"):
        return "month"
    if key in _URL_FIELDS:
        return "url"
    if f.get("allowed_html_tags"):
        return "longtext"
    return "text"


def field_specs() -> list[dict]:
    """One dict per editable field, in the standard's layout order: key, stored, label, help, kind,
    max_length, required, options, section, items (for groupings: sub-field label, max, required)."""
    spec = standard_fields()
    section_of = {k: s["label"] for s in standard_sections() for k in s["fields"]}
    out = []
    for key in EDITOR_FIELDS:
        f = spec[key]
        out.append({
            "key": key, "stored": stored_key(key), "label": f["title"], "help": f.get("help_text", ""),
            "kind": _kind(key, f), "max_length": f.get("max_length"), "required": bool(f.get("required") is True),
            "options": list(f.get("permitted_values") or f.get("items", {}).get("title", {}).get("recommended_items") or []),
            "section": section_of.get(key, "Overig"),
            "items": {sub: {"label": sf.get("title", sub), "max_length": sf.get("max_length"),
                            "required": bool(sf.get("required"))} for sub, sf in f.get("items", {}).items()},
        })
    return out


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _label(key: str) -> str:
    return standard_fields()[key]["title"]


def _month(text: str, key: str) -> str:
    s = text.strip().lower()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", s):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[-/](\d{4})", s):
        year, month = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"([a-z]+)\s+(\d{4})", s):
        year, month = int(m.group(2)), _MONTHS.get(m.group(1), 0)
    else:
        raise FieldValueError(f"{_label(key)}: '{text}' is geen maand; schrijf jaar-maand, bijvoorbeeld 2023-01")
    if not 1 <= month <= 12:
        raise FieldValueError(f"{_label(key)}: '{text}' is geen bestaande maand; schrijf jaar-maand, bijvoorbeeld 2023-01")
    return f"{year:04d}-{month:02d}"


def _grouping(raw: Any, key: str) -> list[dict]:
    from transforms.publish.register import parse_grouping

    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except ValueError:
                raise FieldValueError(f"{_label(key)}: geen geldige lijst; gebruik '1: titel, https://…. 2: …'") from None
        else:
            raw = parse_grouping(text) if re.match(r"^\d+:", text) else [
                _line_item(line) for line in text.splitlines() if line.strip()]
    if not isinstance(raw, list):
        raise FieldValueError(f"{_label(key)}: geef regels met een titel en een link")
    items = []
    for item in raw:
        if not isinstance(item, dict):
            raise FieldValueError(f"{_label(key)}: elke regel heeft een titel en een link")
        title, link = str(item.get("title") or "").strip(), str(item.get("link") or "").strip()
        if title or link:
            items.append({"title": title} | ({"link": link} if link else {}))
    return items


def _line_item(line: str) -> dict:
    """'Titel, https://…' or 'Titel https://…' or 'Titel' on one line."""
    m = re.match(r"^(.*?)[,;\s]+(https?://\S+)\s*$", line.strip())
    return {"title": m.group(1).strip(), "link": m.group(2)} if m else {"title": line.strip()}


def parse_value(key: str, raw: Any) -> Any:
    """``raw`` (text from a form, the CLI or a cell; or a list) in the stored shape, ``None`` for empty.

    Raises :class:`FieldValueError` (Dutch) for a value that cannot be read at all; values that can be
    read but break a rule (too long, not permitted) are reported by :func:`check_value`.
    """
    key = standard_key(key)
    if key not in EDITOR_FIELDS:
        raise FieldValueError(f"'{key}' is geen veld van de publicatiestandaard 1.0 dat u kunt bewerken")
    if is_empty(raw):
        return None
    f = standard_fields()[key]
    kind = _kind(key, f)
    if kind == "grouping":
        return _grouping(raw, key) or None
    if kind == "themes":
        values = raw if isinstance(raw, list) else re.split(r"[,;\n]", str(raw))
        return [v.strip() for v in values if str(v).strip()] or None
    text = str(raw).strip()
    if kind == "month":
        return _month(text, key)
    if kind == "longtext":
        return to_register_html(text) or None
    if kind == "choice":
        for option in f["permitted_values"]:
            if option.lower() == text.lower():
                return option
    return " ".join(text.split())


def check_value(key: str, value: Any) -> list[str]:
    """Dutch problems of one stored value against the standard (empty list = fine)."""
    key = standard_key(key)
    f = standard_fields()[key]
    label = f["title"]
    if is_empty(value):
        return [f"{label} is verplicht; vul dit veld in."] if f.get("required") is True else []
    kind = _kind(key, f)
    if kind == "themes":
        bad = [v for v in value if v not in f["permitted_values"]]
        return [f"{label}: '{v}' is geen thema van het register; kies uit de lijst." for v in bad]
    if kind == "grouping":
        out = []
        for n, item in enumerate(value, start=1):
            for sub, sf in f.get("items", {}).items():
                v = str(item.get(sub) or "")
                sub_label = sf.get("title", sub)
                if sf.get("required") and not v:
                    out.append(f"{label}, regel {n}: {sub_label} ontbreekt.")
                if v and sf.get("max_length") and len(v) > sf["max_length"]:
                    out.append(f"{label}, regel {n}: {sub_label} is {len(v)} tekens; maximaal {sf['max_length']}.")
                if v and sub == "link" and not v.startswith(("https://", "http://")):
                    out.append(f"{label}, regel {n}: de link moet beginnen met https://")
        return out
    text = str(value)
    if kind == "choice" and text not in f["permitted_values"]:
        return [f"{label}: '{text}' is niet toegestaan; kies uit {' / '.join(f['permitted_values'])}."]
    out = []
    length = len(plain_text(text).replace("\n", "")) if kind == "longtext" else len(text)
    if f.get("max_length") and length > f["max_length"]:
        out.append(f"{label} is {length} tekens; maximaal {f['max_length']}. Maak de tekst korter.")
    if kind == "url" and not text.startswith(("https://", "http://")):
        out.append(f"{label}: een link begint met https://")
    if key == "contact_email" and not (_EMAIL.match(text) or text.startswith("https://")):
        out.append(f"{label}: geef een e-mailadres (bijvoorbeeld algoritmes@gemeente.nl) of een https-link.")
    return out


def display_value(key: str, value: Any) -> str:
    """A stored value as text for a form field, a cell or a terminal (the inverse of parse_value)."""
    from transforms.publish.register import flatten_grouping

    key = standard_key(key)
    if is_empty(value):
        return ""
    kind = _kind(key, standard_fields()[key])
    if kind == "grouping":
        return flatten_grouping(value)
    if kind == "themes":
        return ", ".join(value) if isinstance(value, list) else str(value)
    if kind == "longtext":
        return plain_text(value)
    return str(value)
