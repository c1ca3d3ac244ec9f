"""What changed in the published register between two site builds: additions, changes, withdrawals.

The history is an append-only list of change records (kept by the caller as JSON lines under
``data_dir``); :func:`register_changes` compares the entries published now with the state folded
from that history and returns the new records. A record holds only public things: the system id,
the published name, the kind of change, the names of the fields that changed and a short hash per
field (to notice the next change), never values that were not published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable

__all__ = ["CHANGE_LABELS", "field_hashes", "fold_history", "register_changes"]

CHANGE_LABELS = {"nieuw": "Nieuw gepubliceerd", "gewijzigd": "Gewijzigd", "ingetrokken": "Niet meer gepubliceerd"}
_IGNORED = {"publication_dt"}


def field_hashes(entry: dict) -> dict[str, str]:
    """A short hash per published field (empty fields left out)."""
    out = {}
    for key, value in sorted(entry.items()):
        if key in _IGNORED or value in (None, "", [], {}):
            continue
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        out[key] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return out


def fold_history(records: Iterable[dict]) -> dict[str, dict[str, str]]:
    """The field hashes of every entry currently published, per system id, from the history."""
    state: dict[str, dict[str, str]] = {}
    for rec in records:
        sid = rec.get("system_id")
        if not sid:
            continue
        if rec.get("change") == "ingetrokken":
            state.pop(sid, None)
        else:
            state[sid] = dict(rec.get("field_hashes") or {})
    return state


def register_changes(previous: dict[str, dict[str, str]], entries: list[tuple[str, dict]],
                     at: dt.datetime) -> list[dict]:
    """New history records for the entries published now (``[(system_id, entry)]``) against ``previous``."""
    stamp = at.replace(microsecond=0).isoformat()
    out: list[dict] = []
    current = {sid: e for sid, e in entries}
    for sid, entry in sorted(current.items()):
        hashes = field_hashes(entry)
        before = previous.get(sid)
        before = None if before is None else {k: v for k, v in before.items() if k != "_name"}
        if before is None:
            out.append(_record(stamp, sid, entry, "nieuw", [], hashes))
        elif before != hashes:
            changed = sorted(k for k in set(before) | set(hashes) if before.get(k) != hashes.get(k))
            out.append(_record(stamp, sid, entry, "gewijzigd", changed, hashes))
    for sid in sorted(set(previous) - set(current)):
        out.append({"at": stamp, "system_id": sid, "name": previous[sid].get("_name", ""), "change": "ingetrokken",
                    "fields": [], "field_hashes": {}})
    return out


def _record(stamp: str, sid: str, entry: dict, change: str, fields: list[str], hashes: dict[str, Any]) -> dict:
    return {"at": stamp, "system_id": sid, "name": str(entry.get("name") or sid), "change": change,
            "fields": fields, "field_hashes": hashes | {"_name": str(entry.get("name") or sid)}}
