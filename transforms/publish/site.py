"""The public algorithm register as a static site (pure: returns {relative path: content}).

Shows only the published fields of confirmed systems' register entries; every value is escaped
(Jinja2 autoescape). Dutch, accessible (landmarks, headings, a skip link, sufficient contrast).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["render_site", "SECTIONS", "strip_html"]

# Publication standard 1.0 layout: website tabs and the fields shown on each, with Dutch labels.
SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Algemene informatie", [
        ("description_short", "Korte omschrijving"), ("organization", "Organisatie"), ("category", "Thema"),
        ("status", "Status"), ("begin_date", "Begindatum"), ("end_date", "Einddatum"),
        ("contact_email", "Contactgegevens"), ("website", "Link naar publiekspagina"),
        ("publication_category", "Publicatiecategorie"), ("url", "Link naar bronregistratie"),
    ]),
    ("Verantwoord gebruik", [
        ("goal", "Doel en impact"), ("proportionality", "Afwegingen"),
        ("human_intervention", "Menselijke tussenkomst"), ("risks", "Risicobeheer"),
        ("lawful_basis", "Wettelijke basis"), ("lawful_basis_grouping", "Verwijzingen wettelijke basis"),
        ("process_index_url", "Link naar verwerkingsregister"), ("impacttoetsen_grouping", "Impacttoetsen"),
        ("impacttoetsen", "Toelichting op impacttoetsen"),
    ]),
    ("Werking", [
        ("source_data", "Gegevens"), ("source_data_grouping", "Verwijzingen gegevensbronnen"),
        ("methods_and_models", "Technische werking"), ("provider", "Leverancier"), ("publiccode", "Link naar broncode"),
    ]),
    ("Metadata", [("source_id", "Bron-ID"), ("standard_version", "Versie publicatiestandaard"), ("lang", "Taal")]),
]

_URL_FIELDS = {"website", "url", "process_index_url", "publiccode"}
_TAGS = re.compile(r"<[^>]+>")
_env = Environment(loader=PackageLoader("transforms", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)


def strip_html(value: Any) -> str:
    """Plain text of a field that may hold the standard's limited HTML (div, p, ul, li, br)."""
    import html

    text = re.sub(r"</(p|div|li)>|<br\s*/?>", "\n", str(value or ""), flags=re.IGNORECASE)
    return html.unescape(_TAGS.sub("", text)).strip()


def _display(value: Any) -> list[dict] | str:
    """A field value as plain text, or a list of {title, link} for groupings."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return [{"title": strip_html(v.get("title")), "link": _safe_link(v.get("link"))} for v in value]
        return ", ".join(strip_html(v) for v in value)
    return strip_html(value)


def _safe_link(url: Any) -> str | None:
    u = str(url or "").strip()
    return u if re.match(r"^https?://", u, re.IGNORECASE) else None


def _slug(system_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", system_id).lower()


def render_site(entries: list[tuple[str, dict]], org: dict, *, generated_at: dt.datetime | None = None,
                title: str | None = None) -> dict[str, str]:
    """Render the index, one page per system, a stylesheet and ``register.json``."""
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    title = title or f"Algoritmeregister {org.get('name', '')}".strip()
    pages: dict[str, str] = {}
    rows = []
    for system_id, entry in entries:
        slug = _slug(system_id)
        sections = []
        for heading, fields in SECTIONS:
            items = []
            for key, label in fields:
                link = _safe_link(entry.get(key)) if key in _URL_FIELDS else None
                if key in _URL_FIELDS and link is None:
                    continue  # only http(s) links are shown; anything else is dropped
                value = _display(entry.get(key))
                if value:
                    items.append({"label": label, "value": value, "link": link})
            if items:
                sections.append({"heading": heading, "fields": items})
        pages[f"algoritme/{slug}.html"] = _env.get_template("site_system.html.j2").render(
            title=title, org=org, entry=entry, name=strip_html(entry.get("name")), system_id=system_id,
            sections=sections, generated_at=generated_at)
        rows.append({"href": f"algoritme/{slug}.html", "name": strip_html(entry.get("name")),
                     "short": strip_html(entry.get("description_short")),
                     "category": entry.get("publication_category") or "", "status": entry.get("status") or "",
                     "themes": ", ".join(entry.get("category") or [])})
    rows.sort(key=lambda r: r["name"].lower())
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["category"]] = counts.get(r["category"], 0) + 1
    pages["index.html"] = _env.get_template("site_index.html.j2").render(
        title=title, org=org, rows=rows, counts=sorted(counts.items()), generated_at=generated_at)
    pages["register.json"] = json.dumps([e for _, e in entries], ensure_ascii=False, indent=2)
    pages["style.css"] = _env.get_template("site.css").render()
    return pages
