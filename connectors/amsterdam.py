"""Amsterdam's algorithm register pages (algoritmeregister.amsterdam.nl, Saidot-era system cards).

A system card is an element whose class contains ``saidot-system-card`` (or ``system-card``) with
a name heading and sections overview, datasets, data processing, non-discrimination, human
oversight, risks, contact and references. Sections are recognised by ``data-section`` or by their
heading (Dutch or English); fields inside a section are ``<dt>/<dd>`` pairs, ``<th>/<td>`` rows or
``Label: value`` lines. Missing sections are tolerated; a page without any card is an error.

``spec.url`` = an index page linking to system pages (``/ai-system/`` links, or
``options.link_pattern``) or one system page; ``spec.path`` = a saved HTML file or a folder of them.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup, Tag

from connectors._registers_common import html_to_text, org_code_for, peer_frame, quarantine_frame, stable_hash
from connectors.base import ConnectorResult, SourceSpec
from connectors.http import fetch, make_session
from transforms.errors import ConfigError, SourceFetchError, SourceFormatError
from transforms.text import fold

__all__ = ["load", "parse_page", "SECTIONS"]

# section key -> headings (folded) that identify it
SECTIONS = {
    "overview": ("overzicht", "overview", "algemeen"),
    "datasets": ("datasets", "data", "gegevens"),
    "data_processing": ("dataverwerking", "data processing", "gegevensverwerking"),
    "non_discrimination": ("tegengaan van discriminatie", "non-discrimination", "non discrimination", "discriminatie"),
    "human_oversight": ("menselijk toezicht", "human oversight"),
    "risks": ("risico's", "risicos", "risks", "risico s"),
    "accountability": ("accountability", "contactgegevens", "contact", "verantwoordelijkheid"),
    "references": ("referenties", "references"),
}
_CARD_CLASS = re.compile(r"(saidot-)?system-card")
_ID_FROM_URL = re.compile(r"/ai-system/([^/]+)/(\d+)/?")


def load(spec: SourceSpec) -> ConnectorResult:
    """Parse Amsterdam register pages into peer-register rows."""
    organisation = str((spec.options or {}).get("organisation") or "Gemeente Amsterdam")
    if spec.path is not None:
        pages = _read_pages(Path(spec.path), spec.id)
    elif spec.url:
        pages = _fetch_pages(spec)
    else:
        raise ConfigError(f"source '{spec.id}': give a url (the register index page) or a path (saved HTML pages)")
    rows, quarantine = [], []
    for where, html in pages:
        cards = parse_page(html, where)
        if not cards:
            raise SourceFormatError(
                f"{where} contains no Amsterdam register system card (class 'saidot-system-card'); "
                "is this a page of algoritmeregister.amsterdam.nl?",
                spec.id,
            )
        for i, card in enumerate(cards, start=1):
            if not card["name"]:
                quarantine.append((f"{where}#{i}", "systeemkaart zonder naam", json.dumps(card, ensure_ascii=False)[:2000]))
                continue
            rows.append(_row(card, spec.id, organisation))
    frame = peer_frame(rows)
    return ConnectorResult(frame=frame, quarantine=quarantine_frame(quarantine), rows_in=len(frame) + len(quarantine))


def parse_page(html: str, where: str) -> list[dict]:
    """All system cards on one page: ``{name, url, sections: {key: text}, fields: {label: value}}``."""
    soup = BeautifulSoup(html, "html.parser")
    cards = soup.find_all(class_=_CARD_CLASS)
    cards = [c for c in cards if not c.find_parent(class_=_CARD_CLASS)]
    out = []
    for card in cards:
        heading = card.find(class_=re.compile("system-name|card-title")) or _title_heading(card)
        name = html_to_text(heading.get_text(" ")) if heading else ""
        link = card.get("data-url") or (soup.find("link", rel="canonical") or {}).get("href") or where
        sections, fields = _sections(card, heading)
        out.append({"name": name, "url": str(link), "sections": sections, "fields": fields})
    return out


def _title_heading(card: Tag) -> Tag | None:
    """The first h1/h2 that is not a section heading."""
    section_names = {n for names in SECTIONS.values() for n in names}
    for h in card.find_all(["h1", "h2"]):
        if fold(h.get_text(" ")).strip(" :") not in section_names:
            return h
    return None


def _sections(card: Tag, heading: Tag | None) -> tuple[dict[str, str], dict[str, str]]:
    sections: dict[str, str] = {}
    fields: dict[str, str] = {}
    for sec in card.find_all(["section", "div"], recursive=True):
        key = _section_key(sec)
        if key is None:
            continue
        head = sec.find(["h2", "h3", "h4"])
        texts = []
        for dt in sec.find_all(["dt", "th"]):
            dd = dt.find_next_sibling(["dd", "td"])
            if dd is not None:
                label, value = html_to_text(dt.get_text(" ")).rstrip(":"), html_to_text(dd.get_text(" "))
                fields.setdefault(f"{key}.{fold(label)}", value)
                links = [a.get("href") for a in dd.find_all("a", href=True)]
                if links:
                    fields.setdefault(f"{key}.{fold(label)}.link", links[0])
        for p in sec.find_all(["p", "li"]):
            t = html_to_text(p.get_text(" "))
            m = re.match(r"^([A-Za-zÀ-ÿ' ()-]{2,40}):\s+(.+)$", t)
            if m:
                fields.setdefault(f"{key}.{fold(m.group(1))}", m.group(2))
            texts.append(t)
        body = html_to_text(sec.get_text(" "))
        if head is not None:
            body = body[len(html_to_text(head.get_text(" "))):].strip()
        sections.setdefault(key, body if body else " ".join(texts))
    return sections, fields


def _section_key(sec: Tag) -> str | None:
    data = fold(sec.get("data-section") or "").replace("-", "_")
    if data in SECTIONS:
        return data
    head = sec.find(["h2", "h3", "h4"], recursive=False) or (sec.find(["h2", "h3", "h4"]) if sec.name == "section" else None)
    if head is None:
        return None
    title = fold(head.get_text(" ")).strip(" :")
    for key, names in SECTIONS.items():
        if title in names:
            return key
    return None


def _field(card: dict, *names: str) -> str:
    for name in names:
        value = card["fields"].get(name)
        if value:
            return value
    return ""


def _row(card: dict, source_id: str, default_org: str) -> dict:
    m = _ID_FROM_URL.search(card["url"] or "")
    organisation = _field(card, "accountability.organisatie", "accountability.organisation") or default_org
    key = m.group(2) if m else stable_hash(organisation, card["name"])
    overview = card["sections"].get("overview", "")
    description = _field(card, "overview.omschrijving", "overview.description") or overview
    assessments = []
    if _field(card, "references.dpia", "references.dpia.link"):
        assessments.append("DPIA")
    if _field(card, "references.ai impact assessment", "references.ai impact assessment.link"):
        assessments.append("AIIA")
    cluster = _field(card, "overview.cluster", "overview.thema")
    return {
        "entry_key": f"{source_id}:{key}",
        "source_id": source_id,
        "organisation": organisation,
        "org_code": org_code_for(organisation),
        "org_type": "gemeente" if fold(organisation).startswith("gemeente") else "",
        "lars": None,
        "name": card["name"],
        "description_short": description[:400],
        "goal": description,
        "status": _field(card, "overview.status"),
        "categories": [cluster] if cluster else [],
        "publication_category": None,
        "provider": _field(card, "accountability.leverancier", "accountability.supplier") or None,
        "impact_assessments": assessments,
        "lawful_basis": _field(card, "references.publieke taak", "references.public task"),
        "begin_date": None,
        "end_date": None,
        "standard_version": None,
        "url": card["url"],
        "snapshot_id": None,
        "raw_json": json.dumps(card, ensure_ascii=False, sort_keys=True),
    }


def _read_pages(path: Path, source_id: str) -> list[tuple[str, str]]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".html", ".htm"))
        if not files:
            raise SourceFormatError(f"{path} holds no .html pages; save the register pages there", source_id)
    elif path.is_file():
        files = [path]
    else:
        raise SourceFormatError(f"{path} does not exist; check the path in aigrip.yaml", source_id)
    return [(str(f), f.read_text(encoding="utf-8", errors="replace")) for f in files]


def _get_html(session: requests.Session, url: str, source_id: str) -> str:
    attempts = getattr(session, "aigrip_retries", 4) + 1
    backoff = getattr(session, "aigrip_backoff", 0.5)
    problem = ""
    for attempt in range(attempts):
        try:
            resp = fetch(session, "GET", url, source_id=source_id, timeout=getattr(session, "aigrip_timeout", 30),
                         headers={"Accept": "text/html"})  # within the source's deadline and size limit
        except requests.RequestException as exc:
            problem = type(exc).__name__
        else:
            if resp.status_code < 400:
                resp.encoding = resp.encoding or "utf-8"
                return resp.text
            if resp.status_code not in (429, 500, 502, 503, 504):
                raise SourceFetchError(f"{url} answered HTTP {resp.status_code}; check the url in aigrip.yaml", source_id)
            problem = f"HTTP {resp.status_code}"
        if attempt + 1 < attempts:
            time.sleep(backoff * 2**attempt)
    raise SourceFetchError(f"{url} kept failing ({problem}) after {attempts} attempts; try again later", source_id)


def _fetch_pages(spec: SourceSpec) -> list[tuple[str, str]]:
    opts = spec.options or {}
    session = make_session(retries=int(opts.get("retries", 4)), backoff=float(opts.get("backoff", 0.5)))
    index = _get_html(session, str(spec.url), spec.id)
    if parse_page(index, str(spec.url)):
        return [(str(spec.url), index)]
    pattern = str(opts.get("link_pattern") or "/ai-system/")
    soup = BeautifulSoup(index, "html.parser")
    links: list[str] = []
    for a in soup.find_all("a", href=True):
        href = urljoin(str(spec.url), a["href"])
        if pattern in href and href not in links:
            links.append(href)
    if not links:
        raise SourceFormatError(
            f"{spec.url} has no system cards and no links containing '{pattern}'; "
            "point url at the register's index page",
            spec.id,
        )
    return [(link, _get_html(session, link, spec.id)) for link in links]
