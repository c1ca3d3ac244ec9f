"""Obligations per system: which legal duties apply, from when, and the deadline for this system.

The duties and their dates are data (``transforms/rules/obligations.yaml``; the AI-Act dates come
from ``ai_act.yaml``), so a date changed there moves every deadline on the next run;
:func:`deadline_moves` compares a run's obligations with the previous run's and lists what moved.
Every row carries the legal source, whether its date is confirmed, and a Dutch reason.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd
import yaml

from transforms.classify.rulebook import RULES_DIR, dutch_date
from transforms.labels import AI_ACT_CLASS_LABELS, ANNEX_III_AREA_LABELS

__all__ = [
    "OBLIGATION_COLUMNS", "MOVE_COLUMNS", "load_obligation_rules", "resolve_dates", "system_obligations",
    "deadline_moves", "obligation_status",
]

OBLIGATION_COLUMNS = [
    "system_id", "obligation_id", "duty", "legal_source", "applies_from", "deadline", "date_key", "date_value",
    "date_confirmed", "date_source", "reason", "requirement_id", "status", "status_reason",
]
MOVE_COLUMNS = ["moved_on", "system_id", "obligation_id", "duty", "old_deadline", "new_deadline", "date_key",
                "reason"]
_DEADLINE_KINDS = ("applies_from", "before_use", "high_risk", "none", "target")


def _as_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        ts = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()


@lru_cache(maxsize=1)
def load_obligation_rules() -> dict:
    """``obligations.yaml`` with its dates resolved against ``ai_act.yaml`` (cached)."""
    with open(RULES_DIR / "obligations.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    with open(RULES_DIR / "ai_act.yaml", encoding="utf-8") as fh:
        ai_dates = (yaml.safe_load(fh) or {}).get("dates") or {}
    return {"dates": resolve_dates(raw.get("dates") or {}, ai_dates), "duties": list(raw.get("duties") or [])}


def resolve_dates(dates: dict, ai_act_dates: dict) -> dict[str, dict]:
    """Date keys -> {date, confirmed, source}; ``ai_act: key`` entries read ``ai_act.yaml``'s dates."""
    out: dict[str, dict] = {}
    for key, spec in dates.items():
        if "ai_act" in spec:
            value = ai_act_dates.get(spec["ai_act"])
            if value is None:
                raise ValueError(f"obligations.yaml: date '{key}' refers to ai_act.yaml date '{spec['ai_act']}', which does not exist")
        else:
            value = spec.get("date")
        when = _as_date(value)
        if when is None:
            raise ValueError(f"obligations.yaml: date '{key}' has no valid date (YYYY-MM-DD)")
        out[key] = {"date": when, "confirmed": bool(spec.get("confirmed", False)), "source": str(spec.get("source") or "")}
    return out


def _applies(duty: dict, row: dict) -> bool:
    when = duty.get("when") or {}
    checks = []
    if "ai_act_class" in when:
        checks.append(row.get("ai_act_class") in when["ai_act_class"])
    if "dpia_required" in when:
        checks.append(bool(row.get("dpia_required")) == bool(when["dpia_required"]))
    if "iama_recommended" in when:
        checks.append(bool(row.get("iama_recommended")) == bool(when["iama_recommended"]))
    if "publication_category" in when:
        checks.append(row.get("publication_category") in when["publication_category"])
    if duty.get("unless_area") and str(row.get("ai_act_area") or "") in {str(a) for a in duty["unless_area"]}:
        return False
    return bool(checks) and all(checks)


def _why(duty: dict, row: dict) -> str:
    when = duty.get("when") or {}
    if "ai_act_class" in when:
        cls = row.get("ai_act_class")
        area = row.get("ai_act_area")
        where = f", bijlage III punt {area} ({ANNEX_III_AREA_LABELS.get(str(area), area)})" if area else ""
        return f"indeling volgens de AI-verordening: {AI_ACT_CLASS_LABELS.get(cls, cls)}{where}"
    if "dpia_required" in when:
        return str(row.get("dpia_reason") or "DPIA verplicht").rstrip(".")
    if "iama_recommended" in when:
        return str(row.get("iama_reason") or "IAMA aanbevolen").rstrip(".")
    return f"publicatiecategorie '{row.get('publication_category')}'"


