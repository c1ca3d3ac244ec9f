"""Supplier templates of the Algoritmeregister: load, match to systems, fill empty fields.

The register offers description templates from suppliers (Centric, PinkRoccade, Brickyard, …) for
their products; they are bundled in ``transforms/data/templates_1_0/`` (EUPL-1.2, see ATTRIBUTION.md).
A template is matched to a system by supplier (normalised vendor names) and product (words of the
system's name in the template's name or short description); each match says why. Filling a system
from a template sets only the fields its editor left empty, converted like any edit (HTML cleaned
once), and records ``template_id`` so the editor shows which values came from the template.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from transforms.publish.fields import EDITOR_FIELDS, FieldValueError, is_empty, parse_value, stored_key
from transforms.text import fold, normalise_vendor

__all__ = ["load_templates", "template_by_id", "match_templates", "template_fields", "fill_from_template",
           "ATTRIBUTION"]

_DIR = Path(__file__).resolve().parent.parent / "data" / "templates_1_0"
ATTRIBUTION = ("Sjablonen: Algoritmeregister van de Nederlandse overheid (Ministerie van BZK), "
               "github.com/MinBZK/Algoritmeregister, EUPL-1.2")
_GENERIC = {"gemeente", "gemeenten", "module", "software", "systeem", "algoritme", "applicatie", "en", "van", "de",
            "het", "voor", "bij", "met", "op", "een", "in", "aan", "the", "b.v.", "bv", "nl", "https", "www"}
# Words of a supplier's name that do not identify it ("Gemeente Tilburg (Gem-samenwerking)").
_VENDOR_NOISE = {"gemeente", "samenwerking", "https", "www", "nl", "com", "local", "government"}


def _supplier(path: Path) -> str:
    return path.stem.replace("_-_", " & ").replace("_", " ")


@lru_cache(maxsize=1)
def load_templates() -> tuple[dict, ...]:
    """Every bundled template: id, supplier (as the register names the file), name, provider,
    publication_category, raw (the template as published)."""
    out = []
    for path in sorted(_DIR.glob("*.json")):
        for raw in json.loads(path.read_text(encoding="utf-8")):
            out.append({"id": str(raw.get("id") or f"{path.stem}-{len(out)}"), "supplier": _supplier(path),
                        "name": str(raw.get("name") or "").strip(), "provider": str(raw.get("provider") or "").strip(),
                        "publication_category": raw.get("publication_category"), "raw": raw})
    return tuple(out)


def template_by_id(template_id: str) -> dict | None:
    return next((t for t in load_templates() if t["id"] == template_id), None)


def _words(text: Any) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]{3,}", fold(str(text or ""))) if w not in _GENERIC}


def _vendor_words(name: Any) -> set[str]:
    return {w for w in normalise_vendor(str(name or "")).split() if len(w) >= 3 and w not in _VENDOR_NOISE}


def match_templates(system: dict, limit: int = 5) -> list[dict]:
    """Templates for a system, best first: ``[{template, score, reason}]`` (reason in Dutch).

    Same supplier (a distinctive word of the vendor's name in the template's provider or supplier)
    scores 0.6; each word of the system's name found in the template's name or short description adds
    0.2 (at most 0.4); the department named in the template's name ("Sociaal Domein: …") adds 0.1.
    Templates of other suppliers are offered only for a clear product match (two words, or one long
    word) or the same domain.
    """
    vendor = _vendor_words(system.get("vendor"))
    name_words = _words(system.get("name")) | _words(system.get("product"))
    dept_words = _words(system.get("department"))
    found = []
    for t in load_templates():
        t_vendor = _vendor_words(t["provider"]) | _vendor_words(t["supplier"])
        text_words = _words(t["name"]) | _words(t["raw"].get("description_short"))
        same_vendor = bool(vendor & t_vendor)
        product = name_words & text_words
        domain = dept_words & _words(t["name"])
        score = (0.6 if same_vendor else 0.0) + min(0.4, 0.2 * len(product)) + (0.1 if domain else 0.0)
        if not same_vendor and len(product) < 2 and not any(len(w) >= 8 for w in product) and not domain:
            continue  # another supplier's template only for a clear product or domain match
        reasons = []
        if same_vendor:
            reasons.append(f"zelfde leverancier ({t['provider'] or t['supplier']})")
        if product:
            reasons.append("product: " + ", ".join(sorted(product)))
        if domain:
            reasons.append(f"zelfde domein ({str(system.get('department') or '').strip()})")
        found.append({"template": t, "score": round(score, 2), "reason": "; ".join(reasons)})
    found.sort(key=lambda m: (-m["score"], m["template"]["supplier"], m["template"]["name"]))
    return found[:limit]


def _source_links(text: str) -> list[dict]:
    """The templates' ``source_data_link`` ("BRP: https://… \\nBAG: https://…") as a grouping."""
    items = []
    for line in re.split(r"\n|(?<=\S)\s{2,}", text or ""):
        m = re.match(r"^\s*(.*?)[:\s]+(https?://\S+)\s*$", line)
        if m and m.group(1).strip():
            items.append({"title": m.group(1).strip(), "link": m.group(2)})
    return items


def template_fields(template: dict) -> dict:
    """The template's values in the stored shape of the editor (only fields with a value)."""
    raw = template["raw"]
    out: dict = {}
    for key in EDITOR_FIELDS:
        value = raw.get(key)
        if key == "status" or is_empty(value):
            continue  # a template's status says nothing about this municipality's use
        try:
            parsed = parse_value(key, value)
        except FieldValueError:
            continue
        if not is_empty(parsed):
            out[stored_key(key)] = parsed
    if not out.get("source_data_grouping") and raw.get("source_data_link"):
        links = _source_links(str(raw["source_data_link"]))
        if links:
            out["source_data_grouping"] = links
    return out


def fill_from_template(template: dict, current: dict) -> dict:
    """The edit that fills ``current``'s empty fields from the template (plus ``template_id``)."""
    values = {k: v for k, v in template_fields(template).items() if is_empty(current.get(k))}
    return values | {"template_id": template["id"]} if values else {}
