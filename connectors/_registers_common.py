"""Shared helpers of the peer-register connectors: plain text from HTML, the output frame, and
the mapping of national-register records of standard 0.1, 0.4 and 1.0 into one shape.

Private to ``connectors.national_register``, ``connectors.amsterdam`` and ``connectors.eurocities``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from functools import lru_cache
from typing import Any, Iterable

import pandas as pd
from bs4 import BeautifulSoup

from transforms.knowledge.organisations import org_code_for as _org_code_for
from transforms.text import fold

PEER_COLUMNS = [
    "entry_key", "source_id", "organisation", "org_code", "org_type", "lars", "name",
    "description_short", "goal", "status", "categories", "publication_category", "provider",
    "impact_assessments", "lawful_basis", "begin_date", "end_date", "standard_version", "url",
    "snapshot_id", "raw_json",
]
LIST_COLUMNS = ("categories", "impact_assessments")
ENTRY_URL = "https://algoritmes.overheid.nl/nl/algoritme/{lars}"

_SPACES = re.compile(r"\s+")
_ACRONYM = re.compile(r"\(([A-Z]{3,6})\)")
_KNOWN_ASSESSMENTS = ("DPIA", "IAMA", "FRAIA", "AIIA", "DEDA", "FRIA")
# 0.4 "Beleidsterrein" values that were renamed in the 1.0 "Thema" list.
_THEME_0_4_TO_1_0 = {"Financiën": "Overheidsfinanciën", "Huisvesting": "Wonen"}
_STATUS = {"in gebruik": "In gebruik", "in ontwikkeling": "In ontwikkeling", "buiten gebruik": "Buiten gebruik"}


def html_to_text(value: Any) -> str:
    """Plain text of an HTML fragment (tags dropped, entities unescaped, spaces collapsed)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return _text_of(str(value))


@lru_cache(maxsize=1 << 15)
def _text_of(text: str) -> str:
    """Each distinct fragment is parsed once: a register export repeats the same HTML many times."""
    if "<" in text or "&" in text:
        text = BeautifulSoup(text, "html.parser").get_text(" ")
    return _SPACES.sub(" ", text).strip()


def csv_records(reader: csv.DictReader) -> list[dict]:
    """The rows of a CSV reader (fieldnames already cleaned) as dicts, blank lines skipped."""
    return [
        {k: v for k, v in row.items() if k is not None}
        for row in reader
        if any((v or "").strip() for k, v in row.items() if k is not None)
    ]


