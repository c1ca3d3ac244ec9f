"""The public algorithm register as a static site (pure: returns {relative path: content}).

Shows only the published fields of published entries; every value is escaped (Jinja2 autoescape).
Dutch, accessible (landmarks, headings, a skip link, sufficient contrast), and usable at 390 px.
Searchable and filterable by theme, publication category, status and department with progressive
enhancement: the index lists every entry and links to a static page per filter value; a small script
adds live search and filters on top (and keeps them in the address for sharing). Also: one page per
entry with every published field in the standard 1.0 layout sections, a "Wat is er veranderd" page,
an Atom feed, and downloads in the register's own JSON (site-data) and CSV shapes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from transforms.publish.site_changes import CHANGE_LABELS

__all__ = ["render_site", "SECTIONS", "FACETS", "strip_html", "dutch_date"]

# Publication standard 1.0 website layout (config/layouts/v1_0.json: tabsGrouping), Dutch titles of the standard.
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
        ("process_index_url", "Link naar verwerkingsregister"), ("impacttoetsen", "Toelichting op impacttoetsen"),
        ("impacttoetsen_grouping", "Impacttoetsen"),
    ]),
    ("Werking", [
        ("source_data", "Gegevens"), ("source_data_grouping", "Verwijzingen gegevensbronnen"),
        ("methods_and_models", "Technische werking"), ("provider", "Leverancier"), ("publiccode", "Link naar broncode"),
    ]),
    ("Metadata", [("lang", "Taal"), ("standard_version", "Versie publicatiestandaard"), ("source_id", "Bron-ID"),
                  ("tags", "Zoektermen"), ("lars", "Algoritme-ID")]),
]
LABELS = {k: label for _, fields in SECTIONS for k, label in fields} | {"name": "Naam"}
# (key, Dutch label, path prefix) of the filters
FACETS = [("thema", "Thema", "thema"), ("categorie", "Publicatiecategorie", "categorie"),
          ("status", "Status", "status"), ("afdeling", "Afdeling", "afdeling")]
_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"]
_URL_FIELDS = {"website", "url", "process_index_url", "publiccode"}
_LANGUAGES = {"nld": "Nederlands", "eng": "Engels"}
_TAGS = re.compile(r"<[^>]+>")
_env = Environment(loader=PackageLoader("transforms", "templates"), autoescape=select_autoescape(["html", "j2", "xml"]),
                   trim_blocks=True, lstrip_blocks=True)


def dutch_date(value: Any) -> str:
    """'6 december 2026' for a date, datetime or ISO string ('' when empty)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


_env.filters["datum"] = dutch_date


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


def _slug(text: str) -> str:
    from transforms.text import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"


def _sections(entry: dict) -> list[dict]:
    sections = []
    for heading, fields in SECTIONS:
        items = []
        for key, label in fields:
            link = _safe_link(entry.get(key)) if key in _URL_FIELDS else None
            if key in _URL_FIELDS and link is None:
                continue  # only http(s) links are shown; anything else is dropped
            value = _display(entry.get(key))
            if key == "lang":
                value = _LANGUAGES.get(str(value).lower(), value)
            if key == "contact_email" and value and "@" in value and not link:
                link = "mailto:" + value
            if value:
                items.append({"label": label, "value": value, "link": link})
        if items:
            sections.append({"heading": heading, "id": _slug(heading), "fields": items})
    return sections


def _row(system_id: str, entry: dict, meta: dict) -> dict:
    themes = [t for t in (entry.get("category") or []) if t]
    row = {"href": f"algoritme/{_slug(system_id)}.html", "name": strip_html(entry.get("name")),
           "short": strip_html(entry.get("description_short")), "provider": strip_html(entry.get("provider")),
           "thema": themes, "categorie": entry.get("publication_category") or "", "status": entry.get("status") or "",
           "afdeling": strip_html(meta.get("department"))}
    row["search"] = " ".join([row["name"], row["short"], row["provider"], *themes, row["afdeling"]]).lower()
    return row


