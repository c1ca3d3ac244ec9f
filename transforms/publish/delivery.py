"""Delivery to the national algorithm register (aanleverapi v1_0): what to send, decided without I/O.

A *plan* turns each system's publication state and register entry into at most a few API steps:

| publication state | steps |
|---|---|
| concept, vrijgegeven | create (POST) when the register has no entry of ours, else update (PUT) when what we would send changed |
| gepubliceerd | as above, then release (PUT …/release) unless this exact version was released already |
| gedepubliceerd | retract (DELETE …/retract), only for an entry aigrip created or adopted, once |

Before creating, the organisation's existing entries in the register are *adopted*: matched by the
entry's ``lars``, by our ``source_id`` (the system id), or by the folded name, and updated instead of
creating a duplicate. The delivery state (per system: lars, version, hash of what was sent, whether
that version was released, whether the entry was retracted) is folded from an append-only JSON-lines
file; :func:`fold_state` reads it. Every step carries a Dutch reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from transforms.text import fold

__all__ = [
    "PUBLICATION_STATES", "SENT_KEYS", "Step", "SystemPlan", "payload", "payload_hash", "fold_state",
    "plan_delivery", "field_diff", "match_remote",
]

PUBLICATION_STATES = ("concept", "vrijgegeven", "gepubliceerd", "gedepubliceerd")
# AlgorithmIn of the aanleverapi v1_0: the standard 1.0 fields we send (lars only in the URL).
SENT_KEYS = (
    "name", "description_short", "organization", "category", "status", "begin_date", "end_date",
    "contact_email", "website", "publication_category", "url", "goal", "proportionality",
    "human_intervention", "risks", "lawful_basis", "lawful_basis_grouping", "process_index_url",
    "impacttoetsen_grouping", "impacttoetsen", "source_data", "source_data_grouping",
    "methods_and_models", "provider", "publiccode", "lang", "standard_version", "source_id", "tags",
)
_ACTION_LABEL = {"create": "aanmaken", "update": "bijwerken", "release": "vrijgeven", "retract": "terugtrekken"}


@dataclass
class Step:
    """One API call: ``action`` ∈ create, update, release, retract."""

    action: str
    reason: str

    @property
    def label(self) -> str:
        return _ACTION_LABEL[self.action]


@dataclass
class SystemPlan:
    """What to do for one system; ``lars`` is None until the register assigns one (create)."""

    system_id: str
    name: str
    state: str
    lars: str | None
    origin: str | None                     # created | adopted | None (not ours yet)
    payload: dict | None
    hash: str | None
    steps: list[Step] = field(default_factory=list)
    note: str = ""                         # why nothing is done, or a warning


def payload(entry: dict, system_id: str) -> dict:
    """The AlgorithmIn body for one entry: the standard's sent keys, no empties, source_id = system id."""
    body = {k: entry[k] for k in SENT_KEYS if entry.get(k) not in (None, "", [], {})}
    body["source_id"] = system_id
    return body


