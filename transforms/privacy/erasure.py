"""Erasure on request (AVG art. 17): tombstones in the decision log, applied on every ingest.

``aigrip erase --person KEY | --source-row KEY`` appends an ``erase`` decision (a tombstone) to the
append-only decision log — the log is never rewritten — and runs the pipeline. On that run and every
later one, the ingest of each source drops the rows the tombstones name before anything is stored:
a survey respondent's every answer (by person key), or one source row (by source key). The row still
counts (``rows_in == rows_loaded + rows_quarantined``): it is listed in ``quarantine`` with the reason
"gewist op verzoek" and no raw text. Everything built from the rows (mentions, candidates, systems,
register entries, the snapshot, site, exports and reports) is rebuilt without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

__all__ = ["ERASE_ACTION", "ErasureTargets", "erasure_targets", "erase_rows", "is_person_key"]

ERASE_ACTION = "erase"
_PERSON_KEY = re.compile(r"^[0-9a-f]{16}$")


def is_person_key(value: str) -> bool:
    """A 16-hex person key (as made by :func:`transforms.privacy.pseudonyms.person_key`)."""
    return bool(_PERSON_KEY.match(value or ""))


@dataclass
class ErasureTargets:
    """What the tombstones name: person key -> event id, source key -> event id."""

    persons: dict[str, str] = field(default_factory=dict)
    source_keys: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.persons or self.source_keys)


def erasure_targets(events: Iterable[dict]) -> ErasureTargets:
    """The targets of every ``erase`` event in the decision log (first event wins per target)."""
    out = ErasureTargets()
    for e in events:
        if e.get("action") != ERASE_ACTION:
            continue
        key = (e.get("fields") or {}).get("person_key")
        if key:
            out.persons.setdefault(str(key), e["event_id"])
        for sk in e.get("source_keys") or []:
            out.source_keys.setdefault(str(sk), e["event_id"])
    return out


def _reason(event_id: str) -> str:
    return f"gewist op verzoek (verwijderverzoek {event_id})"


def erase_rows(source_id: str, frame: pd.DataFrame, quarantine: pd.DataFrame,
               targets: ErasureTargets) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Drop the rows the tombstones name from a connector's ``frame`` and ``quarantine``.

    Returns the frame without them, the quarantine with one "gewist op verzoek" row (no raw text) per
    erased frame row and erased quarantined rows' raw text removed, and rows removed per event id.
    """
    counts: dict[str, int] = {}
    if not targets or frame is None:
        return frame, quarantine, counts
    prefix = f"{source_id}:"
    event = pd.Series(None, index=frame.index, dtype=object)
    if "row_ref" in frame.columns and len(frame):
        keys = prefix + frame["row_ref"].astype(str)
        event = keys.map(targets.source_keys)
        # a response erased as a whole: '<source>:<response id>' names all its answers '<response id>-<k>'
        if "response_id" in frame.columns:
            whole = (prefix + frame["response_id"].astype(str)).map(targets.source_keys)
            event = event.where(event.notna(), whole)
    if "respondent_hash" in frame.columns and targets.persons:
        event = event.where(event.notna(), frame["respondent_hash"].map(targets.persons))
    hit = event.notna()
    rows = []
    if hit.any():
        for ref, ev in zip(frame.loc[hit, "row_ref"].astype(str), event[hit]):
            rows.append({"row_ref": ref, "reason": _reason(ev), "raw_text": None})
            counts[ev] = counts.get(ev, 0) + 1
        frame = frame.loc[~hit].reset_index(drop=True)
    q = quarantine.copy()
    if len(q):
        q_event = (prefix + q["row_ref"].astype(str)).map(targets.source_keys)
        if q_event.notna().any():
            q.loc[q_event.notna(), "reason"] = q_event[q_event.notna()].map(_reason)
            q.loc[q_event.notna(), "raw_text"] = None
            for ev in q_event.dropna():
                counts[ev] = counts.get(ev, 0) + 1
    if rows:
        q = pd.concat([q, pd.DataFrame(rows, columns=["row_ref", "reason", "raw_text"])], ignore_index=True)
    return frame, q.astype(object), counts
