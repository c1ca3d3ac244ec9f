"""The three Excel sources: application portfolio, department survey (Microsoft Forms export), DPIA register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from bench.synth.model import AISystem, Catalog, derive_rng, save_workbook

__all__ = ["write_portfolio", "write_survey", "write_dpia", "RESPONDENT_SURNAMES", "STAFF_SURNAMES"]

PORTFOLIO_HEADER = ["Applicatie-ID", "Naam applicatie", "Leverancier", "Afdeling", "Omschrijving", "Status",
                    "Applicatiebeheerder"]
SURVEY_HEADER = ["ID", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Afdeling",
                 "Welke systemen of toepassingen met algoritmes of AI gebruikt uw afdeling?",
                 "Leverancier (indien bekend)", "Waarvoor gebruikt u het?",
                 "Leert het systeem van data of gebruikt het AI (bijv. voorspellen, herkennen, tekst genereren)?"]
DPIA_HEADER = ["Verwerking", "Status", "Datum", "Uitkomst", "Link"]

_FIRST = ("Anna", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gijs", "Hanneke", "Ilse", "Joost", "Karim", "Lotte",
          "Mehmet", "Noor", "Olaf", "Petra", "Quinten", "Roos", "Sander", "Tamara", "Umut", "Vera", "Wouter", "Yara")
#: Surnames used only for survey respondents (the privacy test searches every other file for them).
RESPONDENT_SURNAMES = ("Achterberg", "Zwanenburg", "Oudendijk", "Brinkhuis", "Valkenier", "Steenbergen",
                       "Wiersema", "Hazelhoff", "Rozendaal", "Kooistra", "Dalhuisen", "Terpstra", "Nijenhuis",
                       "Overbeek", "Lamberink", "Vrieling")
#: Surnames used only for application managers in the portfolio.
STAFF_SURNAMES = ("Aalbers", "Bijl", "Claassen", "Doornbos", "Eijkman", "Fokkema", "Geurts", "Haverkamp")
_STATUS = ("In productie", "In productie", "In productie", "In uitfasering", "Gepland", "Uit gebruik")
_MODULES = ("Basis", "Rapportage", "Koppeling", "Portaal", "Archief", "Mobiel", "Beheer", "Analyse", "Planning")
_DPIA_OTHER = (("Cameratoezicht stadhuis", "Afgerond", "Aanvaardbaar risico"),
               ("Parkeervergunningen", "Afgerond", "Geen hoog restrisico"),
               ("Personeelsdossiers (AFAS)", "Afgerond", "Aanvaardbaar risico"),
               ("Wmo-maatwerkvoorzieningen", "In uitvoering", ""),
               ("Burgerpeiling 2025", "Afgerond", "Geen hoog restrisico"),
               ("Bodycams handhavers", "Afgerond", "Hoog risico, maatregelen getroffen"),
               ("Leerlingenvervoer", "Gepland", ""),
               ("Koppeling BRP en belastingen", "Afgerond", "Aanvaardbaar risico"),
               ("Sensoren drukte binnenstad", "In uitvoering", ""),
               ("Klantcontactsysteem", "Afgerond", "Aanvaardbaar risico"))


def _titled_sheet(wb: Workbook, title: str, heading: str, header: list[str]):
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws.append([])
    ws.append(header)
    return ws


def write_portfolio(path: Path, catalog: Catalog, systems: list[AISystem], org: str, *, seed: int,
                    scale: float) -> tuple[list[list[object]], int]:
    """Write the portfolio workbook (title line, blank line, header); return truth rows and row count."""
    rng = derive_rng(seed, "portfolio")
    n_total = max(30, round(350 * scale))
    rows: list[tuple[str, str, str, str, int, str, str]] = []  # name, vendor, dept, desc, is_ai, label, notes
    for s in systems:
        for name, desc in s.portfolio:
            rows.append((name, s.vendor, s.department, desc, int(s.is_ai), s.label, s.notes))
    for name, vendor, desc in catalog.decoy_apps:
        rows.append((name, vendor, catalog.departments[len(rows) % len(catalog.departments)], desc, 0, "",
                     "decoy: lijkt op AI maar is het niet"))
    apps, depts = catalog.apps, catalog.departments
    k = 0
    while len(rows) < n_total:
        name, vendor, desc = apps[k % len(apps)]
        cycle = k // len(apps)
        if cycle:
            name = f"{name} {_MODULES[cycle % len(_MODULES)]}" + (f" {cycle // len(_MODULES) + 1}" if cycle >= len(_MODULES) else "")
        rows.append((name, vendor, depts[int(rng.integers(0, len(depts)))], desc, 0, "", ""))
        k += 1
    order = rng.permutation(len(rows))
    wb = Workbook(write_only=True)
    ws = _titled_sheet(wb, "Applicaties", f"Applicatieportfolio {org} — export 1-10-2025", PORTFOLIO_HEADER)
    truth = []
    for i, j in enumerate(order, start=1):
        name, vendor, dept, desc, ai, label, notes = rows[int(j)]
        app_id = f"APP-{i:05d}"
        beheerder = f"{_FIRST[int(rng.integers(0, len(_FIRST)))]} {STAFF_SURNAMES[int(rng.integers(0, len(STAFF_SURNAMES)))]}"
        ws.append([app_id, name, vendor, dept, desc, _STATUS[int(rng.integers(0, len(_STATUS)))], beheerder])
        truth.append([f"portfolio:{app_id}", ai, label, notes])
    save_workbook(wb, path)
    return truth, len(rows)


def write_survey(path: Path, catalog: Catalog, systems: list[AISystem], domain: str, *, seed: int,
                 scale: float) -> tuple[list[list[object]], int, list[str]]:
    """Write the Forms export; return truth rows, response count and the respondents' names and e-mails."""
    rng = derive_rng(seed, "survey")
    n_resp = max(10, round(60 * scale))
    items: list[tuple[str, str, int, str, str, str]] = []  # phrase, vendor, is_ai, label, notes, dept
    base = {s.label for s in catalog.systems}
    for s in systems:
        phrases = s.survey if s.label in base else s.survey[:1]
        for phrase in phrases:
            items.append((phrase, s.vendor, int(s.is_ai), s.label, s.notes, s.department))
    for phrase in catalog.decoy_survey:
        items.append((phrase, "", 0, "", "decoy: lijkt op AI maar is het niet", ""))
    n_resp = max(n_resp, -(-len(items) // 2))
    while len(items) < int(n_resp * 1.6):
        other = catalog.survey_other[int(rng.integers(0, len(catalog.survey_other)))]
        items.append((other, "", 0, "", "", ""))
    items = [items[int(i)] for i in rng.permutation(len(items))]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(SURVEY_HEADER)
    truth, people = [], []
    seps = ("\n", "; ", ", ", " en ")
    extra = len(items) - n_resp
    if extra < 0 or extra > 2 * n_resp:
        raise ValueError(f"cannot spread {len(items)} survey answers over {n_resp} responses")
    sizes = 1 + np.bincount(rng.choice(2 * n_resp, size=extra, replace=False) // 2, minlength=n_resp)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    start = dt.datetime(2026, 1, 12, 9, 0, 0)
    by_label = {s.label: s for s in systems}
    for rid in range(1, n_resp + 1):
        group = items[int(bounds[rid - 1]):int(bounds[rid])]
        sep = seps[int(rng.integers(0, len(seps)))]
        cell = sep.join(g[0] for g in group)
        first = _FIRST[int(rng.integers(0, len(_FIRST)))]
        last = RESPONDENT_SURNAMES[int(rng.integers(0, len(RESPONDENT_SURNAMES)))]
        name, email = f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}"
        people.extend([name, email])
        dept = next((g[5] for g in group if g[5]), catalog.departments[int(rng.integers(0, len(catalog.departments)))])
        any_ai = any(g[2] for g in group if g[3])
        vendor = next((g[1] for g in group if g[3]), "")
        if vendor and rng.random() < 0.35:
            vendor = "weet ik niet"
        label_sys = by_label.get(next((g[3] for g in group if g[3]), ""))
        purpose = label_sys.survey_purpose if label_sys else catalog.survey_purposes[
            int(rng.integers(0, len(catalog.survey_purposes)))]
        u = rng.random()
        uses = ("Ja" if u < 0.7 else "Weet ik niet" if u < 0.9 else "Nee") if any_ai else (
            "Nee" if u < 0.7 else "Weet ik niet")
        began = start + dt.timedelta(days=int(rng.integers(0, 20)), minutes=int(rng.integers(0, 60 * 8)))
        ws.append([rid, began, began + dt.timedelta(minutes=int(rng.integers(3, 25))), email, name, dept, cell,
                   vendor, purpose, uses])
        for k, g in enumerate(group, start=1):
            truth.append([f"uitvraag_2026:{rid}-{k}", g[2], g[3], g[4]])
    save_workbook(wb, path)
    return truth, n_resp, sorted(set(people))


def write_dpia(path: Path, systems: list[AISystem], domain: str, *, seed: int, scale: float) -> int:
    """Write the privacy officer's DPIA register; return the number of rows."""
    rng = derive_rng(seed, "dpia")
    rows = [s.dpia for s in systems if s.dpia]
    n_other = max(5, round(10 * scale))
    for k in range(n_other):
        name, status, outcome = _DPIA_OTHER[k % len(_DPIA_OTHER)]
        rows.append((name if k < len(_DPIA_OTHER) else f"{name} ({k // len(_DPIA_OTHER) + 1})", status, outcome))
    rows = [rows[int(i)] for i in rng.permutation(len(rows))]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DPIA's")
    ws.append(DPIA_HEADER)
    for i, (name, status, outcome) in enumerate(rows, start=1):
        offset = int(rng.integers(0, 900))
        date = dt.datetime(2023, 3, 1) + dt.timedelta(days=offset)
        if status == "Gepland":
            date = dt.datetime(2026, 2, 1) + dt.timedelta(days=offset % 200)
        ws.append([name, status, date, outcome or None, f"https://intranet.{domain}/privacy/dpia/{i:04d}"])
    save_workbook(wb, path)
    return len(rows)
