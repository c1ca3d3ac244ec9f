"""The register editor's side of reviewing: drafts, field edits, templates and the publication step.

Used by the web app and the CLI alike. Everything reads the published snapshot plus the decisions
logged since (pending), so an editor sees and releases the entry as it will be after the next run,
and writes only to the decision log:

* :func:`draft` — the entry of a system as it stands (snapshot + pending edits), its version hash,
  its problems against standard 1.0, its publication state and the templates that match it;
* :func:`edit_decision` — typed values (form, ``--field KEY=VALUE``, a workbook cell) checked and
  saved as one ``edit`` decision;
* :func:`template_decision` — fill the empty fields from a supplier template (an ``edit`` decision);
* :func:`step_decision` — ``release`` (an editor; only a valid entry), ``publish`` (an approver who
  did not release this version) and ``withdraw`` (with a reason).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from review.queue import ReviewError, pending_decisions, resolve_system_id
from transforms.publish.fields import (
    EDITOR_FIELDS,
    FieldValueError,
    check_value,
    is_empty,
    parse_value,
    standard_key,
    stored_key,
)
from transforms.publish.register import to_national_entry, validate_entry
from transforms.publish.states import entry_hash
from transforms.publish.templates import fill_from_template, match_templates, template_by_id
from warehouse import snapshot_connect
from warehouse.db import table_exists
from warehouse.decision_log import append_decision, log_path

__all__ = ["ROLES", "draft", "edit_decision", "parse_edits", "template_decision", "step_decision", "roles_of",
           "step_blockers", "publication_state"]

ROLES = ("editor", "approver")
_OVERRIDES = ("name", "vendor", "department", "description")  # as transforms/reconcile/build.py applies them
_DRAFT_FIELDS = ("name", "description_short", "provider", "contact_email", "publication_category", "status")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def publication_state(con: duckdb.DuckDBPyConnection, system_id: str) -> dict | None:
    """The register state of one system in the snapshot (None before the first run with the step)."""
    if not table_exists(con, "register_states"):
        return None
    rows = _rows(con, "SELECT state, version, note, withdrawn_reason FROM register_states WHERE system_id = ?", [system_id])
    return rows[0] if rows else None


def roles_of(reviewers: list[dict], username: str) -> set[str] | None:
    """The roles of a configured reviewer; None when the username is not configured."""
    for r in reviewers:
        if r.get("username") == username:
            return set(r.get("roles") or [])
    return None


def _pending_for(con, data_dir, system_id: str) -> list[dict]:
    return [e for e in pending_decisions(con, data_dir) if e.get("system_id") == system_id]


def draft(data_dir: str | os.PathLike, system_id: str, org: dict) -> dict:
    """The entry of a system as it will be after the next run, with everything the editor page needs."""
    with snapshot_connect(data_dir) as con:
        current = resolve_system_id(con, system_id)
        system = _rows(con, "SELECT * FROM systems WHERE system_id = ?", [current])[0]
        cls_rows = _rows(con, "SELECT * FROM classifications WHERE system_id = ?", [current])
        state = _rows(con, "SELECT * FROM register_states WHERE system_id = ?", [current]) \
            if table_exists(con, "register_states") else []
        pending = _pending_for(con, data_dir, current)
    fields = json.loads(system.get("fields_json") or "{}") or {}
    status = system.get("status")
    for event in pending:
        if event["action"] in ("edit", "confirm") and event.get("fields"):
            fields.update({k: v for k, v in event["fields"].items() if k not in ("kind",)})
        if event["action"] in ("confirm", "reject", "retire"):
            status = {"confirm": "confirmed", "reject": "rejected", "retire": "retired"}[event["action"]]
    for col in _OVERRIDES:
        if fields.get(col):
            system[col] = fields[col]
    system["fields_json"] = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    entry = to_national_entry(system, cls_rows[0] if cls_rows else {}, org)
    template = template_by_id(fields["template_id"]) if fields.get("template_id") else None
    shown = dict(fields)
    for key in _DRAFT_FIELDS:  # what the sources already give counts as filled
        if is_empty(shown.get(stored_key(key))) and not is_empty(entry.get(key)):
            shown.setdefault(stored_key(key), None)
    return {
        "system_id": current, "system": system, "status": status, "fields": fields, "entry": entry,
        "hash": entry_hash(entry), "problems": validate_entry(entry),
        "state": state[0] if state else None, "pending": pending, "template": template,
        "templates": match_templates(system), "filled_by_sources": {k: entry.get(k) for k in _DRAFT_FIELDS},
    }


def parse_edits(raw: dict[str, object]) -> tuple[dict, list[str]]:
    """Typed values by standard key (or stored key) -> (stored fields, Dutch problems)."""
    fields, problems = {}, []
    for key, value in raw.items():
        std = standard_key(key)
        if std not in EDITOR_FIELDS:
            problems.append(f"'{key}' is geen bewerkbaar veld van de publicatiestandaard 1.0; "
                            f"kies uit {', '.join(EDITOR_FIELDS)}")
            continue
        try:
            parsed = parse_value(std, value)
        except FieldValueError as exc:
            problems.append(str(exc))
            continue
        problems += [p for p in check_value(std, parsed) if not is_empty(parsed)]
        fields[stored_key(std)] = parsed
    return fields, problems


def edit_decision(data_dir: str | os.PathLike, system_id: str, reviewer: str, raw: dict[str, object],
                  reason: str | None = None, event_id: str | None = None) -> dict:
    """Check typed register values and save them as one ``edit`` decision (changed fields only)."""
    fields, problems = parse_edits(raw)
    if problems:
        raise ReviewError("; ".join(problems))
    with snapshot_connect(data_dir) as con:
        current = resolve_system_id(con, system_id)
    before = draft(data_dir, current, {"name": "", "contact_email": ""})["fields"]
    changed = {k: v for k, v in fields.items() if before.get(k) != v and not (is_empty(v) and is_empty(before.get(k)))}
    if not changed:
        raise ReviewError("niets gewijzigd: de velden hebben deze waarden al")
    return append_decision(log_path(Path(data_dir)), {
        "event_id": event_id, "reviewer": reviewer, "action": "edit", "system_id": current,
        "fields": changed, "reason": reason})


def template_decision(data_dir: str | os.PathLike, system_id: str, reviewer: str, template_id: str, org: dict,
                      event_id: str | None = None) -> dict:
    """Fill the system's empty fields from a supplier template (one ``edit`` decision)."""
    template = template_by_id(template_id)
    if template is None:
        raise ReviewError(f"sjabloon '{template_id}' bestaat niet")
    d = draft(data_dir, system_id, org)
    current = dict(d["fields"])
    for key, value in d["filled_by_sources"].items():
        if not is_empty(value) and key not in ("description_short",):  # invoice text is no description
            current.setdefault(stored_key(key), value)
            if is_empty(current[stored_key(key)]):
                current[stored_key(key)] = value
    fill = fill_from_template(template, current)
    if not fill:
        raise ReviewError("alle velden die dit sjabloon vult, zijn al ingevuld")
    reason = f"Sjabloon van {template['supplier']}: '{template['name']}'"
    return append_decision(log_path(Path(data_dir)), {
        "event_id": event_id, "reviewer": reviewer, "action": "edit", "system_id": d["system_id"],
        "fields": fill, "reason": reason})


