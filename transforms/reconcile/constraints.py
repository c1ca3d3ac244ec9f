"""Reviewer decisions as constraints, replayed in log order on every run.

The model's clustering is a labelling of source records into groups. Each decision is replayed on
it, in log order, so the outcome depends only on the records and the log — replaying the same log
any number of times gives the same systems (idempotent):

* merge  — must-link: every group holding records of ``system_id`` (or ``source_keys``) and of
  ``into`` becomes one group, which keeps the id ``into``; the merged-away id gets ``into`` as successor;
* split  — cannot-link: ``source_keys`` leave their group and form a new group (a new system);
  the rest keeps the id;
* confirm / reject / retire / defer / edit — attributes of the group holding the system's records.

A decision names a system by ``system_id`` (which follows the successor chain of merged-away ids;
its records are the ones the previous run gave that system) or only by ``source_keys``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transforms.obligations.vocab import OBLIGATION_ACTIONS
from transforms.publish.fields import STORED_KEYS

__all__ = ["ACTIONS", "EDITABLE_FIELDS", "Replay", "resolve", "replay_decisions"]

ACTIONS = ("confirm", "reject", "merge", "split", "edit", "defer", "retire")
REGISTER_ACTIONS = ("release", "publish", "withdraw")  # publication steps: transforms/publish/states.py
EDITABLE_FIELDS = tuple(dict.fromkeys((
    "name", "vendor", "department", "owner", "contact_email", "goal", "status_register",
    "publication_category", "dpia_status", "iama_status", "next_review", "description",
    *STORED_KEYS, "template_id", "dpia_date", "dpia_link", "iama_date", "iama_link",
)))
_STATUS = {"confirm": "confirmed", "reject": "rejected", "retire": "retired"}


def resolve(system_id: str | None, successors: dict[str, str]) -> str | None:
    """Follow the successor chain of a (possibly merged-away) system id to the live id."""
    seen = set()
    while system_id in successors and successors[system_id] and system_id not in seen:
        seen.add(system_id)
        system_id = successors[system_id]
    return system_id


@dataclass
class Replay:
    """The outcome of replaying the decision log on one run's clustering."""

    groups: np.ndarray                                   # group label per record (keys order)
    attrs: dict[int, dict] = field(default_factory=dict)  # group -> status/decided_*/fields/...
    preferred: dict[int, str] = field(default_factory=dict)  # group -> id it must keep
    fresh: set[int] = field(default_factory=set)          # groups a split created (never an id's home
                                                          # while that id has records elsewhere)
    successors: dict[str, str] = field(default_factory=dict)  # merged-away id -> successor (this log)
    retired: dict[str, object] = field(default_factory=dict)  # id -> retired_at
    reviewer_linked: set[int] = field(default_factory=set)  # groups joined by a reviewer merge
    report: list[dict] = field(default_factory=list)      # event_id, applied, apply_note


def _keys_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = [value]
    return [str(v) for v in list(value) if v is not None and str(v)]


def _fields(event: dict) -> dict:
    raw = event.get("fields")
    if not isinstance(raw, dict):
        raw = event.get("fields_json")
        try:
            raw = json.loads(raw) if isinstance(raw, str) and raw else {}
        except json.JSONDecodeError:
            raw = {}
    return raw if isinstance(raw, dict) else {}


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    s = str(value).strip()
    return s or None


class _State:
    def __init__(self, source_keys: pd.Index, groups: np.ndarray, prev_keys: dict[str, list[str]],
                 successors: dict[str, str]):
        self.index = source_keys
        self.groups = groups.copy()
        self.prev_keys = prev_keys
        self.successors = dict(successors)
        self.next_label = int(groups.max()) + 1 if len(groups) else 0

    def positions(self, keys: list[str]) -> np.ndarray:
        pos = self.index.get_indexer(keys) if keys else np.array([], dtype=np.int64)
        return pos[pos >= 0]

    def system_positions(self, system_id: str) -> np.ndarray:
        live = resolve(system_id, self.successors)
        keys = list(self.prev_keys.get(live, []))
        if live != system_id:
            keys += self.prev_keys.get(system_id, [])
        return self.positions(keys)

    def plurality_group(self, pos: np.ndarray) -> int:
        labels, counts = np.unique(self.groups[pos], return_counts=True)
        return int(labels[np.argmax(counts)])  # np.unique sorts: ties go to the smallest label


def replay_decisions(
    source_keys: pd.Index,
    groups: np.ndarray,
    decisions: pd.DataFrame | None,
    *,
    prev_keys: dict[str, list[str]],
    successors: dict[str, str],
) -> Replay:
    """Replay the decision log (in log order) on the model's groups; see the module docstring."""
    state = _State(source_keys, groups, prev_keys, successors)
    out = Replay(groups=state.groups)
    if decisions is None or len(decisions) == 0:
        return out
    for event in decisions.to_dict("records"):
        applied, note = _apply(state, out, event)
        out.report.append({"event_id": _text(event.get("event_id")), "applied": applied, "apply_note": note})
    out.groups = state.groups
    return out


def _target(state: _State, event: dict) -> tuple[np.ndarray, str]:
    system_id = _text(event.get("system_id"))
    if system_id:
        return state.system_positions(system_id), system_id
    keys = _keys_list(event.get("source_keys"))
    return state.positions(keys), ", ".join(keys[:3]) + (" …" if len(keys) > 3 else "")