def stable_hash(*parts: Any, length: int = 12) -> str:
    """First ``length`` hex digits of sha1 over the folded parts: a stable fallback key."""
    joined = "\x1f".join(fold(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:length]


def norm_version(value: Any) -> str:
    """'0.1.0' / '1.0.0' / '1.0' / 0.4 -> '0.1' / '0.4' / '1.0'; unknown -> ''."""
    s = str(value or "").strip()
    m = re.match(r"^(\d+)\.(\d+)", s)
    return f"{m.group(1)}.{m.group(2)}" if m else ""


def norm_status(value: Any) -> str:
    """Status in the 1.0 wording when recognisable ('in_gebruik' -> 'In gebruik')."""
    s = html_to_text(value)
    return _STATUS.get(s.replace("_", " ").lower(), s)


def split_list(value: Any) -> list[str]:
    """A list field that may come as list, JSON text or 'a, b' text."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, (list, tuple)):
        items = [html_to_text(v.get("title") if isinstance(v, dict) else v) for v in value]
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                return split_list(json.loads(text))
            except ValueError:
                pass
        items = [html_to_text(v) for v in text.split(",")]
    return [i for i in items if i]


def short_assessment(title: str) -> str:
    """'Data Protection Impact Assessment (DPIA)' -> 'DPIA'; unknown titles are kept as written."""
    t = html_to_text(title)
    m = _ACRONYM.search(t)
    if m:
        return m.group(1)
    upper = t.upper()
    for known in _KNOWN_ASSESSMENTS:
        if upper == known or upper.startswith(known + " "):
            return known
    return t


def impact_assessments(record: dict, version: str) -> list[str]:
    """Short names of the impact assessments a record of any standard version declares."""
    found: list[str] = []
    if version == "0.1" or record.get("iama") or record.get("dpia"):
        for key in ("dpia", "iama"):
            if fold(record.get(key)) in ("ja", "yes", "true"):
                found.append(key.upper())
    grouping = record.get("impacttoetsen_grouping")
    if grouping:
        if isinstance(grouping, str):
            grouping = [g.split(",")[0] for g in re.split(r"(?:^|\.\s+)\d+:\s*", grouping) if g.strip()]
        found += [short_assessment(g.get("title") if isinstance(g, dict) else g) for g in grouping]
    if version != "1.0" and isinstance(record.get("impacttoetsen"), (list, str)):
        found += [short_assessment(v) for v in split_list(record.get("impacttoetsen"))]
    out: list[str] = []
    for item in found:
        if item and fold(item) not in ("geen", "nee", "none") and item not in out:
            out.append(item)
    return out


def themes(value: Any) -> list[str]:
    """Theme list with 0.4 names renamed to their 1.0 equivalent."""
    return [_THEME_0_4_TO_1_0.get(t, t) for t in split_list(value)]


def org_code_for(organisation: str, *candidates: Any) -> str:
    """The organisation's code, the same on every register route (``transforms.knowledge.organisations``)."""
    return _org_code_for(organisation, *candidates)


def national_row(record: dict, source_id: str, org_details: dict[str, dict] | None = None) -> dict:
    """Map one national-register record (standard 0.1, 0.4 or 1.0) to a peer-entry row."""
    version = norm_version(record.get("standard_version") or record.get("schema")) or _guess_version(record)
    lars = str(record.get("lars") or record.get("algorithm_id") or "").strip()
    organisation = html_to_text(record.get("organization") or record.get("organisation"))
    slug = record.get("code") or record.get("owner") or ""
    detail = (org_details or {}).get(str(slug)) or {}
    organisation = organisation or detail.get("name", "")
    name = html_to_text(record.get("name"))
    key = lars or stable_hash(organisation, name, record.get("source_id"))
    return {
        "entry_key": f"{source_id}:{key}",
        "source_id": source_id,
        "organisation": organisation,
        "org_code": org_code_for(organisation, record.get("org_id"), detail.get("org_id"), slug),
        "org_type": html_to_text(record.get("org_type") or detail.get("type") or _org_type(organisation)),
        "lars": lars or None,
        "name": name,
        "description_short": html_to_text(record.get("description_short")),
        "goal": html_to_text(record.get("goal")),
        "status": norm_status(record.get("status")),
        "categories": themes(record.get("category")),
        "publication_category": html_to_text(record.get("publication_category")) or None,
        "provider": html_to_text(record.get("provider")) or None,
        "impact_assessments": impact_assessments(record, version),
        "lawful_basis": html_to_text(record.get("lawful_basis")),
        "begin_date": html_to_text(record.get("begin_date")) or None,
        "end_date": html_to_text(record.get("end_date")) or None,
        "standard_version": version,
        "url": ENTRY_URL.format(lars=lars) if lars else (html_to_text(record.get("url")) or None),
        "snapshot_id": None,
        "raw_json": json.dumps(record, ensure_ascii=False, sort_keys=True, default=str),
    }


def _guess_version(record: dict) -> str:
    if "publication_category" in record or "impacttoetsen_grouping" in record:
        return "1.0"
    if "impacttoetsen" in record or "begin_date" in record:
        return "0.4"
    return "0.1"


def _org_type(organisation: str) -> str:
    first = fold(organisation).split(" ", 1)[0] if organisation else ""
    return first if first in ("gemeente", "provincie", "waterschap", "ministerie") else ""


def peer_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """The peer_register_entries frame (exact columns) with a row_ref, from mapped rows.

    A repeated entry_key gets ``-2``, ``-3`` … so keys stay unique within the source.
    """
    frame = pd.DataFrame(list(rows), columns=PEER_COLUMNS, dtype=object)
    if len(frame):
        dup = frame.groupby("entry_key").cumcount()
        frame.loc[dup > 0, "entry_key"] = frame["entry_key"] + "-" + (dup + 1).astype(str)
    frame.insert(0, "row_ref", frame["entry_key"].str.split(":", n=1).str[1] if len(frame) else [])
    return frame


def quarantine_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Quarantine rows (row_ref, reason, raw_text) as a frame."""
    return pd.DataFrame(rows, columns=["row_ref", "reason", "raw_text"], dtype=object)