def step_decision(data_dir: str | os.PathLike, system_id: str, action: str, reviewer: str, reviewers: list[dict],
                  org: dict, reason: str | None = None, event_id: str | None = None) -> dict:
    """Release, publish or withdraw a register entry, after checking the reviewer's role and the entry."""
    if action not in ("release", "publish", "withdraw"):
        raise ReviewError(f"onbekende publicatiestap '{action}'")
    roles = roles_of(reviewers, reviewer)
    if roles is None:
        raise ReviewError(f"'{reviewer}' is geen beoordelaar in aigrip.yaml; voeg hem toe onder reviewers:")
    d = draft(data_dir, system_id, org)
    state = d["state"] or {}
    last = _last_step(d["pending"])
    released_hash = last["hash"] if last and last["action"] == "release" else state.get("released_hash")
    released_by = last["reviewer"] if last and last["action"] == "release" else state.get("released_by")
    if action == "release":
        if "editor" not in roles:
            raise ReviewError(f"{reviewer} heeft de rol redacteur (editor) niet; alleen een redacteur geeft vrij")
        if d["status"] != "confirmed":
            raise ReviewError("alleen een bevestigd systeem kan worden vrijgegeven; bevestig het eerst")
        if d["problems"]:
            raise ReviewError("de registertekst voldoet nog niet aan de publicatiestandaard: " + "; ".join(d["problems"]))
        if released_hash == d["hash"]:
            raise ReviewError("deze versie is al vrijgegeven; een goedkeurder kan haar publiceren")
        if state.get("published_hash") == d["hash"] and state.get("state") == "gepubliceerd":
            raise ReviewError("deze versie is al gepubliceerd")
        fields = {"entry_hash": d["hash"]}
    elif action == "publish":
        if "approver" not in roles:
            raise ReviewError(f"{reviewer} heeft de rol goedkeurder (approver) niet; alleen een goedkeurder publiceert")
        if released_hash != d["hash"]:
            raise ReviewError("er is geen vrijgegeven versie van deze tekst; een redacteur moet haar eerst vrijgeven")
        if released_by == reviewer:
            raise ReviewError("u hebt deze versie zelf vrijgegeven; een andere goedkeurder moet haar publiceren")
        fields = {"entry_hash": d["hash"]}
    else:
        if not roles & {"editor", "approver"}:
            raise ReviewError(f"{reviewer} heeft geen rol redacteur of goedkeurder; depubliceren mag niet")
        if not reason or not reason.strip():
            raise ReviewError("geef een reden: die staat in het register bij het depubliceren")
        if not state.get("published_hash") and not released_hash:
            raise ReviewError("deze registertekst is niet gepubliceerd of vrijgegeven")
        fields = None
    return append_decision(log_path(Path(data_dir)), {
        "event_id": event_id, "reviewer": reviewer, "action": action, "system_id": d["system_id"],
        "fields": fields, "reason": reason})


