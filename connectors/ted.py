"""TED connector: the TED search API v3 (``POST /v3/notices/search``, scroll mode) or eForms XML
notices (a file or a folder of ``*.xml``). Multilingual text prefers Dutch, then English."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from connectors._notices import buyer_matches, cpv8, notice_frame, parse_date, pick_lang, to_float
from connectors._rows import quarantine_frame
from connectors.base import ConnectorResult, SourceSpec
from connectors.http import get_json, make_session
from transforms.errors import ConfigError, SourceFormatError

__all__ = ["load", "parse_eforms", "search_record", "FIELDS", "MAX_PAGE_SIZE"]

MAX_PAGE_SIZE = 250
FIELDS = ["publication-number", "notice-identifier", "procedure-identifier", "notice-type", "publication-date",
          "notice-title", "description-proc", "buyer-name", "classification-cpv", "estimated-value-proc",
          "total-value", "winner-name", "winner-identifier", "links"]
_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}


def _texts(node, path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in node.xpath(path, namespaces=_NS):
        lang = (el.get("languageID") or "und").lower()
        if el.text and el.text.strip():
            out.setdefault(lang, " ".join(el.text.split()))
    return out


def parse_eforms(xml: bytes, *, source: str = "") -> dict:
    """One eForms notice (CN/CAN/PIN) → a frame record; raises ValueError when it is not eForms."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    nid = root.xpath("string(cbc:ID[@schemeName='notice-id'])", namespaces=_NS).strip()
    if not nid:
        raise ValueError("no notice-id (cbc:ID[@schemeName='notice-id'])")
    orgs = {}
    for org in root.xpath(".//efac:Organizations/efac:Organization/efac:Company", namespaces=_NS):
        oid = org.xpath("string(cac:PartyIdentification/cbc:ID)", namespaces=_NS).strip()
        orgs[oid] = (pick_lang(_texts(org, "cac:PartyName/cbc:Name")),
                     org.xpath("string(cac:PartyLegalEntity/cbc:CompanyID)", namespaces=_NS).strip() or None)
    buyer_ref = root.xpath("string(cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID)", namespaces=_NS).strip()
    tenderers = root.xpath(".//efac:NoticeResult/efac:TenderingParty/efac:Tenderer/cbc:ID/text()", namespaces=_NS)
    winner = orgs.get(tenderers[0].strip()) if tenderers else None
    project = "cac:ProcurementProject"
    cpvs = root.xpath(f"{project}/cac:MainCommodityClassification/cbc:ItemClassificationCode/text()"
                      f" | {project}/cac:AdditionalCommodityClassification/cbc:ItemClassificationCode/text()"
                      " | cac:ProcurementProjectLot/cac:ProcurementProject//cbc:ItemClassificationCode/text()", namespaces=_NS)
    value = root.xpath(f"string({project}/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount)", namespaces=_NS) \
        or root.xpath("string(.//efac:NoticeResult/cbc:TotalAmount)", namespaces=_NS)
    pubno = root.xpath("string(.//efac:Publication/efbc:NoticePublicationID)", namespaces=_NS).strip()
    ref = pubno or nid
    return {
        "row_ref": ref, "notice_id": ref,
        "kenmerk": root.xpath("string(cbc:ContractFolderID)", namespaces=_NS).strip() or None,
        "date": parse_date(root.xpath("string(cbc:IssueDate)", namespaces=_NS)),
        "title": pick_lang(_texts(root, f"{project}/cbc:Name")),
        "description": pick_lang(_texts(root, f"{project}/cbc:Description")),
        "buyer": (orgs.get(buyer_ref) or (None, None))[0],
        "cpv_codes": cpv8(cpvs),
        "notice_type": root.xpath("string(cbc:NoticeTypeCode)", namespaces=_NS).strip() or None,
        "url": f"https://ted.europa.eu/en/notice/-/detail/{pubno}" if pubno else None,
        "winner": winner[0] if winner else None, "winner_kvk": winner[1] if winner else None,
        "value_eur": to_float(value),
    }


