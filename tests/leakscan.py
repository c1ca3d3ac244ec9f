"""Plant personal data in every source of a demo municipality, then look for it everywhere.

Used by ``tests/test_privacy_leak.py``; built so later outputs are covered without changing it: the
scan walks every file under ``data_dir`` (and the Dagster home inside it) and reads every table of
every DuckDB and SQLite file. To extend it (docs/security.md, "The leak test"):

- a new **source type**: add a planter to :data:`PLANTERS` (it writes the planted values into that
  source's file in the copied demo) and, if its rows should reach public outputs, their source keys
  to the returned confirm decisions;
- a new **kind of personal data**: add it to :data:`PERSONS` and its search forms to :data:`NEEDLES`;
- a new **file format** among the outputs: add a reader to :data:`READERS` (suffix -> text); files with
  an unknown suffix are read as UTF-8 text, images (charts) are skipped as they hold no source text.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import openpyxl

__all__ = ["PERSONS", "NEEDLES", "PLANTERS", "READERS", "plant_everything", "scan_tree", "scan_text"]

# Fictional people and details (0555-style numbers are not in service; the IBAN is the standard example).
PERSONS = {
    "survey_respondent": {"name": "Zwaantje Pietersma", "email": "zwaantje.pietersma@voorbeeldstad.nl"},
    "survey_bare_name": {"name": "Bartholomeus Wijnstra", "email": "b.wijnstra@voorbeeldstad.nl"},
    "survey_text": "Bel mij (Zwaantje Pietersma) op 06-98765432 of mail zwaantje@pietersma.nl; dossier BSN 111222333",
    "ledger_text": "Licentie chatbot AI-module, contactpersoon Hendrik Kloosterboer tel. 0031 20 555 0192, "
                   "IBAN NL91 ABNA 0417 1643 00",
    "ledger_bad_line": "Machine learning advies, mail h.kloosterboer@leverancier.example.nl of +31 6 5550 1939",
    "portfolio_text": "Risicoscore bijstand met machine learning; beheer: Ingrid Sloothaak "
                      "(ingrid.sloothaak@voorbeeldstad.nl, (020) 555 0193), IBAN NL91ABNA0417164300",
    "tender_text": "Machine learning platform. Inlichtingen: Joost Bakkenes, +31 6 5550 1940, "
                   "joost.bakkenes@voorbeeldstad.nl",
    "dpia_text": "Vragen aan mevr. Maartje Holtrop, 06 5550 1950, BSN 1234.56.782",
    "register_text": "Contact: Wessel Overdijk, wessel.overdijk@voorbeeld.example.nl, 040-5550196.",
}

#: What must never be found (case-insensitive; digits also with separators removed).
NEEDLES = [
    "Zwaantje", "Pietersma", "Bartholomeus", "Wijnstra", "Kloosterboer", "Sloothaak", "Bakkenes", "Holtrop",
    "Overdijk", "zwaantje@", "@pietersma", "wijnstra@", "kloosterboer@", "sloothaak@", "bakkenes@", "overdijk@",
    "NL91ABNA0417164300", "NL91 ABNA", "0417164300", "0417 1643",
]
DIGIT_NEEDLES = ["698765432", "111222333", "205550192", "655501939", "205550193", "655501940", "655501950",
                 "123456782", "405550196"]


def _plant_ledger(src: Path) -> list[str]:
    path = src / "data" / "crediteuren_2025.csv"
    raw = path.read_bytes().decode("cp1252")
    lines = [
        f"BK2025-LEAK01;15-03-2025;100900;Octobox Nederland B.V.;12345678;{PERSONS['ledger_text']};1.250,00;Burgerzaken",
        f"BK2025-LEAK02;16-03-2025;100900;Octobox Nederland B.V.;12345678;{PERSONS['ledger_bad_line']};n.v.t.;Burgerzaken",
    ]
    path.write_bytes((raw.rstrip("\r\n") + "\r\n" + "\r\n".join(lines) + "\r\n").encode("cp1252"))
    return ["crediteuren_2025:BK2025-LEAK01"]


def _plant_portfolio(src: Path) -> list[str]:
    path = src / "data" / "applicatieportfolio.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Applicaties"]
    ws.append(["APP-99001", "Fraudescore $_$ bijstand", "Rekenmodel B.V.", "Werk en Inkomen",
               PERSONS["portfolio_text"], "In gebruik", "Ingrid Sloothaak"])
    wb.save(path)
    return ["portfolio:APP-99001"]


def _plant_survey(src: Path) -> list[str]:
    path = src / "data" / "uitvraag_ai_2026.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    a, b = PERSONS["survey_respondent"], PERSONS["survey_bare_name"]
    ws.append(["901", "2026-02-01 10:00:00", "2026-02-01 10:10:00", a["email"], a["name"], "Werk en Inkomen",
               "Zwaantje Pietersma; Fraudescore $_$ bijstand", "Rekenmodel B.V.", PERSONS["survey_text"], "Ja"])
    ws.append(["902", "2026-02-02 10:00:00", "2026-02-02 10:10:00", b["email"], b["name"], "Publiekszaken",
               b["name"], "", f"Chatbot die vragen beantwoordt; vragen? {b['email']}", "Ja"])
    wb.save(path)
    return ["uitvraag_2026:901-1", "uitvraag_2026:901-2", "uitvraag_2026:902-1"]


def _plant_tenderned(src: Path) -> list[str]:
    path = src / "data" / "tenderned_publicaties.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    item = json.loads(json.dumps(doc["content"][0]))
    item.update({"publicatieId": "399901", "aanbestedingNaam": "Machine learning platform voor toezicht",
                 "opdrachtBeschrijving": PERSONS["tender_text"], "kenmerk": 299901})
    item["link"] = {"href": "https://www.tenderned.nl/aankondigingen/overzicht/399901", "title": "self"}
    doc["content"].append(item)
    doc["totalElements"] = len(doc["content"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return ["tenderned:399901"]


def _plant_dpia(src: Path) -> list[str]:
    path = src / "data" / "dpia_register.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.append(["Fraudescore bijstand", "Afgerond", "2025-05-01 00:00:00", PERSONS["dpia_text"],
               "https://intranet.voorbeeldstad.nl/privacy/dpia/0099"])
    wb.save(path)
    return []


def _plant_register(src: Path) -> list[str]:
    path = src / "data" / "algoritmeregister_site_data.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    first = doc["algoritme_versions"][0]
    first["description_short"] = (first.get("description_short") or "") + " " + PERSONS["register_text"]
    first["goal"] = f"<div><p>{PERSONS['register_text']}</p></div>"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return []


#: source file planters of the demo municipality; each returns source keys to confirm (to reach public outputs)
PLANTERS: dict[str, Callable[[Path], list[str]]] = {
    "spend_ledger": _plant_ledger, "application_portfolio": _plant_portfolio, "survey": _plant_survey,
    "tenderned": _plant_tenderned, "dpia_register": _plant_dpia, "national_register": _plant_register,
}


def plant_everything(demo_dir: Path) -> list[dict]:
    """Plant in every source of the copied demo; returns confirm decisions (review seed) for the planted rows."""
    decisions = []
    for i, (kind, planter) in enumerate(PLANTERS.items()):
        for j, key in enumerate(planter(demo_dir)):
            decisions.append({"event_id": f"leak-{i}-{j}", "at": "2026-10-20T09:00:00+00:00",
                              "reviewer": "privacy officer (test)", "action": "confirm", "system_id": None,
                              "source_keys": [key], "fields": {"status_register": "In gebruik"},
                              "reason": f"planted {kind} row confirmed as is"})
    return decisions


# --- scanning -------------------------------------------------------------------------------------------

def _duckdb_text(path: Path) -> Iterator[tuple[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                                    ).fetchall():
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            yield f"{path.name}:{table}", "\n".join(" | ".join(map(str, r)) for r in rows)
    finally:
        con.close()


def _sqlite_text(path: Path) -> Iterator[tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            yield f"{path.name}:{table}", "\n".join(
                " | ".join(v.decode("utf-8", "ignore") if isinstance(v, bytes) else str(v) for v in r) for r in rows)
    finally:
        con.close()


def _zip_text(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            yield f"{path.name}!{name}", zf.read(name).decode("utf-8", "ignore")


def _pdf_text(path: Path) -> Iterator[tuple[str, str]]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60)
    yield path.name, out.stdout.decode("utf-8", "ignore")


def _gzip_text(path: Path) -> Iterator[tuple[str, str]]:
    yield path.name, gzip.decompress(path.read_bytes()).decode("utf-8", "ignore")


def _skip(path: Path) -> Iterator[tuple[str, str]]:
    return iter(())


#: file suffix -> reader yielding (where, text)
READERS: dict[str, Callable[[Path], Iterator[tuple[str, str]]]] = {
    ".duckdb": _duckdb_text, ".db": _sqlite_text, ".sqlite": _sqlite_text, ".xlsx": _zip_text, ".zip": _zip_text,
    ".pdf": _pdf_text, ".gz": _gzip_text, ".png": _skip, ".jpg": _skip,
}


def scan_text(text: str) -> list[str]:
    """The needles found in ``text``."""
    low = text.lower()
    found = [n for n in NEEDLES if n.lower() in low]
    digits = re.sub(r"[\s\-.()/]", "", text)
    found += [d for d in DIGIT_NEEDLES if d in digits]
    return found


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def scan_tree(root: Path) -> list[tuple[str, str]]:
    """(where, needle) for every needle found in any file (and any table) under ``root``."""
    hits: list[tuple[str, str]] = []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            reader = _sqlite_text if _is_sqlite(path) else (lambda p: iter([(p.name, p.read_bytes().decode(
                "utf-8", "ignore"))]))
        for where, text in reader(path):
            hits += [(f"{path.relative_to(root)} [{where}]", n) for n in scan_text(text)]
    return hits