def payload_hash(body: dict) -> str:
    """A stable sha256 of what is sent (key order and JSON spacing do not matter)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold_state(records: Iterable[dict]) -> dict[str, dict]:
    """The current delivery state per system from the append-only records, oldest first.

    Returns ``{system_id: {lars, origin, version, hash, released_hash, retracted}}``; a record of a
    failed call (``ok`` false) changes nothing.
    """
    state: dict[str, dict] = {}
    for rec in records:
        if not rec.get("ok", True):
            continue
        sid = rec.get("system_id")
        if not sid:
            continue
        cur = state.setdefault(sid, {"lars": None, "origin": None, "version": 0, "hash": None,
                                     "released_hash": None, "retracted": False})
        action = rec.get("action")
        if rec.get("lars"):
            cur["lars"] = rec["lars"]
        if action in ("create", "adopt"):
            cur["origin"] = "created" if action == "create" else "adopted"
        if action in ("create", "update"):
            cur["version"] = int(rec.get("version") or cur["version"] + 1)
            cur["hash"] = rec.get("hash")
            cur["retracted"] = False
        elif action == "release":
            cur["released_hash"] = rec.get("hash")
            cur["retracted"] = False
        elif action == "retract":
            cur["retracted"] = True
            cur["released_hash"] = None
    return state


def match_remote(body: dict, system_id: str, remote: list[dict], taken: set[str]) -> tuple[str | None, str]:
    """The lars of the organisation's existing register entry this system should adopt, and why.

    ``remote`` holds the register's summaries (lars, name, source_id); ``taken`` the lars codes other
    systems already hold. Matched by the entry's own ``lars``, then by source_id, then by folded name
    (only when exactly one free entry has that name).
    """
    free = [r for r in remote if r.get("lars") and r["lars"] not in taken]
    lars = body.get("lars")
    if lars:
        for r in free:
            if r["lars"] == lars:
                return r["lars"], f"zelfde LARS-code {lars}"
    for r in free:
        if r.get("source_id") and r["source_id"] == system_id:
            return r["lars"], f"bron-ID {system_id} staat al in het register"
    name = fold(body.get("name") or "")
    same = [r for r in free if name and fold(r.get("name") or "") == name]
    if len(same) == 1:
        return same[0]["lars"], f"zelfde naam '{same[0].get('name')}'"
    return None, ""


def plan_delivery(items: list[dict], state: dict[str, dict], remote: list[dict] | None) -> list[SystemPlan]:
    """Plan the API steps for every system.

    ``items``: dicts with system_id, state (one of :data:`PUBLICATION_STATES`), entry (standard 1.0
    dict, or None for a withdrawn entry). ``state``: :func:`fold_state`. ``remote``: the register's
    summaries of the organisation (``GET …/algorithms``) or None when unknown (dry run without a
    token): then adoption is decided from the state file alone.
    """
    remote = remote or []
    remote_by_lars = {r.get("lars"): r for r in remote if r.get("lars")}
    taken = {s["lars"] for s in state.values() if s.get("lars")}
    plans: list[SystemPlan] = []
    for item in sorted(items, key=lambda i: i["system_id"]):
        sid, pub = item["system_id"], item["state"]
        known = state.get(sid) or {}
        entry = item.get("entry") or {}
        body = payload(entry, sid) if entry else None
        digest = payload_hash(body) if body else None
        plan = SystemPlan(sid, (entry or {}).get("name") or item.get("name") or sid, pub, known.get("lars"),
                          known.get("origin"), body, digest)
        plans.append(plan)
        if pub == "gedepubliceerd":
            if not plan.lars:
                plan.note = "ongewijzigd"  # never delivered by aigrip: an entry it did not make stays untouched
            elif known.get("retracted"):
                plan.note = "al teruggetrokken"
            else:
                plan.steps.append(Step("retract", "gedepubliceerd in aigrip"))
            continue
        if body is None:
            plan.note = "geen registertekst"
            continue
        if not plan.lars:
            lars, why = match_remote(body | {"lars": entry.get("lars")}, sid, remote, taken)
            if lars:
                plan.lars, plan.origin = lars, "adopted"
                taken.add(lars)
                plan.steps.append(Step("update", f"bestaande registratie overgenomen ({why})"))
            else:
                plan.steps.append(Step("create", "nog niet in het register"))
        elif digest != known.get("hash"):
            plan.steps.append(Step("update", "registertekst gewijzigd sinds de vorige levering"))
        elif known.get("retracted") and pub != "gepubliceerd":
            plan.note = "teruggetrokken; wordt weer gepubliceerd na vrijgeven en publiceren"
        if pub == "gepubliceerd":
            summary = remote_by_lars.get(plan.lars) or {}
            unchanged = not any(s.action in ("create", "update") for s in plan.steps)
            if unchanged and known.get("released_hash") == digest and not known.get("retracted"):
                pass
            elif unchanged and summary.get("current_version_released") and not known.get("retracted"):
                pass
            else:
                plan.steps.append(Step("release", "gepubliceerd in aigrip"))
        if not plan.steps and not plan.note:
            plan.note = "ongewijzigd"
    return plans


def field_diff(sent: dict, held: dict | None) -> list[tuple[str, Any, Any]]:
    """(field, what the register holds, what we would send) for every field that differs."""
    held = held or {}
    out = []
    for key in SENT_KEYS:
        a, b = held.get(key), sent.get(key)
        if _norm(a) != _norm(b):
            out.append((key, a, b))
    return out


def _norm(value: Any) -> Any:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value
