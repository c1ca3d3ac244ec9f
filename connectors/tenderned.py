"""TenderNed connector: the TNS JSON API (paged ``/publicaties``), a saved list page, the OCDS
release package, or the bulk open-data XLSX ("OpenData sheet")."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from connectors._notices import buyer_matches, cpv8, notice_frame, parse_date, to_float
from connectors._rows import quarantine_frame, read_fields
from connectors.base import ConnectorResult, SourceSpec
from connectors.http import get_json, make_session
from connectors.limits import check_file_size
from transforms.errors import ConfigError, SourceFormatError

__all__ = ["load", "item_record", "XLSX_ALIASES", "MAX_PAGES"]

MAX_PAGES = 1000
_HUMAN = "https://www.tenderned.nl/aankondigingen/overzicht/{}"

XLSX_ALIASES: dict[str, tuple[str, ...]] = {
    "notice_id": ("id publicatie", "publicatie-id", "publicatieid"),
    "kenmerk": ("tenderned kenmerk", "kenmerk"),
    "date": ("publicatiedatum", "datum publicatie"),
    "title": ("naam aanbesteding", "aanbestedingnaam", "titel"),
    "description": ("omschrijving aanbesteding", "korte beschrijving aanbesteding", "opdrachtbeschrijving"),
    "buyer": ("naam aanbestedende dienst", "officiele naam aanbestedende dienst", "ad officiele benaming", "aanbestedende dienst"),
    "cpv_codes": ("cpv-codes", "cpv codes", "cpv-code", "cpv"),
    "notice_type": ("publicatie soort", "type publicatie", "publicatietype"),
    "url": ("url tenderned",),
    "winner": ("naam gegunde onderneming", "officiele benaming", "gegunde onderneming"),
    "winner_kvk": ("on kvknummer", "kvknummer", "kvk-nummer"),
    "value_eur": ("waarde - bedrag", "definitieve waarde", "geraamde waarde", "waarde"),
}


def _get(item: dict, *keys: str):
    for k in keys:
        v = item.get(k)
        if v not in (None, "", []):
            return v
    return None


def item_record(item: dict) -> dict:
    """One TNS list/detail item → a frame record."""
    pid = str(item.get("publicatieId") or item.get("id") or "").strip()
    nested = item.get("aankondiging") or {}
    t = item.get("typePublicatie")
    link = item.get("link")
    winner = item.get("gegundeOndernemer") or item.get("winnaar") or {}
    return {
        "row_ref": pid, "notice_id": pid, "kenmerk": _str(item.get("kenmerk")),
        "date": parse_date(_get(item, "publicatieDatum", "publicatiedatum")),
        "title": _str(_get(item, "aanbestedingNaam", "naam")),
        "description": _str(_get(item, "opdrachtBeschrijving", "beschrijving")
                            or (nested.get("beschrijving_opdracht") or {}).get("korte_beschrijving")),
        "buyer": _str(_get(item, "aanbestedendeDienstNaam", "opdrachtgeverNaam")
                      or (nested.get("aanbestedende_dienst") or {}).get("naam_aanbestedende_dienst")),
        "cpv_codes": cpv8(_get(item, "cpvCodes") or nested.get("cpv_codes")),
        "notice_type": _str(t.get("code") if isinstance(t, dict) else t),
        "url": (link.get("href") if isinstance(link, dict) else None) or (_HUMAN.format(pid) if pid else None),
        "winner": _str(winner.get("naam") if isinstance(winner, dict) else winner),
        "winner_kvk": _str(winner.get("kvkNummer") if isinstance(winner, dict) else None),
        "value_eur": to_float(_get(item, "waarde", "geraamdeWaarde")),
    }


def _str(v) -> str | None:
    return None if v in (None, "") else str(v).strip() or None


def load(spec: SourceSpec) -> ConnectorResult:
    """From ``spec.url`` (API) or ``spec.path`` (.json page/OCDS package, .xlsx/.csv open data)."""
    if spec.url:
        items = _fetch(spec)
    elif spec.path is not None and Path(spec.path).suffix.lower() == ".json":
        items = _read_json(spec)
    elif spec.path is not None:
        return _load_table(spec)
    else:
        raise ConfigError(f"source '{spec.id}': give url: or path: for the TenderNed source in aigrip.yaml")
    return _build(spec, items)


def _build(spec: SourceSpec, items: list) -> ConnectorResult:
    buyer = spec.options.get("buyer")
    records, rows, seen, filtered = [], [], set(), 0
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append({"row_ref": f"item {n}", "reason": "geen publicatie-object", "raw_text": json.dumps(item)[:2000]})
            continue
        rec = item_record(item)
        if not buyer_matches(rec["buyer"], buyer):
            filtered += 1  # another buyer's tender: counted, not loaded
            continue
        if not rec["row_ref"]:
            rows.append({"row_ref": f"item {n}", "reason": "publicatieId ontbreekt",
                         "raw_text": json.dumps(item, ensure_ascii=False)[:2000]})
        elif rec["row_ref"] in seen:
            rows.append({"row_ref": rec["row_ref"], "reason": "publicatie komt dubbel voor (extra perceel of gunning)",
                         "raw_text": json.dumps(item, ensure_ascii=False)[:2000]})
        else:
            seen.add(rec["row_ref"])
            records.append(rec)
    return ConnectorResult(frame=notice_frame(records), quarantine=quarantine_frame(rows), rows_in=len(items),
                           rows_filtered=filtered)


def _read_json(spec: SourceSpec) -> list:
    try:
        check_file_size(Path(spec.path), spec.id)
        doc = json.loads(Path(spec.path).read_text(encoding="utf-8-sig"))
    except (ValueError, OSError) as exc:
        raise SourceFormatError(f"{spec.path} is not valid JSON ({exc}); download it again", spec.id) from None
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("content"), list):
        return doc["content"]
    if isinstance(doc, dict) and isinstance(doc.get("releases"), list):
        return [_ocds_item(r) if isinstance(r, dict) else r for r in doc["releases"]]
    raise SourceFormatError(
        f"{spec.path} is neither a TenderNed page (content) nor an OCDS release package (releases)", spec.id
    )


def _ocds_item(release: dict) -> dict:
    tender = release.get("tender") or {}
    parties = release.get("parties") or []
    buyer = (release.get("buyer") or {}).get("name") or next(
        (p.get("name") for p in parties if "buyer" in (p.get("roles") or [])), None)
    supplier = next((p for p in parties if "supplier" in (p.get("roles") or [])), {})
    items = tender.get("items") or []
    cpvs = [i.get("classification", {}).get("id") for i in items if isinstance(i, dict)]
    value = (tender.get("value") or {}).get("amount")
    return {
        "publicatieId": release.get("id"), "kenmerk": release.get("ocid"), "publicatieDatum": release.get("date"),
        "aanbestedingNaam": tender.get("title"), "opdrachtBeschrijving": tender.get("description"),
        "aanbestedendeDienstNaam": buyer, "cpvCodes": [c for c in cpvs if c], "waarde": value,
        "gegundeOndernemer": {"naam": supplier.get("name"), "kvkNummer": (supplier.get("identifier") or {}).get("id")},
        "typePublicatie": {"code": (release.get("tag") or [None])[0]},
    }


def _fetch(spec: SourceSpec) -> list:
    opts = spec.options
    session = make_session(retries=int(opts.get("retries", 4)), backoff=float(opts.get("backoff", 0.5)),
                           timeout=float(opts.get("timeout", 30)))
    if opts.get("auth_env"):
        cred = os.environ.get(str(opts["auth_env"]))
        if not cred or ":" not in cred:
            raise ConfigError(f"source '{spec.id}': environment variable {opts['auth_env']} must hold 'user:password'")
        session.auth = tuple(cred.split(":", 1))
    base = spec.url.rstrip("/")
    params = {"size": int(opts.get("page_size", 100))}
    if opts.get("date_from"):
        params["publicatieDatumVanaf"] = str(opts["date_from"])
    if opts.get("date_to"):
        params["publicatieDatumTot"] = str(opts["date_to"])
    if opts.get("search"):
        params["search"] = str(opts["search"])
    items: list = []
    for page in range(MAX_PAGES):
        doc = get_json(session, f"{base}/publicaties", source_id=spec.id, params={**params, "page": page})
        if not isinstance(doc, dict) or not isinstance(doc.get("content"), list):
            raise SourceFormatError(f"{base}/publicaties page {page} has no 'content' list", spec.id)
        items.extend(doc["content"])
        total = doc.get("totalElements")
        if doc.get("last") is True or not doc["content"] or (isinstance(total, int) and len(items) >= total):
            break
    buyer = opts.get("buyer")
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("publicatieId") and buyer_matches(
            item.get("aanbestedendeDienstNaam") or item.get("opdrachtgeverNaam"), buyer
        ) and (not item.get("opdrachtBeschrijving") or not item.get("cpvCodes")):
            detail = get_json(session, f"{base}/publicaties/{item['publicatieId']}", source_id=spec.id)
            if isinstance(detail, dict):
                items[i] = {**item, **{k: v for k, v in detail.items() if v not in (None, "", [])}}
    return items


def _load_table(spec: SourceSpec) -> ConnectorResult:
    frame, table = read_fields(spec, XLSX_ALIASES, required=("notice_id",), sheet_hints=("OpenData sheet",))
    buyer = spec.options.get("buyer")
    ours = [buyer_matches(b, buyer) for b in frame["buyer"]] if buyer else [True] * len(frame)
    filtered = len(frame) - sum(ours)
    frame = frame[ours] if buyer else frame
    rows = list(table.quarantine)
    items = []
    for rec in frame.to_dict("records"):
        items.append({
            "publicatieId": rec["notice_id"], "kenmerk": rec["kenmerk"], "publicatieDatum": rec["date"],
            "aanbestedingNaam": rec["title"], "opdrachtBeschrijving": rec["description"],
            "aanbestedendeDienstNaam": rec["buyer"], "cpvCodes": cpv8(rec["cpv_codes"]), "typePublicatie": rec["notice_type"],
            "link": {"href": rec["url"]} if rec["url"] else None, "waarde": rec["value_eur"],
            "gegundeOndernemer": {"naam": rec["winner"], "kvkNummer": rec["winner_kvk"]},
        })
    # one row per lot/award: the first row of a publication is loaded, later rows are quarantined
    result = _build(SourceSpec(id=spec.id, type=spec.type, options={}), items)
    quarantine = pd.concat([quarantine_frame(rows), result.quarantine], ignore_index=True)
    return ConnectorResult(frame=result.frame, quarantine=quarantine, notes=table.notes,
                           rows_in=table.rows_in(), rows_filtered=filtered)
