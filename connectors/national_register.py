"""The Dutch national algorithm register (algoritmes.overheid.nl) as a peer-register source.

Routes, chosen by the source's config block:

* ``url`` (the public API base, e.g. ``https://algoritmes.overheid.nl/api``):
  ``POST {url}/algoritme/{lang}`` with ``{"page": n, "limit": ≤100}`` until ``total_count`` is
  reached; with ``options.lars: [...]`` only those entries via ``GET {url}/algoritme/{lang}/{lars}``
  (a 404 for one LARS is quarantined, not fatal); with ``options.dump: true`` the full
  ``GET {url}/downloads/site-data/json``.
* ``path``: a downloaded site-data JSON, API query JSON, CSV export or Excel export.

Records of standard 0.1, 0.4 and 1.0 all land in the ``peer_register_entries`` shape.
"""

from __future__ import annotations

import json
from typing import Any

from connectors._registers_common import national_row, peer_frame, quarantine_frame
from connectors._registers_national_files import read_national_file, records_from_json
from connectors.base import ConnectorResult, SourceSpec
from connectors.http import get_json, make_session
from transforms.errors import ConfigError, SourceFetchError, SourceFormatError

__all__ = ["load", "fetch_records", "MAX_PAGES"]

MAX_PAGES = 1000


def load(spec: SourceSpec) -> ConnectorResult:
    """Load the national register (API or downloaded file) into peer-register rows."""
    if spec.path is not None:
        records, quarantine, details = read_national_file(spec.path, spec.id)
    elif spec.url:
        records, quarantine, details = fetch_records(spec)
    else:
        raise ConfigError(f"source '{spec.id}': give a url (the register API) or a path (a downloaded export)")
    rows = []
    for i, rec in enumerate(records, start=1):
        if not str(rec.get("name") or "").strip():
            quarantine.append((str(rec.get("lars") or rec.get("algorithm_id") or f"#{i}"),
                               "registratie zonder naam", json.dumps(rec, ensure_ascii=False, default=str)[:2000]))
            continue
        rows.append(national_row(rec, spec.id, details))
    frame = peer_frame(rows)
    return ConnectorResult(frame=frame, quarantine=quarantine_frame(quarantine),
                           rows_in=len(frame) + len(quarantine))


def fetch_records(spec: SourceSpec) -> tuple[list[dict], list[tuple[str, str, str]], dict]:
    """Fetch records from the public API: listing with paging, chosen LARS codes, or the dump."""
    base = str(spec.url).rstrip("/")
    opts = spec.options or {}
    lang = str(opts.get("lang") or "NLD").upper()
    session = make_session(
        retries=int(opts.get("retries", 4)), backoff=float(opts.get("backoff", 0.5)),
        timeout=float(opts.get("timeout", 30)),
    )
    if opts.get("dump"):
        doc = get_json(session, f"{base}/downloads/site-data/json", source_id=spec.id)
        return records_from_json(doc, f"{base}/downloads/site-data/json", spec.id)
    if opts.get("lars"):
        return _fetch_lars(session, base, lang, [str(c) for c in opts["lars"]], spec.id)
    return _fetch_pages(session, base, lang, opts, spec.id), [], {}


def _fetch_pages(session: Any, base: str, lang: str, opts: dict, source_id: str) -> list[dict]:
    limit = max(1, min(int(opts.get("limit", 100)), 100))
    body_extra = {k: opts[k] for k in ("organisation", "organisationtype", "publicationcategory", "searchtext") if k in opts}
    url = f"{base}/algoritme/{lang}"
    records: list[dict] = []
    seen: set[str] = set()
    total = None
    for page in range(1, MAX_PAGES + 1):
        doc = get_json(session, url, source_id=source_id, method="POST",
                       json={"page": page, "limit": limit, **body_extra})
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            raise SourceFormatError(f"{url} page {page} has no 'results' list; is this the register API?", source_id)
        total = int(doc.get("total_count") or 0)
        for rec in doc["results"]:
            key = str(rec.get("lars") or json.dumps(rec, sort_keys=True, default=str)) if isinstance(rec, dict) else ""
            if key and key not in seen:
                seen.add(key)
                records.append(rec)
        if not doc["results"] or len(seen) >= total:
            break
    if total is not None and len(records) < total:
        raise SourceFetchError(
            f"{url} gave {len(records)} of {_count_text(total)} entries before running out of pages; try again later",
            source_id,
        )
    return records


def _count_text(total: int) -> str:
    return f"{total:,}".replace(",", ".")


def _fetch_lars(session: Any, base: str, lang: str, codes: list[str], source_id: str):
    records, quarantine = [], []
    for code in codes:
        url = f"{base}/algoritme/{lang}/{code}"
        try:
            doc = get_json(session, url, source_id=source_id)
        except SourceFetchError as exc:
            if "HTTP 404" not in str(exc):
                raise
            quarantine.append((code, f"algoritme {code} niet gevonden in het register (HTTP 404)", url))
            continue
        if isinstance(doc, dict):
            records.append(doc)
        else:
            quarantine.append((code, "antwoord is geen JSON-object", json.dumps(doc)[:2000]))
    return records, quarantine, {}
