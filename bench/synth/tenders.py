"""TenderNed publications ``data/tenderned_publicaties.json`` in the TNS API list shape (one page)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from bench.synth.model import AISystem, Catalog, derive_rng

__all__ = ["write_tenders"]

_TYPES = (("AAO", "Aankondiging opdracht"), ("AGO", "Aankondiging gegunde opdracht"), ("VOP", "Vooraankondiging"),
          ("MAC", "Marktconsultatie"))
_PROCS = (("OPE", "Openbaar"), ("NOG", "Niet-openbaar"), ("MVO", "Meervoudig onderhands"))
_KINDS = (("D", "Diensten"), ("L", "Leveringen"), ("W", "Werken"))
_CPV_LABELS = {"72": "IT-diensten: adviezen, softwareontwikkeling, internet en ondersteuning",
               "48": "Software en informatiesystemen", "34": "Transportmiddelen en hulpproducten voor vervoer",
               "45": "Bouwwerkzaamheden", "90": "Diensten voor afvalwater, afval, reiniging en milieu",
               "30": "Kantoormachines en computers", "50": "Reparatie- en onderhoudsdiensten",
               "77": "Diensten voor land-, bos-, tuinbouw", "79": "Zakelijke dienstverlening",
               "85": "Gezondheidszorg en maatschappelijk werk", "64": "Post- en telecommunicatiediensten"}


def _item(pid: int, kenmerk: int, date: dt.date, title: str, desc: str, cpv: str, buyer: str,
          rng: np.random.Generator) -> dict:
    """One publication in the TNS list-item shape (with the detail fields kenmerk and cpvCodes)."""
    t_code, t_label = _TYPES[int(rng.integers(0, len(_TYPES)))]
    p_code, p_label = _PROCS[int(rng.integers(0, len(_PROCS)))]
    kind = _KINDS[0] if cpv[:2] in ("72", "79", "85", "90", "50", "77", "64") else (
        _KINDS[2] if cpv.startswith("45") else _KINDS[1])
    cpvs = [{"code": cpv, "omschrijving": _CPV_LABELS.get(cpv[:2], "Overige"), "isHoofdOpdracht": True}]
    if rng.random() < 0.3:
        cpvs.append({"code": "72000000-5", "omschrijving": _CPV_LABELS["72"], "isHoofdOpdracht": False})
    return {
        "publicatieId": str(pid),
        "publicatieDatum": date.isoformat(),
        "typePublicatie": {"code": t_code, "omschrijving": t_label},
        "aanbestedingNaam": title,
        "aanbestedendeDienstNaam": buyer,
        "opdrachtgeverNaam": buyer,
        "sluitingsDatum": (date + dt.timedelta(days=35)).isoformat() + "T12:00:00",
        "procedure": {"code": p_code, "omschrijving": p_label},
        "typeOpdracht": {"code": kind[0], "omschrijving": kind[1]},
        "publicatiestatus": {"code": "PUB", "omschrijving": "Gepubliceerd"},
        "digitaal": True,
        "europees": bool(rng.random() < 0.4),
        "opdrachtBeschrijving": desc,
        "kenmerk": kenmerk,
        "cpvCodes": cpvs,
        "link": {"href": f"https://www.tenderned.nl/aankondigingen/overzicht/{pid}", "title": "self"},
    }


def write_tenders(path: Path, catalog: Catalog, systems: list[AISystem], org: str, neighbours: list[str], *,
                  seed: int, scale: float) -> tuple[list[list[object]], int]:
    """Write the page object; return truth rows and the number of publications."""
    rng = derive_rng(seed, "tenders")
    n_total = max(20, round(200 * scale))
    specials = [(s.tender, int(s.is_ai), s.label, s.notes) for s in systems if s.tender]
    n_filler = max(0, n_total - len(specials))
    rows: list[tuple[tuple[str, str, str], int, str, str, str]] = []
    topics = catalog.tender_topics
    for i in range(n_filler):
        title, desc, cpv = topics[int(rng.integers(0, len(topics)))]
        lot = f" perceel {int(rng.integers(1, 6))}" if rng.random() < 0.3 else ""
        other = rng.random() < 0.25
        buyer = neighbours[int(rng.integers(0, len(neighbours)))] if other else org
        rows.append(((f"{title}{lot} {2024 + i % 2}", desc, cpv), 0, "", "andere aanbesteder" if other else "", buyer))
    rows.extend((t, ai, label, notes, org) for t, ai, label, notes in specials)
    order = rng.permutation(len(rows))
    ids = np.sort(rng.choice(np.arange(300_000, 300_000 + 40 * max(len(rows), 1)), size=len(rows), replace=False))
    content, truth = [], []
    for k, j in enumerate(order):
        (title, desc, cpv), ai, label, notes, buyer = rows[int(j)]
        date = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
        pid = int(ids[k])
        content.append(_item(pid, 200_000 + int(j), date, title, desc, cpv, buyer, rng))
        truth.append([f"tenderned:{pid}", ai, label, notes])
    page = {"content": content, "totalElements": len(content), "totalPages": 1, "number": 0, "size": len(content),
            "numberOfElements": len(content), "first": True, "last": True}
    path.write_text(json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth, len(content)