def _apply(state: _State, out: Replay, event: dict) -> tuple[bool, str]:
    action = _text(event.get("action"))
    if action in OBLIGATION_ACTIONS:  # requirement / assessment / review: applied by the obligations stage
        return True, "verwerkt bij de verplichtingen (vereisten, DPIA/IAMA/FRIA, periodieke herbeoordeling)"
    if action == "erase":  # a tombstone: applied at ingest (transforms/privacy/erasure.py), nothing to cluster
        return True, "verwijderverzoek: de genoemde bronregels zijn bij het inlezen gewist"
    if action in REGISTER_ACTIONS:
        return True, "publicatiestap: verwerkt in de publicatiestatus van het register"
    if action not in ACTIONS:
        return False, f"onbekende actie '{action}' (kies uit {', '.join(ACTIONS)})"
    if action == "split":
        return _split(state, out, event)
    pos, label = _target(state, event)
    if not label:
        return False, "besluit noemt geen systeem en geen bronregels"
    if len(pos) == 0:
        return False, f"{label}: geen bronregels van dit systeem in deze run"
    if action == "merge":
        return _merge(state, out, event, pos, label)
    group = state.plurality_group(pos)
    attrs = out.attrs.setdefault(group, {})
    fields = _fields(event)
    if action == "edit":
        edits = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
        unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
        if not edits:
            return False, "geen bewerkbare velden in besluit" + (f" (onbekend: {', '.join(unknown)})" if unknown else "")
        attrs.setdefault("fields", {}).update(edits)
        note = "velden bijgewerkt: " + ", ".join(sorted(edits))
        return True, note + (f"; genegeerd: {', '.join(unknown)}" if unknown else "")
    if action == "defer":
        until = _text(fields.get("defer_until"))
        if not until:
            return False, "uitstel zonder defer_until-datum"
        try:
            attrs["defer_until"] = pd.Timestamp(until).date()
        except (ValueError, TypeError):
            return False, f"ongeldige defer_until-datum '{until}'"
    else:
        attrs["status"] = _STATUS[action]
        if action == "confirm":  # a confirmation may carry register fields (owner, goal, …) too
            edits = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
            if edits:
                attrs.setdefault("fields", {}).update(edits)
        if action == "retire":
            system_id = _text(event.get("system_id"))
            if system_id:
                out.retired[resolve(system_id, state.successors)] = event.get("at")
            attrs["retired_at"] = event.get("at")
    attrs.update(decided_by=_text(event.get("reviewer")), decided_at=event.get("at"),
                 decision_reason=_text(event.get("reason")))
    return True, {"confirm": "bevestigd", "reject": "afgewezen", "retire": "buiten gebruik",
                  "defer": "uitgesteld"}[action]


def _merge(state: _State, out: Replay, event: dict, pos: np.ndarray, label: str) -> tuple[bool, str]:
    into = _text(event.get("into"))
    if into:
        into_live = resolve(into, state.successors)
        into_pos = state.system_positions(into)
    else:  # merge by source_keys only: the keys are linked together
        into_live, into_pos = None, np.array([], dtype=np.int64)
        if len(np.unique(pos)) < 2 and not _text(event.get("system_id")):
            return False, "samenvoegen zonder 'into' vraagt minstens twee bronregels"
    if into and len(into_pos) == 0:
        return False, f"doelsysteem {into}: geen bronregels in deze run"
    source_id = _text(event.get("system_id"))
    source_live = resolve(source_id, state.successors) if source_id else None
    all_pos = np.concatenate([pos, into_pos])
    touched = np.unique(state.groups[all_pos])
    target_group = state.plurality_group(into_pos) if len(into_pos) else int(touched[0])
    merged = {}
    for g in sorted(int(t) for t in touched if t != target_group):
        merged.update(out.attrs.pop(g, {}))
        out.preferred.pop(g, None)
    merged.update(out.attrs.get(target_group, {}))
    if merged:
        out.attrs[target_group] = merged
    state.groups[np.isin(state.groups, touched)] = target_group
    out.reviewer_linked.add(target_group)
    if into_live:
        out.preferred[target_group] = into_live
    if source_live and into_live and source_live != into_live:
        state.successors[source_live] = into_live
        out.successors[source_live] = into_live
    if len(touched) == 1:
        return True, "al samengevoegd" + (f" in {into_live}" if into_live else "")
    return True, f"samengevoegd {label} → {into_live or 'één systeem'}"


def _split(state: _State, out: Replay, event: dict) -> tuple[bool, str]:
    keys = _keys_list(event.get("source_keys"))
    if not keys:
        return False, "splitsen vraagt de bronregels (source_keys) die eruit gaan"
    pos = state.positions(keys)
    if len(pos) == 0:
        return False, "geen van de genoemde bronregels in deze run"
    system_id = _text(event.get("system_id"))
    if system_id:
        home_pos = state.system_positions(system_id)
        home = state.plurality_group(home_pos) if len(home_pos) else state.plurality_group(pos)
    else:
        home = state.plurality_group(pos)
    label = state.next_label
    state.next_label += 1
    state.groups[pos] = label
    out.fresh.add(label)
    if system_id and np.any(state.groups == home):
        out.preferred[home] = resolve(system_id, state.successors)
    return True, f"{len(pos)} bronregel(s) afgesplitst tot een nieuw systeem"
