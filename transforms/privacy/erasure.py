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


def _input_rows(frame: pd.DataFrame) -> pd.Series:
    """The input row (0, 1, …) each frame row comes from: a survey answer naming several systems
    gives several frame rows ``<response id>-1``, ``-2`` … (``answer_index`` 1, 2, …, in file
    order), which are one row of the file; in every other source a frame row is an input row."""
    if "answer_index" not in frame.columns or not len(frame):
        return pd.Series(range(len(frame)), index=frame.index)
    first = pd.to_numeric(frame["answer_index"], errors="coerce").fillna(1).astype(int) <= 1
    return first.cumsum() - 1


def erase_rows(source_id: str, frame: pd.DataFrame, quarantine: pd.DataFrame,
               targets: ErasureTargets) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], int]:
    """Drop the rows the tombstones name from a connector's ``frame`` and ``quarantine``.

    Returns the frame without them; the quarantine with one "gewist op verzoek" row (no raw text)
    per input row erased as a whole and erased quarantined rows' raw text removed; frame rows
    removed per event id; and the number of input rows no longer loaded (subtract it from
    ``rows_loaded``; ``rows_in``, counted from the file, stays as it is).

    An input row is erased as a whole when all its frame rows are: a survey answer naming three
    systems, erased by its respondent's person key or its response key, is one quarantined row
    with the response id as its reference, not three. When only some of an answer's mentions are
    named (``--source-row survey:R5-2``), those mentions go and the answer stays loaded; the
    erasures table counts them.
    """
    counts: dict[str, int] = {}
    if not targets or frame is None:
        return frame, quarantine, counts, 0
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
        for ev in event[hit]:
            counts[ev] = counts.get(ev, 0) + 1
        grouped = pd.DataFrame({"row": _input_rows(frame), "hit": hit, "event": event})
        gone = grouped.groupby("row", sort=False)["hit"].transform("all")
        first = gone & ~grouped["row"].duplicated()  # one quarantine row per input row erased whole
        survey = "answer_index" in frame.columns and "response_id" in frame.columns
        ref = frame["response_id"] if survey else frame["row_ref"]
        for r, ev in zip(ref[first].astype(str), event[first]):
            rows.append({"row_ref": r, "reason": _reason(ev), "raw_text": None})
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
    return frame, q.astype(object), counts, len(rows)
