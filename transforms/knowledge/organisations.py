"""Organisations by their real codes: CBS gm-codes for municipalities, the register's own code otherwise.

The national register names an organisation three ways: its display name ("Gemeente Aalten"), its
``org_id``/``code`` (``gm0197`` for municipalities that use their TOOI/CBS code, else a slug such as
``gemeente-aalten`` or ``omgevingsdienst-drenthe``) and, in the CSV/Excel exports, only the name.
:func:`org_code_for` gives every route the same answer:

1. a gm-code given by the record (``org_id``, ``code``) wins;
2. else a municipality found by name or slug in the bundled list of all 342 municipalities
   (``transforms/data/gemeenten.csv``, the register's own ``Gemeenten.csv``) gets its gm-code;
3. else the register's own slug when the record has one, else the slug the register would make of
   the name (:func:`register_slug`), so that a CSV export without codes still groups the same way.

Sizes for "similar municipalities" are never bundled: :func:`load_inhabitants` reads a CSV the user
supplies (gm-code or name, inhabitants).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from transforms.errors import ConfigError
from transforms.text import fold

__all__ = ["municipalities", "municipality_code", "org_code_for", "register_slug", "is_gm_code", "load_inhabitants"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "gemeenten.csv"
_GM = re.compile(r"^gm\d{4}$")
# Names the register (or people) use beside the official one in gemeenten.csv.
_ALIASES = {
    "gemeente nuenen, gerwen en nederwetten": "gm0820", "nuenen, gerwen en nederwetten": "gm0820",
    "gemeente nuenen": "gm0820", "gemeente 's-gravenhage": "gm0518", "'s-gravenhage": "gm0518",
    "gemeente den bosch": "gm0796", "den bosch": "gm0796",
}


def is_gm_code(value: Any) -> bool:
    """True for a CBS municipality code such as ``gm0363`` (any case)."""
    return bool(_GM.match(str(value or "").strip().lower()))


@lru_cache(maxsize=1)
def municipalities() -> dict[str, str]:
    """gm-code -> official name ("Gemeente Aalten") of every municipality in the bundled list."""
    with _DATA.open(encoding="utf-8") as fh:
        return {row["org_id"].strip().lower(): row["name"].strip() for row in csv.DictReader(fh, delimiter=";")}


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in municipalities().items():
        bare = re.sub(r"^gemeente\s+", "", name, flags=re.IGNORECASE)
        for variant in (name, bare, re.sub(r"\s*\(.*\)$", "", bare)):
            out.setdefault(fold(variant), code)
            out.setdefault(register_slug(variant), code)
        out.setdefault(register_slug(name), code)
    for alias, code in _ALIASES.items():
        out.setdefault(fold(alias), code)
        out.setdefault(register_slug(alias), code)
    return out


def register_slug(name: Any) -> str:
    """The register's slug of an organisation name: lower case, punctuation dropped, spaces to '-'.

    "Gemeente 's-Hertogenbosch" -> "gemeente-s-hertogenbosch"; "Omgevingsdienst Flevoland & Gooi en
    Vechtstreek" -> "omgevingsdienst-flevoland--gooi-en-vechtstreek" (as the register writes it).
    """
    text = str(name or "").strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s", "-", text.strip())


def municipality_code(name_or_slug: Any) -> str | None:
    """gm-code of a municipality given by name ("Gemeente Aalten", "Aalten") or slug, else None."""
    s = str(name_or_slug or "").strip()
    if not s:
        return None
    if is_gm_code(s):
        return s.lower()
    table = _lookup()
    return table.get(fold(s)) or table.get(register_slug(s)) or table.get(s.lower())


def org_code_for(organisation: Any, *candidates: Any) -> str:
    """One code per organisation on every register route (see module docstring)."""
    cands = [str(c).strip() for c in candidates if c is not None and str(c).strip() and str(c) != "nan"]
    for c in cands:
        if is_gm_code(c):
            return c.lower()
    for value in (organisation, *cands):
        code = municipality_code(value)
        if code:
            return code
    if cands:
        return cands[0].lower()
    return register_slug(organisation)


def load_inhabitants(path: Path | str) -> dict[str, int]:
    """gm-code -> inhabitants from a user-supplied CSV (``,`` or ``;``).

    Columns: ``gm_code`` (or ``code``/``gemeentecode``) or ``name``/``gemeente``, and ``inhabitants``
    (or ``inwoners``/``aantal inwoners``). Thousands separators ("1.234" or "1,234") are accepted.
    A row naming no known municipality is skipped; a file without the columns is a ConfigError.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the inhabitants file ({exc.strerror}); check publish.inhabitants_file") from None
    first = text.splitlines()[0] if text else ""
    reader = csv.DictReader(text.splitlines(), delimiter=";" if first.count(";") > first.count(",") else ",")
    fields = {fold(f or ""): f for f in reader.fieldnames or []}
    code_col = next((fields[k] for k in ("gm_code", "code", "gemeentecode", "gm-code") if k in fields), None)
    name_col = next((fields[k] for k in ("name", "naam", "gemeente", "gemeentenaam") if k in fields), None)
    size_col = next((fields[k] for k in ("inhabitants", "inwoners", "aantal inwoners", "bevolking") if k in fields), None)
    if size_col is None or (code_col is None and name_col is None):
        raise ConfigError(f"{p}: expected columns gm_code (or name) and inhabitants (or inwoners); fix the header row")
    out: dict[str, int] = {}
    for row in reader:
        code = municipality_code(row.get(code_col) if code_col else None) or municipality_code(row.get(name_col) if name_col else None)
        raw = re.sub(r"[.,\s]", "", str(row.get(size_col) or ""))
        if code and raw.isdigit():
            out[code] = int(raw)
    return out