def _deadline(duty: dict, row: dict, dates: dict) -> tuple[dt.date | None, str, str]:
    """(deadline, the date key that set it, readable explanation)."""
    kind = duty.get("deadline", "applies_from")
    if kind not in _DEADLINE_KINDS:
        raise ValueError(f"obligations.yaml: duty {duty['id']}: deadline '{kind}' is not one of {', '.join(_DEADLINE_KINDS)}")
    start_key = duty.get("applies_from")
    first_use = _as_date(row.get("first_seen"))
    if kind == "none":
        return None, start_key, "geen wettelijke termijn (beleid); plan het vóór ingebruikname of bij de eerstvolgende wijziging"
    start = dates[start_key]["date"]
    if kind == "applies_from":
        return start, start_key, f"geldt vanaf {dutch_date(start)}"
    if kind == "target":
        target_key = duty["target"]
        target = dates[target_key]["date"]
        return target, target_key, f"streefdatum {dutch_date(target)}"
    if kind == "before_use":
        if first_use and first_use > start:
            return first_use, start_key, f"vóór de verwerking; het systeem is in gebruik sinds ten minste {dutch_date(first_use)}"
        return start, start_key, f"vóór de verwerking; geldt sinds {dutch_date(start)}"
    legacy_key = duty["legacy"]
    legacy = dates[legacy_key]["date"]
    if first_use is not None and first_use < start:
        return legacy, legacy_key, (f"al in gebruik vóór {dutch_date(start)} (gezien sinds {dutch_date(first_use)}): "
                                    f"als overheidssysteem uiterlijk {dutch_date(legacy)} (art. 111 lid 2), tenzij het "
                                    "systeem daarvoor ingrijpend wijzigt")
    return start, start_key, f"geldt vanaf {dutch_date(start)} en vóór ingebruikname"


def system_obligations(systems: pd.DataFrame, classifications: pd.DataFrame, rules: dict | None = None) -> pd.DataFrame:
    """One row per system and applicable duty (columns OBLIGATION_COLUMNS; status filled by
    :func:`obligation_status`). ``systems`` needs system_id and first_seen; ``classifications`` the
    classify columns (ai_act_class, ai_act_area, dpia_required, iama_recommended, publication_category)."""
    rules = rules or load_obligation_rules()
    dates = rules["dates"]
    if systems is None or systems.empty:
        return pd.DataFrame(columns=OBLIGATION_COLUMNS)
    cls = classifications if classifications is not None else pd.DataFrame(columns=["system_id"])
    facts = systems[["system_id"] + [c for c in ("first_seen",) if c in systems.columns]].merge(
        cls, on="system_id", how="left")
    rows = []
    for row in facts.to_dict("records"):
        row = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in row.items()}
        for duty in rules["duties"]:
            if not _applies(duty, row):
                continue
            deadline, key, how = _deadline(duty, row, dates)
            spec = dates.get(key) if key else None
            sure = "" if spec is None or spec["confirmed"] or deadline is None else \
                f" De datum {dutch_date(spec['date'])} is nog niet bevestigd ({spec['source']})."
            rows.append({
                "system_id": row["system_id"], "obligation_id": duty["id"], "duty": duty["duty"],
                "legal_source": duty["source"],
                "applies_from": dates[duty["applies_from"]]["date"] if duty.get("applies_from") else None,
                "deadline": deadline, "date_key": key, "date_value": spec["date"] if spec else None,
                "date_confirmed": spec["confirmed"] if spec else True, "date_source": spec["source"] if spec else None,
                "requirement_id": duty.get("requirement"),
                "reason": f"Geldt omdat: {_why(duty, row)}; termijn: {how}.{sure}",
                "status": None, "status_reason": None,
            })
    out = pd.DataFrame(rows, columns=OBLIGATION_COLUMNS)
    for col in ("applies_from", "deadline", "date_value"):
        out[col] = pd.to_datetime(out[col]).dt.date.astype(object).where(out[col].notna(), None)
    return out


