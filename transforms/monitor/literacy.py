"""AI literacy (AI Act Art. 4): coverage per department and role, who still lacks it, and the trend.

Pure pandas. The numerator is people (pseudonyms) in the training register who completed an
AI-literacy course on or before the reference date; the denominator is the headcount that must
be trained (a ``headcount`` source, or ``literacy.headcount`` in the config). Departments that own
AI systems are always listed, also when nothing is known about them, so a gap is visible. A share
of nothing is never shown as 100%.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transforms.classify.rulebook import compile_patterns
from transforms.monitor.dutch import share
from transforms.text import fold_series

__all__ = ["LiteracyFigures", "DEFAULT_COURSES", "literacy_figures", "department_key", "headcount_from_config"]

DEFAULT_COURSES = ("ai-geletterdheid", "ai geletterdheid", "ai-basis", "ai literacy", "ai-literacy",
                   "kunstmatige intelligentie", "algoritme", "verantwoord ai", "ai")
_PREFIX = re.compile(r"^(afdeling|team|cluster|sector|directie)\s+")


def _per_distinct(values: pd.Series, fn) -> pd.Series:
    """``fn`` applied to each distinct value once (staff lists repeat a few departments and roles)."""
    codes, uniques = pd.factorize(values.astype(object))
    done = fn(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    out = np.where(codes >= 0, done[np.maximum(codes, 0)] if len(done) else "", "")
    return pd.Series(out, index=values.index, dtype=object)


def department_key(values: pd.Series) -> pd.Series:
    """'Afdeling Burgerzaken ' → 'burgerzaken' (how departments are matched across sources)."""
    return _per_distinct(values, lambda u: fold_series(u).str.replace(_PREFIX, "", regex=True))


def headcount_from_config(headcount: dict[str, int]) -> pd.DataFrame:
    """``literacy.headcount: {Burgerzaken: 40}`` as headcount rows (whole departments, all must train)."""
    return pd.DataFrame({"department": list(headcount), "role": [None] * len(headcount),
                         "headcount": [int(v) for v in headcount.values()], "must_train": [True] * len(headcount)})


@dataclass
class LiteracyFigures:
    """Everything the report, the checklist and the kpis need about AI literacy."""

    records: int = 0
    people: int = 0
    required: int = 0
    trained: int = 0
    departments: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    lacking: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def coverage_pct(self) -> float | None:
        return share(min(self.trained, self.required), self.required)

    def kpis(self) -> dict[str, float]:
        out = {"literacy_records": float(self.records), "literacy_people": float(self.people),
               "literacy_required": float(self.required), "literacy_trained": float(self.trained),
               "literacy_ai_departments_without_data": float(sum(1 for d in self.departments
                                                                   if d["has_ai_systems"] and d["pct"] is None))}
        if self.coverage_pct is not None:
            out["literacy_coverage_pct"] = round(self.coverage_pct, 1)
        return out


def _people(training: pd.DataFrame, courses: list[str], as_of: dt.date) -> pd.DataFrame:
    """One row per person: latest department and role, and the date of their first AI-course completion."""
    if training.empty:
        return pd.DataFrame(columns=["person_key", "department", "role", "dept_key", "role_key", "trained_on", "trained"])
    t = training.copy()
    pattern = compile_patterns(list(courses))
    seen = t["course"].dropna().unique()  # match each distinct course name once
    ai_courses = [c for c, f in zip(seen, fold_series(pd.Series(seen, dtype=object))) if pattern.search(f)]
    t["ai_course"] = t["course"].isin(ai_courses)
    done_on = pd.to_datetime(t["completed_on"], errors="coerce")
    in_time = done_on.isna() | (done_on <= pd.Timestamp(as_of))
    t["ai_done"] = t["ai_course"] & t["completed"].fillna(False).astype(bool) & in_time
    t["done_on"] = done_on.where(t["ai_done"])
    t = t.sort_values("completed_on", na_position="first", key=lambda s: pd.to_datetime(s, errors="coerce"))
    last = t.groupby("person_key", sort=False).agg(department=("department", "last"), role=("role", "last"),
                                                   trained=("ai_done", "any"), trained_on=("done_on", "min"))
    last = last.reset_index()
    last["dept_key"] = department_key(last["department"])
    last["role_key"] = _per_distinct(last["role"], fold_series)
    return last


def _role_match(role_keys: pd.Series, wanted: list[str]) -> pd.Series:
    """Which (folded) roles match one of ``wanted``; each distinct role is matched once."""
    if not wanted:
        return pd.Series(False, index=role_keys.index)
    pattern = compile_patterns(list(fold_series(pd.Series(list(wanted), dtype=object))))
    hits = [r for r in role_keys.dropna().unique() if r and pattern.search(r)]
    return role_keys.isin(hits)


def literacy_figures(training: pd.DataFrame, headcount: pd.DataFrame, ai_departments: list[str], *,
                     as_of: dt.date, courses: list[str] | tuple[str, ...] = DEFAULT_COURSES,
                     required_roles: list[str] | tuple[str, ...] = (), months: int = 12) -> LiteracyFigures:
    """Coverage per department and role, who still lacks it, and the monthly trend up to ``as_of``."""
    fig = LiteracyFigures(records=len(training))
    people = _people(training, list(courses), as_of)
    fig.people = len(people)
    hc = headcount[headcount["must_train"].fillna(True).astype(bool)].copy() if len(headcount) else headcount
    if len(hc):
        hc["dept_key"] = department_key(hc["department"])
        hc["role_key"] = _per_distinct(hc["role"], fold_series)
    ai_keys = dict(zip(department_key(pd.Series(list(ai_departments), dtype=object)), ai_departments))
    counted = pd.Series(False, index=people.index)
    depts: dict[str, dict] = {}
    for key, rows in (hc.groupby("dept_key", sort=True) if len(hc) else []):
        roles = [r for r in rows["role_key"] if r]
        in_dept = people["dept_key"] == key
        members = in_dept.copy()
        if roles and not rows["role_key"].eq("").any():  # only the roles named for this department
            members[in_dept] = _role_match(people.loc[in_dept, "role_key"], roles)
        counted |= members
        trained = int((members & people["trained"]).sum())
        required = int(rows["headcount"].sum())
        depts[key] = {"department": rows["department"].iloc[0], "required": required, "trained": trained,
                      "pct": share(min(trained, required), required), "over": trained > required,
                      "roles": ", ".join(sorted({str(r) for r in rows["role"].dropna()})) or "alle medewerkers"}
    for key, name in ai_keys.items():
        if key not in depts:
            in_dept = people["dept_key"] == key
            depts[key] = {"department": name, "required": None, "trained": int((in_dept & people["trained"]).sum()),
                          "pct": None, "over": False, "roles": "geen aantal medewerkers bekend"}
    for key, d in depts.items():
        d["has_ai_systems"] = key in ai_keys
    fig.departments = sorted(depts.values(), key=lambda d: (d["pct"] is not None, d["pct"] or 0, d["department"]))
    fig.required = int(sum(d["required"] or 0 for d in depts.values()))
    fig.trained = int(sum(d["trained"] for d in depts.values() if d["required"] is not None))
    must = _role_match(people["role_key"], list(required_roles)) | counted
    if not required_roles and not len(hc):
        must = people["dept_key"].isin(ai_keys)
    fig.roles = _roles(people, list(required_roles))
    lack = people[must & ~people["trained"]].sort_values(["role_key", "dept_key", "person_key"])
    fig.lacking = [{"role": r.role or "functie onbekend", "department": r.department or "afdeling onbekend",
                    "person": str(r.person_key)[:10]} for r in lack.itertuples()]
    fig.trend = _trend(people[counted], fig.required, as_of, months)
    if not len(training):
        fig.notes.append("Er is nog geen trainingsregister (LMS-export) gekoppeld.")
    if not len(hc):
        fig.notes.append("Het aantal medewerkers dat getraind moet worden is niet bekend: voeg een bron 'headcount' toe "
                         "of vul 'literacy.headcount' in aigrip.yaml.")
    if any(d["over"] for d in depts.values()):
        fig.notes.append("Bij sommige afdelingen hebben meer mensen de training afgerond dan het opgegeven aantal "
                         "medewerkers: controleer de formatie.")
    return fig


def _roles(people: pd.DataFrame, required_roles: list[str]) -> list[dict]:
    if people.empty:
        return []
    required = _role_match(people["role_key"], required_roles)
    out = []
    for role, rows in people.assign(_req=required).groupby(people["role"].fillna("functie onbekend"), sort=True):
        trained = int(rows["trained"].sum())
        out.append({"role": role, "people": len(rows), "trained": trained, "pct": share(trained, len(rows)),
                    "required": bool(rows["_req"].any())})
    return sorted(out, key=lambda r: (not r["required"], r["pct"] or 0, r["role"]))


def _trend(people: pd.DataFrame, required: int, as_of: dt.date, months: int) -> list[dict]:
    """Trained people at each month end (by completion date), against today's denominator."""
    ends = pd.date_range(end=pd.Timestamp(as_of), periods=months, freq="ME")
    if len(ends) and ends[-1].date() != as_of:
        ends = ends[1:].append(pd.DatetimeIndex([pd.Timestamp(as_of)]))
    done = pd.to_datetime(people["trained_on"], errors="coerce")
    out = []
    for end in ends:
        n = int(((done <= end) & people["trained"]).sum())
        out.append({"period": end.strftime("%Y-%m"), "trained": n, "pct": share(min(n, required), required)})
    return out
