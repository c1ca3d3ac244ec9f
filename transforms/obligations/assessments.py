"""DPIA, IAMA and FRIA as a workflow: per system and kind whether it is required (and why), its
status, date and link, and flags for "required and not done" and "older than 3 years or the system
changed since".

Status comes, latest wins, from: the DPIA register (DPIA only, matched at classification), the
older free-text fields ``dpia_status`` / ``iama_status`` of an edit, and ``assessment`` decisions.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from transforms.classify.rulebook import dutch_date
from transforms.obligations.decisions import as_date as _date
from transforms.obligations.decisions import latest_per_key

__all__ = ["ASSESSMENT_COLUMNS", "normalise_status", "system_assessments"]

ASSESSMENT_COLUMNS = [
    "system_id", "assessment", "required", "required_reason", "status", "status_source", "assessment_date", "link",
    "flag_missing", "flag_outdated", "flags",
]
_WORDS = [
    ("niet nodig", ("niet nodig", "niet vereist", "niet van toepassing", "n.v.t", "nvt", "geen dpia nodig")),
    ("afgerond", ("afgerond", "gereed", "klaar", "vastgesteld", "uitgevoerd", "goedgekeurd", "done", "voltooid")),
    ("bezig", ("in uitvoering", "bezig", "loopt", "concept", "in behandeling", "lopend", "in progress")),
    ("gepland", ("gepland", "ingepland", "planned", "aangevraagd")),
    ("niet gestart", ("niet gestart", "nog niet", "open", "ontbreekt")),
]


def normalise_status(text: object) -> str | None:
    """A DPIA register or free-text status as one of the assessment statuses, or None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    t = str(text).strip().lower()
    if not t:
        return None
    for status, words in _WORDS:
        if any(w in t for w in words):
            return status
    return None


def _required(kind: str, c: dict) -> tuple[bool, str]:
    if kind == "DPIA":
        return bool(c.get("dpia_required")), str(c.get("dpia_reason") or "Geen classificatie.")
    if kind == "IAMA":
        return bool(c.get("iama_recommended")), str(c.get("iama_reason") or "Geen classificatie.")
    if c.get("ai_act_class") == "high_risk" and str(c.get("ai_act_area") or "") != "2":
        return True, ("FRIA verplicht: hoog-risico AI-systeem (bijlage III punt " + str(c.get("ai_act_area") or "?")
                      + ") ingezet door een overheidsorgaan (AI-verordening art. 27).")
    if c.get("ai_act_class") == "high_risk":
        return False, "Geen FRIA-plicht: kritieke infrastructuur (bijlage III punt 2) is uitgezonderd (art. 27 lid 1)."
    return False, "Geen FRIA-plicht: geen hoog-risico AI-systeem (AI-verordening art. 27)."


def system_assessments(systems: pd.DataFrame, classifications: pd.DataFrame, events: pd.DataFrame | None,
                       changes: pd.DataFrame | None, as_of: dt.date, max_age_years: int = 3) -> pd.DataFrame:
    """One row per system and kind (DPIA, IAMA, FRIA). ``changes``: DataFrame[system_id, changed_at,
    change] — the latest change of each system (an edit, merge or split decision) for the
    "changed since" flag."""
    if systems is None or systems.empty:
        return pd.DataFrame(columns=ASSESSMENT_COLUMNS)
    facts = systems[[c for c in ("system_id", "fields_json") if c in systems.columns]].merge(
        classifications, on="system_id", how="left")
    state = latest_per_key(events, "assessment", "assessment") if events is not None and len(events) else pd.DataFrame()
    decided = {(r["system_id"], r["key"].upper()): r for r in state.to_dict("records")} if len(state) else {}
    changed = {}
    if changes is not None and len(changes):
        for r in changes.itertuples(index=False):
            changed[r.system_id] = (_date(r.changed_at), r.change)
    limit = as_of.replace(year=as_of.year - max_age_years) if not (as_of.month == 2 and as_of.day == 29) \
        else as_of.replace(year=as_of.year - max_age_years, day=28)
    rows = []
    for c in facts.to_dict("records"):
        c = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in c.items()}
        edits = json.loads(c["fields_json"]) if c.get("fields_json") else {}
        for kind in ("DPIA", "IAMA", "FRIA"):
            required, why = _required(kind, c)
            status, source, when, link = None, None, None, None
            if kind == "DPIA" and c.get("dpia_status"):
                status = normalise_status(c["dpia_status"])
                source = f"DPIA-register ('{c['dpia_status']}'" + (f", koppeling {c['dpia_match']}" if c.get("dpia_match") else "") + ")"
                when, link = _date(c.get("dpia_date")), c.get("dpia_link")
            free = edits.get(f"{kind.lower()}_status")
            if free:
                status, source = normalise_status(free), f"bewerking van het systeem ('{free}')"
            d = decided.get((c["system_id"], kind))
            if d:
                status = d.get("status") or status
                when = _date(d.get("date")) or when
                link = d.get("link") or link
                source = f"besluit van {d.get('_reviewer')} op {dutch_date(_date(d.get('_at')))}"
            status = status or "niet gestart"
            flags = []
            missing = required and status not in ("afgerond",)
            if missing:
                flags.append(f"{kind} {'aanbevolen' if kind == 'IAMA' else 'vereist'} maar niet afgerond (status '{status}')")
            outdated = False
            if status == "afgerond":
                if when and when < limit:
                    outdated = True
                    flags.append(f"{kind} van {dutch_date(when)} is ouder dan {max_age_years} jaar: herzien")
                ch = changed.get(c["system_id"])
                if when and ch and ch[0] and ch[0] > when:
                    outdated = True
                    flags.append(f"systeem gewijzigd sinds de {kind} ({ch[1]} op {dutch_date(ch[0])}): herzien")
                if not when:
                    flags.append(f"{kind} afgerond maar zonder datum: vul de datum in")
            rows.append({"system_id": c["system_id"], "assessment": kind, "required": required, "required_reason": why,
                         "status": status, "status_source": source or "nog niets vastgelegd", "assessment_date": when,
                         "link": link, "flag_missing": bool(missing), "flag_outdated": outdated,
                         "flags": "; ".join(flags) or None})
    return pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)
