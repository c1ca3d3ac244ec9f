"""The review decision log: an append-only JSON-lines audit trail (docs/contracts.md §5).

One JSON object per line::

    {"event_id": "…", "at": "2026-03-01T09:30:00.123+00:00", "reviewer": "jdevries",
     "action": "merge", "system_id": "AIG-000012", "source_keys": null, "into": "AIG-000004",
     "fields": null, "reason": "zelfde applicatie"}

Writers take an exclusive ``fcntl.flock`` on a sidecar lock file, append one whole line with a
single ``write`` on an ``O_APPEND`` descriptor, then flush and ``fsync``. A writer killed mid-write
leaves a torn line; the next writer first terminates it with a newline so its own event is never
glued to the fragment, and :func:`read_decisions` skips (and reports) every line it cannot use.
Events are de-duplicated by ``event_id``, so a retried or double-submitted decision is applied once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd

from transforms.errors import DecisionLogError
from transforms.obligations.vocab import OBLIGATION_ACTIONS, OBLIGATION_FIELDS, check_obligation_fields
from transforms.publish.fields import STORED_KEYS

__all__ = [
    "ACTIONS",
    "EDIT_FIELDS",
    "REGISTER_FIELDS",
    "REGISTER_ACTIONS",
    "REJECT_GROUNDS",
    "CONFIRM_KINDS",
    "PUBLICATION_CATEGORIES",
    "REGISTER_STATUSES",
    "EVENT_KEYS",
    "DECISION_COLUMNS",
    "log_path",
    "validate_decision",
    "append_decision",
    "read_decisions",
    "decisions_frame",
    "seed_log",
]

ACTIONS: tuple[str, ...] = ("confirm", "reject", "merge", "split", "edit", "defer", "retire", "erase",
                           "release", "publish", "withdraw", *OBLIGATION_ACTIONS)
# Publication steps of a register entry (transforms/publish/states.py): release by an editor, publish by
# an approver (another person), withdraw (with a reason). `fields.entry_hash` names the version.
REGISTER_ACTIONS: tuple[str, ...] = ("release", "publish", "withdraw")
# Register fields a reviewer may edit (stored in systems.fields_json by the pipeline).
EDIT_FIELDS: tuple[str, ...] = (
    "name",
    "description",  # the public description (a survey answer is never published as one)
    "department",
    "owner",
    "contact_email",
    "goal",
    "status_register",
    "publication_category",
    "dpia_status",
    "iama_status",
    "next_review",
)
# Every editable property of publication standard 1.0 (transforms/publish/fields.py), plus what a
# supplier template leaves behind (template_id) and the DPIA/IAMA details the register shows.
REGISTER_FIELDS: tuple[str, ...] = tuple(dict.fromkeys((
    *STORED_KEYS, "template_id", "dpia_date", "dpia_link", "iama_date", "iama_link")))
_LIST_FIELDS = frozenset(k for k in REGISTER_FIELDS if k == "category" or k.endswith("_grouping"))
CONFIRM_KINDS: tuple[str, ...] = ("ai_system", "algorithm")
REJECT_GROUNDS: tuple[str, ...] = ("not_ai", "not_ours", "duplicate", "other")
PUBLICATION_CATEGORIES: tuple[str, ...] = (
    "Hoog-risico AI-systeem",
    "Impactvolle algoritmes",
    "Overige algoritmes",
)
REGISTER_STATUSES: tuple[str, ...] = ("In ontwikkeling", "In gebruik", "Buiten gebruik")
EVENT_KEYS: tuple[str, ...] = (
    "event_id", "at", "reviewer", "action", "system_id", "source_keys", "into", "fields", "reason",
    "seen",  # optional: the event_id of the latest decision the reviewer saw for the system
)
DECISION_COLUMNS: tuple[str, ...] = (
    "event_id", "at", "reviewer", "action", "system_id", "source_keys", "into",
    "fields_json", "reason", "applied", "apply_note",
)
# Which `fields` keys each action accepts.
_ACTION_FIELDS: dict[str, frozenset[str]] = {
    "confirm": frozenset(EDIT_FIELDS) | frozenset(REGISTER_FIELDS) | {"kind"},
    "edit": frozenset(EDIT_FIELDS) | frozenset(REGISTER_FIELDS) | {"kind"},
    "release": frozenset({"entry_hash"}),
    "publish": frozenset({"entry_hash"}),
    "withdraw": frozenset(),
    "reject": frozenset({"ground"}),
    "defer": frozenset({"defer_until"}),
    "merge": frozenset(),
    "split": frozenset(),
    "retire": frozenset(),
    **OBLIGATION_FIELDS,  # requirement / assessment / review (transforms.obligations.vocab)
    "erase": frozenset({"person_key"}),  # a tombstone (aigrip erase; transforms/privacy/erasure.py)
}
_SYSTEM_ID = re.compile(r"^AIG-\d{6}$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOCK_TIMEOUT_S = 10.0
_MAX_TEXT = 4000
_MAX_REGISTER_TEXT = 20000  # long register texts with their HTML (methods_and_models: 5,000 visible characters)
_SEED_NAMESPACE = uuid.UUID("5d1f3c0e-9a51-4c2a-8f0b-6a1d3c2b7e90")
_log = logging.getLogger(__name__)


def log_path(data_dir: str | os.PathLike) -> Path:
    """Where the decision log of a data directory lives: ``data_dir/decisions/decisions.jsonl``."""
    return Path(data_dir) / "decisions" / "decisions.jsonl"


def _fail(msg: str) -> None:
    raise DecisionLogError(f"invalid decision: {msg}")


def _text(event: dict, key: str, required: bool = False) -> str | None:
    value = event.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(f"'{key}' is required for action '{event.get('action')}'")
        return None
    if not isinstance(value, str):
        _fail(f"'{key}' must be text, not {type(value).__name__}")
    value = value.strip()
    if len(value) > _MAX_TEXT:
        _fail(f"'{key}' is longer than {_MAX_TEXT} characters")
    return value


def _iso_date(value: object, key: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        _fail(f"'{key}' must be a date as YYYY-MM-DD, got {value!r}")
    raise AssertionError("unreachable")


def _iso_time(value: object) -> str:
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            _fail(f"'at' must be an ISO date-time, got {value!r}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _system_id(event: dict, key: str) -> str | None:
    value = _text(event, key)
    if value is not None and not _SYSTEM_ID.match(value):
        _fail(f"'{key}' must look like AIG-000123, got {value!r}")
    return value


def _fields(event: dict, action: str) -> dict | None:
    fields = event.get("fields")
    if fields is None or fields == {}:
        return None
    if not isinstance(fields, dict):
        _fail("'fields' must be an object of field names and values")
    allowed = _ACTION_FIELDS[action]
    out: dict = {}
    for key, value in fields.items():
        if key not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            _fail(f"field '{key}' is not allowed for action '{action}' (allowed: {names})")
        if key in _LIST_FIELDS and isinstance(value, list):
            value = _list_value(key, value)
        elif value is not None and not isinstance(value, (str, bool, int, float)):
            _fail(f"field '{key}' must be text, not {type(value).__name__}")
        if isinstance(value, str):
            value = value.strip()
            if len(value) > (_MAX_REGISTER_TEXT if key in REGISTER_FIELDS else _MAX_TEXT):
                _fail(f"field '{key}' is longer than {_MAX_TEXT} characters")
            if not value:
                value = None
        if value is not None:
            if key in ("next_review", "defer_until"):
                value = _iso_date(value, key)
            elif key == "publication_category" and value not in PUBLICATION_CATEGORIES:
                _fail(f"publication_category must be one of {', '.join(PUBLICATION_CATEGORIES)}")
            elif key == "status_register" and value not in REGISTER_STATUSES:
                _fail(f"status_register must be one of {', '.join(REGISTER_STATUSES)}")
            elif key == "kind" and value not in CONFIRM_KINDS:
                _fail(f"kind must be one of {', '.join(CONFIRM_KINDS)}")
            elif key == "ground" and value not in REJECT_GROUNDS:
                _fail(f"ground must be one of {', '.join(REJECT_GROUNDS)}")
        out[key] = value
    return out or None


def _list_value(key: str, value: list) -> list | None:
    """A theme list (text items) or a grouping (``{title, link}`` items), checked for shape and size."""
    out: list = []
    for item in value:
        if key == "category":
            if not isinstance(item, str):
                _fail(f"field '{key}' must be a list of themes (text)")
            if item.strip():
                out.append(item.strip())
            continue
        if not isinstance(item, dict) or set(item) - {"title", "link"} or not all(
                isinstance(v, str) and len(v) <= _MAX_TEXT for v in item.values()):
            _fail(f"field '{key}' must be a list of {{title, link}} texts")
        out.append({k: v.strip() for k, v in item.items() if v.strip()})
    if len(out) > 100:
        _fail(f"field '{key}' has more than 100 items")
    return out or None


def validate_decision(event: dict) -> dict:
    """Check one decision and return it normalised (all :data:`EVENT_KEYS`, ids and times filled).

    Raises :class:`DecisionLogError` with one readable line naming what is wrong.
    """
    if not isinstance(event, dict):
        _fail("a decision must be a JSON object")
    unknown = sorted(set(event) - set(EVENT_KEYS))
    if unknown:
        _fail(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(EVENT_KEYS)}")
    action = event.get("action")
    if action not in ACTIONS:
        _fail(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    event_id = event.get("event_id") or uuid.uuid4().hex
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        _fail(f"event_id must be 1-64 letters, digits, '-' or '_', got {event_id!r}")
    at = _iso_time(event["at"]) if event.get("at") else _iso_time(datetime.now(timezone.utc))
    reviewer = _text(event, "reviewer", required=True)
    system_id = _system_id(event, "system_id")
    into = _system_id(event, "into")
    source_keys = event.get("source_keys")
    if source_keys is not None:
        if isinstance(source_keys, str) or not isinstance(source_keys, (list, tuple)):
            _fail("'source_keys' must be a list of source keys")
        keys = []
        for key in source_keys:
            if not isinstance(key, str) or ":" not in key.strip().strip(":"):
                _fail(f"source key {key!r} must look like <source_id>:<record key>")
            if key.strip() not in keys:
                keys.append(key.strip())
        source_keys = keys or None
    reason = _text(event, "reason", required=(action == "reject"))
    fields = _fields(event, action)
    if action == "erase":
        if system_id is not None or not (source_keys or (fields and fields.get("person_key"))):
            _fail("action 'erase' needs source_keys or fields.person_key (and no system_id)")
        if fields and fields.get("person_key") and not re.fullmatch(r"[0-9a-f]{16}", fields["person_key"]):
            _fail("fields.person_key must be a 16-character person key")
    elif system_id is None and not source_keys:
        _fail(f"action '{action}' needs a system_id or source_keys")
    if action == "merge":
        if into is None:
            _fail("'into' (the system to merge into) is required for action 'merge'")
        if into == system_id:
            _fail(f"cannot merge {system_id} into itself")
    elif into is not None:
        _fail(f"'into' is only used by action 'merge', not '{action}'")
    if action == "split" and not source_keys:
        _fail("'source_keys' (the source records to split off) is required for action 'split'")
    if action in ("retire", "defer") and system_id is None:
        _fail(f"'system_id' is required for action '{action}'")
    if action == "defer" and not (fields and fields.get("defer_until")):
        _fail("fields.defer_until (YYYY-MM-DD) is required for action 'defer'")
    if action in OBLIGATION_ACTIONS:
        if system_id is None:
            _fail(f"'system_id' is required for action '{action}'")
        problem = check_obligation_fields(action, fields, reason)
        if problem:
            _fail(problem)
    if action == "withdraw" and not reason:
        _fail("'reason' (why the entry leaves the public register) is required for action 'withdraw'")
    if action == "edit" and not fields:
        _fail("'fields' with at least one register field is required for action 'edit'")
    out = {
        "event_id": event_id, "at": at, "reviewer": reviewer, "action": action,
        "system_id": system_id, "source_keys": source_keys, "into": into,
        "fields": fields, "reason": reason,
    }
    seen = event.get("seen")
    if seen is not None:
        if not isinstance(seen, str) or not (seen == "" or _EVENT_ID.match(seen)):
            _fail(f"'seen' must be the event_id of a decision (or empty), got {seen!r}")
        out["seen"] = seen
    return out


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    """Hold a flock on ``<log>.lock``; give up with a readable error after a few seconds."""
    lock_file = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DecisionLogError(f"cannot open the decision log lock {lock_file}: {exc.strerror}; check the folder's permissions") from exc
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + _LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DecisionLogError(
                        f"decision log {path} stayed locked for {_LOCK_TIMEOUT_S:.0f} s by another process; try again"
                    ) from None
                time.sleep(0.005)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _stored_event(item: object, raw: bytes) -> dict:
    """Validate a line read back from the log; its id and time must not depend on when it is read."""
    if isinstance(item, dict):
        if not item.get("at"):
            _fail("the line has no 'at' time")
        if not item.get("event_id"):
            item = {**item, "event_id": uuid.uuid5(_SEED_NAMESPACE, raw.decode("utf-8", "replace").strip()).hex}
    return validate_decision(item)  # type: ignore[arg-type]


def _parse_lines(data: bytes, source: str, problems: list[str]) -> list[dict]:
    events: list[dict] = []
    seen: set[str] = set()
    lines = data.split(b"\n")
    torn_tail = not data.endswith(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        is_tail = torn_tail and number == len(lines)
        try:
            event = _stored_event(json.loads(raw.decode("utf-8")), raw)
        except (ValueError, DecisionLogError) as exc:
            what = "torn last line (a writer was interrupted)" if is_tail else "unusable line"
            detail = str(exc).splitlines()[0] if isinstance(exc, DecisionLogError) else "not valid JSON"
            problems.append(f"{source} line {number}: skipped {what}: {detail}")
            continue
        if event["event_id"] in seen:
            continue
        seen.add(event["event_id"])
        events.append(event)
    return events


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise DecisionLogError(f"cannot read decision log {path}: {exc.strerror}; check the file's permissions") from exc


def read_decisions(path: str | os.PathLike, problems: list[str] | None = None) -> list[dict]:
    """All usable events in log order, de-duplicated by ``event_id`` (first occurrence wins).

    A missing log is an empty log. Torn or invalid lines are skipped, logged as warnings and, when
    ``problems`` is given, appended to it as readable lines; they never raise.
    """
    path = Path(path)
    found: list[str] = []
    with _locked(path, exclusive=False):
        data = _read_bytes(path)
    events = _parse_lines(data, str(path), found)
    for line in found:
        _log.warning(line)
    if problems is not None:
        problems.extend(found)
    return events


def _append_locked(path: Path, events: list[dict]) -> list[dict]:
    """Append events not yet in the log (by event_id); the caller holds the exclusive lock."""
    existing = _read_bytes(path)
    known: dict[str, dict] = {}
    if any(e["event_id"].encode() in existing for e in events):  # cheap test before a full parse
        known = {e["event_id"]: e for e in _parse_lines(existing, str(path), [])}
    stored: list[dict] = []
    payload = b""
    for event in events:
        if event["event_id"] in known:
            stored.append(known[event["event_id"]])
            continue
        known[event["event_id"]] = event
        stored.append(event)
        payload += json.dumps(event, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8") + b"\n"
    if not payload:
        return stored
    if existing and not existing.endswith(b"\n"):
        payload = b"\n" + payload  # terminate a torn line left by an interrupted writer
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DecisionLogError(f"cannot write decision log {path}: {exc.strerror}; check the folder's permissions") from exc
    try:
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise DecisionLogError(f"cannot write decision log {path}: {exc.strerror}; is the disk full?") from exc
    finally:
        os.close(fd)
    return stored


def append_decision(path: str | os.PathLike, event: dict) -> dict:
    """Validate one decision, append it durably and return the stored event.

    ``event_id`` (uuid4 hex) and ``at`` (UTC ISO time) are filled when absent. Appending an event
    whose ``event_id`` is already in the log writes nothing and returns the stored one, so a retried
    submission is recorded once.
    """
    path = Path(path)
    clean = validate_decision(event)
    with _locked(path, exclusive=True):
        return _append_locked(path, [clean])[0]


def _load_seed(seed_file: Path) -> list[dict]:
    try:
        text = seed_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DecisionLogError(f"cannot read seed decisions {seed_file}: {exc.strerror}; check the path") from exc
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            items = json.loads(stripped)
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise DecisionLogError(
            f"seed decisions {seed_file} are not valid JSON (line {getattr(exc, 'lineno', '?')}); use one JSON object per line"
        ) from exc
    events = []
    for index, item in enumerate(items, start=1):
        if isinstance(item, dict) and not item.get("event_id"):
            canonical = json.dumps(item, sort_keys=True, ensure_ascii=False)
            item = {**item, "event_id": uuid.uuid5(_SEED_NAMESPACE, f"{seed_file.name}:{index}:{canonical}").hex}
        try:
            events.append(validate_decision(item))
        except DecisionLogError as exc:
            raise DecisionLogError(f"seed decisions {seed_file} entry {index}: {str(exc)}") from exc
    return events


def seed_log(path: str | os.PathLike, seed_file: str | os.PathLike) -> int:
    """Start a new log from a seed file (JSON lines or a JSON list); returns the events written.

    Does nothing (returns 0) when the log already exists, so seeding happens once. Seed events
    without an ``event_id`` get a deterministic one derived from the seed file.
    """
    path = Path(path)
    events = _load_seed(Path(seed_file))
    with _locked(path, exclusive=True):
        if path.exists():
            return 0
        if not events:
            path.touch()
            return 0
        _append_locked(path, events)
    return len(events)


def decisions_frame(events: list[dict]) -> pd.DataFrame:
    """Events as rows of the ``review_decisions`` table (applied / apply_note left NULL)."""
    rows = []
    for e in events:
        fields = e.get("fields")
        at = pd.Timestamp(e["at"]) if e.get("at") else pd.NaT
        if at is not pd.NaT and at.tzinfo is not None:
            at = at.tz_convert("UTC").tz_localize(None)
        rows.append({
            "event_id": e.get("event_id"),
            "at": at,
            "reviewer": e.get("reviewer"),
            "action": e.get("action"),
            "system_id": e.get("system_id"),
            "source_keys": list(e["source_keys"]) if e.get("source_keys") else None,
            "into": e.get("into"),
            "fields_json": json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else None,
            "reason": e.get("reason"),
            "applied": None,
            "apply_note": None,
        })
    frame = pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"]).astype("datetime64[us]")
    for col in ("event_id", "reviewer", "action", "system_id", "into", "fields_json", "reason", "apply_note"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["applied"] = frame["applied"].astype("boolean")
    frame["source_keys"] = frame["source_keys"].astype(object)
    return frame