def step_blockers(d: dict, username: str, roles: set[str]) -> dict[str, str | None]:
    """Why release / publish cannot be done now by this reviewer (None when it can), for the buttons."""
    state = d["state"] or {}
    last = _last_step(d["pending"])
    if last and last["action"] == "release":
        released_hash, released_by = last["hash"], last["reviewer"]
    elif last and last["action"] in ("publish", "withdraw"):
        released_hash, released_by = None, None
    else:
        released_hash = state.get("released_hash") if state.get("state") == "vrijgegeven" else None
        released_by = state.get("released_by")
    published_now = state.get("state") == "gepubliceerd" and state.get("published_hash") == d["hash"] and not last
    release = ("Alleen een redacteur geeft vrij." if "editor" not in roles
               else "Bevestig het systeem eerst." if d["status"] != "confirmed"
               else "Los eerst de punten hierboven op." if d["problems"]
               else "Deze versie is gepubliceerd." if published_now
               else "Deze versie is vrijgegeven; een goedkeurder kan haar publiceren." if released_hash == d["hash"]
               else None)
    publish = ("Alleen een goedkeurder publiceert, en niet degene die vrijgaf." if "approver" not in roles
               else "Deze versie is gepubliceerd." if published_now
               else "Er is geen vrijgegeven versie; een redacteur geeft eerst vrij." if released_hash != d["hash"]
               else "U gaf deze versie zelf vrij; een andere goedkeurder publiceert." if released_by == username
               else None)
    return {"release": release, "publish": publish}


def _last_step(pending: list[dict]) -> dict | None:
    """The latest pending release/publish/withdraw ({action, hash, reviewer}), for checks before a run."""
    for e in reversed(pending):
        if e["action"] in ("release", "publish", "withdraw"):
            return {"action": e["action"], "hash": (e.get("fields") or {}).get("entry_hash"), "reviewer": e["reviewer"]}
    return None
