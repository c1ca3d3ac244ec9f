"""Publication states of register entries, replayed from the decision log on every run.

concept -> vrijgegeven (an editor releases the version they checked) -> gepubliceerd (an approver,
not the one who released it, publishes that same version) -> gedepubliceerd (withdrawn, with a
reason). A version is named by the hash of its entry (:func:`entry_hash`); release and publish
decisions carry the hash the reviewer saw, so editing a published entry makes a new concept version
while the published one stays live until the new version is released and published in turn.
Retiring, rejecting or merging away a published system withdraws its entry with the reason.

Confirming a system never publishes it. Only published, not withdrawn entries are public.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "STATES", "STATE_LABELS", "STATE_COLUMNS", "VERSION_COLUMNS", "entry_hash", "replay_states",
    "next_versions", "RegisterStates", "resolve_event_systems",
]

STATES = ("concept", "vrijgegeven", "gepubliceerd", "gedepubliceerd")
STATE_LABELS = {"concept": "Concept", "vrijgegeven": "Vrijgegeven", "gepubliceerd": "Gepubliceerd",
                "gedepubliceerd": "Gedepubliceerd"}
STATE_COLUMNS = [
    "system_id", "state", "version", "draft_hash", "released_hash", "released_by", "released_at",
    "published_hash", "published_version", "published_by", "published_at", "published_entry_json",
    "withdrawn_reason", "withdrawn_by", "withdrawn_at", "note",
]
VERSION_COLUMNS = ["system_id", "version", "entry_hash", "entry_json", "first_seen"]


def entry_hash(entry: dict) -> str:
    """A short, stable name for one version of an entry (sha256 of its canonical JSON, 16 hex)."""
    canonical = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    s = str(value).strip()
    return s or None


def _fields(event: dict) -> dict:
    raw = event.get("fields") if isinstance(event.get("fields"), dict) else event.get("fields_json")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = {}
    return raw if isinstance(raw, dict) else {}


@dataclass
class _Entry:
    released: dict | None = None     # hash, by, at
    published: dict | None = None    # hash, by, at
    withdrawn: dict | None = None    # reason, by, at


@dataclass
class RegisterStates:
    """The outcome: one row per system with register history or a draft, and a note per decision."""

    states: pd.DataFrame
    report: list[dict] = field(default_factory=list)  # event_id, applied, apply_note


def next_versions(history: pd.DataFrame, drafts: dict[str, tuple[str, dict]], now: pd.Timestamp) -> pd.DataFrame:
    """Rows to add to ``register_versions``: each draft whose hash the system has not had before."""
    known = set(zip(history["system_id"], history["entry_hash"])) if len(history) else set()
    counts = history.groupby("system_id")["version"].max().to_dict() if len(history) else {}
    rows = []
    for system_id, (h, entry) in sorted(drafts.items()):
        if (system_id, h) in known:
            continue
        counts[system_id] = int(counts.get(system_id, 0)) + 1
        rows.append({"system_id": system_id, "version": counts[system_id], "entry_hash": h,
                     "entry_json": json.dumps(entry, ensure_ascii=False), "first_seen": now})
    return pd.DataFrame(rows, columns=VERSION_COLUMNS)


def _step(entry: _Entry, event: dict, action: str, current: str | None) -> tuple[bool, str]:
    """One release/publish/withdraw; ``current`` is the version a release without a hash releases."""
    who, at, h = _text(event.get("reviewer")), event.get("at"), _text(_fields(event).get("entry_hash"))
    if action == "release":
        h = h or current
        if not h:
            return False, "vrijgeven kan alleen voor een bevestigd systeem met een registertekst"
        if entry.published and entry.published["hash"] == h and not entry.withdrawn:
            return True, "deze versie is al gepubliceerd"
        entry.released = {"hash": h, "by": who, "at": at}
        return True, f"versie {h[:8]} vrijgegeven door {who}"
    if action == "publish":
        if entry.released is None:
            return False, "publiceren kan pas na vrijgeven door een redacteur"
        if h and h != entry.released["hash"]:
            return False, "de gepubliceerde versie is niet de vrijgegeven versie; laat opnieuw vrijgeven"
        if who and who == entry.released["by"]:
            return False, f"{who} gaf deze versie zelf vrij; een andere beoordelaar moet publiceren"
        entry.published = {"hash": entry.released["hash"], "by": who, "at": at,
                           "released_by": entry.released["by"], "released_at": entry.released["at"]}
        entry.released, entry.withdrawn = None, None
        return True, f"gepubliceerd door {who}"
    if entry.published is None and entry.released is None:
        return False, "er is geen gepubliceerde of vrijgegeven versie om te depubliceren"
    entry.withdrawn = {"reason": _text(event.get("reason")), "by": who, "at": at}
    entry.released = None
    return True, "gedepubliceerd: " + (_text(event.get("reason")) or "")


def _keys(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return [str(v) for v in list(value) if v]


def _system_of(event: dict, owners: dict[str, str]) -> str | None:
    """The system a decision names: its system_id, else the one recorded for it (``owners`` by
    event_id), else the system holding its first known source key (``owners`` by source key)."""
    system_id = _text(event.get("system_id"))
    if system_id:
        return system_id
    if _text(event.get("event_id")) in owners:
        return owners[_text(event.get("event_id"))]
    return next((owners[k] for k in _keys(event.get("source_keys")) if k in owners), None)


def resolve_event_systems(decisions: pd.DataFrame, known: dict[str, str], owners: dict[str, str]) -> dict[str, str]:
    """New event_id -> system_id resolutions for decisions that name only source records."""
    new = {}
    for event in decisions.to_dict("records") if len(decisions) else []:
        event_id = _text(event.get("event_id"))
        if _text(event.get("system_id")) or event_id in known:
            continue
        system_id = next((owners[k] for k in _keys(event.get("source_keys")) if k in owners), None)
        if system_id:
            new[event_id] = system_id
    return new


def replay_states(decisions: pd.DataFrame, systems: pd.DataFrame, drafts: dict[str, tuple[str, dict]],
                  versions: pd.DataFrame, successors: dict[str, str],
                  owners: dict[str, str] | None = None, previous: dict[str, str] | None = None) -> RegisterStates:
    """Publication state per system.

    decisions: ``review_decisions`` rows in log order (edits, confirms and the publication steps); systems: system_id, status, decision_reason;
    drafts: system_id -> (hash, entry) of every confirmed system's current entry; versions: the
    ``register_versions`` history (for the content of a published version that is no longer the
    draft); successors: merged-away id -> the id it was merged into; owners: event_id -> system_id
    (see :func:`resolve_event_systems`) and source_key -> system_id (``provenance``), for decisions
    that name source records instead of a system (seed files);
    previous: system_id -> the version the last run had published or released (what a release
    without a version meant once the system has been edited since).
    """
    owners, previous = owners or {}, previous or {}
    entries: dict[str, _Entry] = {}
    report = []
    events = decisions.to_dict("records") if len(decisions) else []
    last_edit = {}
    for n, event in enumerate(events):
        if _text(event.get("action")) in ("edit", "confirm") and _system_of(event, owners):
            last_edit[_system_of(event, owners)] = n
    for n, event in enumerate(events):
        action = _text(event.get("action"))
        if action not in ("release", "publish", "withdraw"):
            continue
        system_id = _system_of(event, owners)
        if system_id is None:
            report.append({"event_id": _text(event.get("event_id")), "applied": False,
                           "apply_note": "geen van de genoemde bronregels hoort bij een systeem in deze run"})
            continue
        # A release without a version (seed files, scripts) releases the entry as it stands after the
        # decisions before it: today's draft, unless the system was edited later in the log.
        current = drafts.get(system_id, (None, None))[0] or previous.get(system_id)
        if last_edit.get(system_id, -1) > n:
            current = previous.get(system_id) or f"ouder-{_text(event.get('event_id'))}"[:16]
        applied, note = _step(entries.setdefault(system_id, _Entry()), event, action, current)
        report.append({"event_id": _text(event.get("event_id")), "applied": applied, "apply_note": note})
    status = {r["system_id"]: r for r in systems.to_dict("records")} if len(systems) else {}
    content = {(r["system_id"], r["entry_hash"]): (int(r["version"]), r["entry_json"])
               for r in versions.to_dict("records")} if len(versions) else {}
    rows = []
    for system_id in sorted(set(entries) | set(drafts)):
        e = entries.get(system_id, _Entry())
        draft_hash, draft = drafts.get(system_id, (None, None))
        sysrow = status.get(system_id, {})
        if e.published and not e.withdrawn:
            gone = _gone(system_id, sysrow, successors)
            if gone:
                e.withdrawn = {"reason": gone, "by": None, "at": sysrow.get("decided_at")}
        state, note = _state(e, draft_hash)
        published_json = None
        published_version = None
        if e.published and not e.withdrawn:
            found = content.get((system_id, e.published["hash"]))
            if found:
                published_version, published_json = found
            elif draft_hash == e.published["hash"]:
                published_json = json.dumps(draft, ensure_ascii=False)
            else:
                state, note = "concept", "de gepubliceerde versie is niet meer bekend; geef opnieuw vrij en publiceer"
        version = None
        if draft_hash:
            version = content.get((system_id, draft_hash), (None, None))[0]
        r, p, w = e.released or {}, e.published or {}, e.withdrawn or {}
        rows.append({
            "system_id": system_id, "state": state, "version": version, "draft_hash": draft_hash,
            "released_hash": r.get("hash"), "released_by": r.get("by") or p.get("released_by"),
            "released_at": r.get("at") or p.get("released_at"),
            "published_hash": p.get("hash") if published_json else None, "published_version": published_version,
            "published_by": p.get("by") if published_json else None,
            "published_at": p.get("at") if published_json else None, "published_entry_json": published_json,
            "withdrawn_reason": w.get("reason"), "withdrawn_by": w.get("by"), "withdrawn_at": w.get("at"),
            "note": note,
        })
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS)
    for col in ("released_at", "published_at", "withdrawn_at"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce", utc=True).dt.tz_localize(None)
    frame["version"] = frame["version"].astype("Int64")
    frame["published_version"] = frame["published_version"].astype("Int64")
    return RegisterStates(states=frame, report=report)


def _state(e: _Entry, draft_hash: str | None) -> tuple[str, str | None]:
    released = bool(e.released and draft_hash and e.released["hash"] == draft_hash)
    stale = bool(e.released and not released)
    if e.published and not e.withdrawn:
        if draft_hash is None or draft_hash == e.published["hash"]:
            return "gepubliceerd", None
        if released:
            return "vrijgegeven", "nieuwe versie vrijgegeven; de gepubliceerde versie blijft online tot de publicatie"
        return "concept", "gewijzigd na publicatie: de gepubliceerde versie blijft online tot de nieuwe is vrijgegeven en gepubliceerd"
    if released:
        return "vrijgegeven", None
    if e.withdrawn:
        return "gedepubliceerd", f"gedepubliceerd: {e.withdrawn['reason'] or 'zonder reden'}"
    if stale:
        return "concept", "gewijzigd nadat een versie was vrijgegeven; geef de nieuwe versie opnieuw vrij"
    return "concept", None


def _gone(system_id: str, sysrow: dict, successors: dict[str, str]) -> str | None:
    """Why a published system may no longer be public (merged away, retired, rejected), else None."""
    if successors.get(system_id):
        return f"samengevoegd met {successors[system_id]}"
    status = sysrow.get("status")
    reason = _text(sysrow.get("decision_reason"))
    if status == "retired":
        return "buiten gebruik gesteld" + (f": {reason}" if reason else "")
    if status == "rejected":
        return "afgewezen" + (f": {reason}" if reason else "")
    if not sysrow:
        return "het systeem staat niet meer in de inventaris"
    return None