def obligation_status(obligations: pd.DataFrame, requirement_status: pd.DataFrame | None,
                      assessments: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """Fill status (gedaan / open / te laat) from the assessments (DPIA, IAMA, FRIA) and the
    Algoritmekader requirement statuses, with a reason."""
    out = obligations.copy()
    if out.empty:
        return out
    done = pd.Series(None, index=out.index, dtype=object)
    if assessments is not None and len(assessments):
        kinds = {"DPIA": "AVG-35", "IAMA": "IAMA", "FRIA": "AIA-27"}
        a = assessments[assessments["status"] == "afgerond"].copy()
        if len(a):
            a["obligation_id"] = a["assessment"].map(kinds)
            a["_why"] = [f"{k} afgerond" + (f" op {dutch_date(d)}" if d else "")
                         for k, d in zip(a["assessment"], a["assessment_date"].map(_as_date), strict=True)]
            m = out[["system_id", "obligation_id"]].merge(a[["system_id", "obligation_id", "_why"]],
                                                          on=["system_id", "obligation_id"], how="left")
            done = done.where(done.notna(), pd.Series(m["_why"].to_numpy(), index=out.index))
    if requirement_status is not None and len(requirement_status):
        r = requirement_status.loc[requirement_status["status"] == "gedaan", ["system_id", "slug"]].drop_duplicates()
        if len(r):
            r = r.assign(_why="vereiste " + r["slug"] + " staat op 'gedaan'").rename(columns={"slug": "requirement_id"})
            m = out[["system_id", "requirement_id"]].merge(r, on=["system_id", "requirement_id"], how="left")
            done = done.where(done.notna(), pd.Series(m["_why"].to_numpy(), index=out.index))
    deadline = out["deadline"].map(_as_date)
    late = deadline.map(lambda d: d is not None and d < as_of) & done.isna()
    text_deadline = deadline.map(lambda d: dutch_date(d) if d else "")
    out["status"] = "open"
    out.loc[late, "status"] = "te laat"
    out.loc[done.notna(), "status"] = "gedaan"
    out["status_reason"] = ("Nog niet als gedaan vastgelegd" + text_deadline.map(lambda t: f"; termijn {t}." if t else "."))
    out.loc[late, "status_reason"] = "Termijn verstreken op " + text_deadline[late] + " en nog niet als gedaan vastgelegd."
    out.loc[done.notna(), "status_reason"] = done[done.notna()].map(lambda t: t[0].upper() + t[1:] + ".")
    return out


def deadline_moves(previous: pd.DataFrame | None, current: pd.DataFrame, moved_on: dt.date) -> pd.DataFrame:
    """Deadlines that differ from the previous run's, with why (a changed date in the rules, or
    changed facts of the system)."""
    if previous is None or previous.empty or current.empty:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    keep = ["system_id", "obligation_id", "deadline", "date_key", "date_value"]
    j = current[keep + ["duty"]].merge(previous[keep], on=["system_id", "obligation_id"], suffixes=("", "_old"))
    old = j["deadline_old"].map(_as_date)
    new = j["deadline"].map(_as_date)
    moved = j[(old != new) & ~(old.isna() & new.isna())].copy()
    rows = []
    for r in moved.itertuples(index=False):
        o, n = _as_date(r.deadline_old), _as_date(r.deadline)
        ov, nv = _as_date(r.date_value_old), _as_date(r.date_value)
        if r.date_key == r.date_key_old and ov != nv and ov and nv:
            why = f"datum '{r.date_key}' in de regels gewijzigd van {dutch_date(ov)} naar {dutch_date(nv)}"
        elif r.date_key != r.date_key_old:
            why = f"andere termijnregel: '{r.date_key_old}' werd '{r.date_key}' (gegevens van het systeem gewijzigd)"
        else:
            why = "gegevens van het systeem gewijzigd (bijv. datum eerste gebruik)"
        rows.append({"moved_on": moved_on, "system_id": r.system_id, "obligation_id": r.obligation_id, "duty": r.duty,
                     "old_deadline": o, "new_deadline": n, "date_key": r.date_key,
                     "reason": f"Termijn verschoven van {dutch_date(o) if o else 'geen'} naar "
                               f"{dutch_date(n) if n else 'geen'}: {why}."})
    return pd.DataFrame(rows, columns=MOVE_COLUMNS)
