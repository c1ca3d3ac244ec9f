"""The AI-literacy files of a generated municipality: an LMS export and the headcount to train.

``trainingen_lms.xlsx`` is what a learning platform exports (sheet ``Export``): personeelsnummer,
name, e-mail, department, job title, course, status, completion date — names and e-mails are
fictional and must never reach the warehouse or any output. Completions ramp up after the AI Act's
literacy duty (2 February 2025). Two rows are deliberately bad (an impossible date; no person).
``formatie_ai_geletterdheid.csv`` lists per department the staff and the roles that must be trained.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from bench.synth.model import AISystem, derive_rng, save_workbook

__all__ = ["write_training", "LMS_HEADER", "HEADCOUNT_HEADER", "STAFF_SURNAMES_LMS", "AI_COURSE", "MUST_TRAIN_ROLES"]

LMS_HEADER = ["Personeelsnummer", "Naam medewerker", "E-mailadres", "Afdeling", "Functie", "Cursus", "Status",
              "Afgerond op"]
HEADCOUNT_HEADER = ["Afdeling", "Functie", "Aantal medewerkers", "Moet getraind"]
#: Surnames used only for staff in the LMS export (distinct from survey respondents and app managers).
STAFF_SURNAMES_LMS = ("Bosman", "Kuipers", "Mulder", "Verbeek", "Prins", "Dijkstra", "Hendriks", "Smit", "Visser",
                      "Jonker", "Koster", "Meijer", "Postma", "Schouten", "Timmer", "Wolters")
_FIRST_LMS = ("Annelies", "Bas", "Corine", "Dirk", "Esther", "Frank", "Gerda", "Hugo", "Iris", "Jan", "Kim", "Leon",
              "Marieke", "Nadia", "Otto", "Priya", "Rik", "Sanne", "Tim", "Wendy")
AI_COURSE = "AI-geletterdheid: basis (e-learning)"
_OTHER_COURSES = ("Privacy en AVG: basis", "Informatiebeveiliging bewust", "Integriteit in de praktijk")
MUST_TRAIN_ROLES = ("Eigenaar AI-systeem", "Gebruiker AI-systeem", "Beoordelaar algoritmes")
_START, _END = dt.date(2025, 2, 3), dt.date(2026, 11, 27)


def _date(rng, lo: dt.date = _START, hi: dt.date = _END) -> dt.datetime:
    """A completion date, more of them later (adoption ramps up)."""
    u = float(rng.random()) ** 0.6
    day = lo + dt.timedelta(days=int(u * (hi - lo).days))
    return dt.datetime(day.year, day.month, day.day)


def write_training(lms_path: Path, headcount_path: Path, systems: list[AISystem], departments: tuple[str, ...],
                   domain: str, *, seed: int, scale: float) -> dict[str, int]:
    """Write both files; return their row counts."""
    rng = derive_rng(seed, "training")
    ai_depts = sorted({s.department for s in systems if s.is_ai})
    people: list[tuple[str, str, str]] = []  # (department, role, chance of having done the AI course)
    headcount: list[list[object]] = []
    for dept in departments:
        staff = max(6, round(int(rng.integers(15, 70)) * max(scale, 0.2)))
        headcount.append([dept, "", staff, "nee"])
        roles: list[tuple[str, int, float]] = []
        if dept in ai_depts:
            roles += [("Eigenaar AI-systeem", int(rng.integers(1, 3)), 0.85),
                      ("Gebruiker AI-systeem", max(2, round(int(rng.integers(4, 16)) * max(scale, 0.2))), 0.6)]
        if dept == "Informatievoorziening":
            roles.append(("Beoordelaar algoritmes", 3, 1.0))
        for role, n, chance in roles:
            never_enrolled = int(rng.integers(0, 3))
            headcount.append([dept, role, n + never_enrolled, "ja"])
            people += [(dept, role, chance)] * n
        people += [(dept, "Medewerker", 0.1)] * round(staff * 0.4)
    rows: list[list[object]] = []
    for i, (dept, role, chance) in enumerate(people):
        first = _FIRST_LMS[int(rng.integers(0, len(_FIRST_LMS)))]
        last = STAFF_SURNAMES_LMS[int(rng.integers(0, len(STAFF_SURNAMES_LMS)))]
        who = [f"P{104000 + i * 7}", f"{first} {last}", f"{first}.{last}@{domain}".lower(), dept, role]
        for course in _OTHER_COURSES[: int(rng.integers(1, 3))]:
            rows.append(who + [course, "Afgerond", _date(rng, dt.date(2023, 1, 9))])
        roll = float(rng.random())
        if roll < chance:
            rows.append(who + [AI_COURSE, "Afgerond", _date(rng)])
        elif role != "Medewerker" and roll < chance + (1 - chance) / 2:
            rows.append(who + [AI_COURSE, "Gestart", None])
    order = rng.permutation(len(rows))
    rows = [rows[int(i)] for i in order]
    rows.insert(len(rows) // 3, ["P199999", "Test Account", None, "Informatievoorziening", "Medewerker", AI_COURSE,
                                 "Afgerond", "31-02-2026"])
    rows.insert(len(rows) // 2, [None, None, None, "Communicatie", "Medewerker", _OTHER_COURSES[0], "Afgerond",
                                 dt.datetime(2025, 6, 2)])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Export")
    ws.append(LMS_HEADER)
    for row in rows:
        ws.append(row)
    save_workbook(wb, lms_path)
    with headcount_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(HEADCOUNT_HEADER) + "\n")
        for dept, role, n, must in headcount:
            fh.write(f"{dept};{role};{n};{must}\n")
    return {"training_rows": len(rows), "headcount_rows": len(headcount)}