def search_record(notice: dict) -> dict:
    """One notice of a search API v3 response → a frame record."""
    pub = str(notice.get("publication-number") or "").strip()
    links = notice.get("links") or {}
    html = links.get("html") if isinstance(links, dict) else None
    url = pick_lang(html, ("nld", "eng", "mul")) if isinstance(html, dict) else None
    winner_id = notice.get("winner-identifier")
    return {
        "row_ref": pub, "notice_id": pub, "kenmerk": pick_lang(notice.get("procedure-identifier")),
        "date": parse_date(pick_lang(notice.get("publication-date"))),
        "title": pick_lang(notice.get("notice-title")), "description": pick_lang(notice.get("description-proc")),
        "buyer": pick_lang(notice.get("buyer-name")), "cpv_codes": cpv8(notice.get("classification-cpv")),
        "notice_type": pick_lang(notice.get("notice-type")),
        "url": url or (f"https://ted.europa.eu/en/notice/-/detail/{pub}" if pub else None),
        "winner": pick_lang(notice.get("winner-name")),
        "winner_kvk": (winner_id[0] if isinstance(winner_id, list) and winner_id else winner_id) or None,
        "value_eur": to_float(pick_lang(notice.get("total-value")) or pick_lang(notice.get("estimated-value-proc"))),
    }


def load(spec: SourceSpec) -> ConnectorResult:
    """From ``spec.url`` (search API base, e.g. https://api.ted.europa.eu) or ``spec.path`` (XML file/folder)."""
    if spec.url:
        return _collect(spec, [("api", n) for n in _search(spec)])
    if spec.path is None:
        raise ConfigError(f"source '{spec.id}': give url: or path: for the TED source in aigrip.yaml")
    path = Path(spec.path)
    files = sorted(path.glob("*.xml")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        raise ConfigError(f"source '{spec.id}': no eForms XML found at {path}; fix path: in aigrip.yaml")
    return _collect(spec, [("xml", f) for f in files])


def _collect(spec: SourceSpec, entries: list) -> ConnectorResult:
    buyer = spec.options.get("buyer")
    records, rows, seen, filtered = [], [], set(), 0
    for kind, entry in entries:
        try:
            rec = search_record(entry) if kind == "api" else parse_eforms(entry.read_bytes(), source=str(entry))
        except (ValueError, etree.XMLSyntaxError) as exc:
            rows.append({"row_ref": entry.name, "reason": f"geen leesbare eForms-aankondiging ({exc})",
                         "raw_text": entry.read_bytes()[:2000].decode("utf-8", "replace")})
            continue
        if not buyer_matches(rec["buyer"], buyer):
            filtered += 1  # another buyer's notice: counted, not loaded
            continue
        raw = json.dumps(entry, ensure_ascii=False)[:2000] if kind == "api" else str(entry)
        if not rec["row_ref"]:
            rows.append({"row_ref": f"item {len(records) + len(rows) + 1}", "reason": "publicatienummer ontbreekt", "raw_text": raw})
        elif rec["row_ref"] in seen:
            rows.append({"row_ref": rec["row_ref"], "reason": "aankondiging komt dubbel voor", "raw_text": raw})
        else:
            seen.add(rec["row_ref"])
            records.append(rec)
    return ConnectorResult(frame=notice_frame(records), quarantine=quarantine_frame(rows), rows_in=len(entries),
                           rows_filtered=filtered)


def _search(spec: SourceSpec) -> list[dict]:
    opts = spec.options
    query = opts.get("query")
    if not query:
        parts = ["buyer-country=NLD"]
        if opts.get("buyer"):
            parts.append(f'organisation-name-buyer ~ "{str(opts["buyer"]).replace(chr(34), "")}"')
        if opts.get("date_from"):
            parts.append(f"publication-date>={str(opts['date_from']).replace('-', '')}")
        if opts.get("date_to"):
            parts.append(f"publication-date<={str(opts['date_to']).replace('-', '')}")
        query = " AND ".join(parts)
    session = make_session(retries=int(opts.get("retries", 4)), backoff=float(opts.get("backoff", 0.5)),
                           timeout=float(opts.get("timeout", 30)))
    url = spec.url.rstrip("/") + "/v3/notices/search"
    body = {"query": query, "fields": FIELDS, "limit": min(int(opts.get("page_size", MAX_PAGE_SIZE)), MAX_PAGE_SIZE),
            "scope": "ALL", "paginationMode": "ITERATION", "onlyLatestVersions": False}
    notices: list[dict] = []
    token = None
    for _ in range(100000):
        doc = get_json(session, url, source_id=spec.id, method="POST", json={**body, **({"iterationNextToken": token} if token else {})})
        if not isinstance(doc, dict) or not isinstance(doc.get("notices"), list):
            raise SourceFormatError(f"{url} answered without a 'notices' list", spec.id)
        notices.extend(doc["notices"])
        token = doc.get("iterationNextToken")
        if not token or not doc["notices"]:
            break
    return notices