def _facet_values(rows: list[dict]) -> dict[str, list[tuple[str, str, int]]]:
    """Per facet: (value, slug, count), by value."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for key, _, _ in FACETS:
        counts: dict[str, int] = {}
        for r in rows:
            for v in (r[key] if isinstance(r[key], list) else [r[key]]):
                if v:
                    counts[v] = counts.get(v, 0) + 1
        out[key] = [(v, _slug(v), n) for v, n in sorted(counts.items(), key=lambda x: x[0].lower())]
    return out


def render_site(entries: list[tuple[str, dict]], org: dict, *, generated_at: dt.datetime | None = None,
                title: str | None = None, meta: dict[str, dict] | None = None,
                changes: list[dict] | None = None, site_url: str | None = None) -> dict[str, str | bytes]:
    """Render the whole site.

    ``entries``: (system_id, standard 1.0 entry) of the published entries; ``meta``: per system id the
    public extras (``department``); ``changes``: the change history (oldest first, as made by
    :func:`transforms.publish.site_changes.register_changes`); ``site_url``: the site's public address
    for absolute links in the feed (relative links without it).
    """
    from transforms.publish.site_downloads import downloads

    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    title = title or f"Algoritmeregister {org.get('name', '')}".strip()
    meta = meta or {}
    changes = sorted(changes or [], key=lambda c: str(c.get("name") or "").lower())
    changes.sort(key=lambda c: str(c.get("at") or ""), reverse=True)  # newest first, by name within a moment
    base = {"title": title, "org": org, "generated_at": generated_at, "facets": FACETS,
            "live": {_slug(sid) for sid, _ in entries}}
    pages: dict[str, str | bytes] = {}
    rows = []
    history: dict[str, list[dict]] = {}
    for c in changes:
        history.setdefault(c["system_id"], []).append(c)
    for system_id, entry in entries:
        row = _row(system_id, entry, meta.get(system_id, {}))
        rows.append(row)
        pages[row["href"]] = _env.get_template("site_system.html.j2").render(
            **base, root="../", entry=entry, name=row["name"], system_id=system_id, row=row,
            sections=_sections(entry), history=_history_lines(history.get(system_id, [])))
    for sid, records in history.items():  # a withdrawn entry's address keeps working: it says since when
        if records[0].get("change") == "ingetrokken" and f"algoritme/{_slug(sid)}.html" not in pages:
            pages[f"algoritme/{_slug(sid)}.html"] = _env.get_template("site_withdrawn.html.j2").render(
                **base, root="../", name=records[0].get("name") or sid, since=dutch_date(records[0].get("at")))
    rows.sort(key=lambda r: r["name"].lower())
    facet_values = _facet_values(rows)
    pages["index.html"] = _env.get_template("site_index.html.j2").render(
        **base, root="", rows=rows, facet_values=facet_values, heading=title, filtered=None,
        latest=_history_lines(changes[:5]))
    for key, label, prefix in FACETS:
        for value, slug, _ in facet_values[key]:
            subset = [r for r in rows if value in (r[key] if isinstance(r[key], list) else [r[key]])]
            pages[f"{prefix}/{slug}.html"] = _env.get_template("site_index.html.j2").render(
                **base, root="../", rows=subset, facet_values=facet_values, heading=f"{label}: {value}",
                filtered={"key": key, "label": label, "value": value}, latest=[])
    pages["veranderingen.html"] = _env.get_template("site_changes.html.j2").render(
        **base, root="", changes=_history_lines(changes))
    pages["feed.xml"] = _env.get_template("site_feed.xml.j2").render(
        **base, changes=_history_lines(changes[:50]), prefix=(site_url.rstrip("/") + "/") if site_url else "",
        updated=_iso(changes[0]["at"] if changes else generated_at))
    pages.update(downloads(entries, org))
    pages["register.json"] = json.dumps([e for _, e in entries], ensure_ascii=False, indent=2)
    pages["style.css"] = _env.get_template("site.css").render()
    pages["zoeken.js"] = _env.get_template("site_search.js.j2").render()
    return pages


def _iso(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.astimezone()
    return value.isoformat(timespec="seconds")


def _history_lines(records: list[dict]) -> list[dict]:
    """Change records with Dutch text: label, date, the changed fields' names."""
    out = []
    for c in records:
        fields = [LABELS.get(f, f) for f in c.get("fields") or [] if not f.startswith("_")]
        out.append(c | {"label": CHANGE_LABELS.get(c.get("change"), c.get("change")), "datum": dutch_date(c.get("at")),
                        "iso": _iso(c.get("at")), "field_labels": fields, "slug": _slug(c.get("system_id", ""))})
    return out
