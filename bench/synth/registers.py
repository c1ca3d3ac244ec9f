"""Peer registers: the national Algoritmeregister site-data dump ``data/algoritmeregister_site_data.json``.

Shape as ``GET /api/downloads/site-data/json``: every record carries the union of all standard versions'
content keys (unused ones null) plus language, owner, lars, create_dt, state. Many organisations register
the same product under different names, as in the real register.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from bench.synth.model import AISystem, derive_rng

__all__ = ["write_register", "MUNICIPALITIES", "CONTENT_KEYS"]

#: Real municipality names and CBS codes (public facts).
MUNICIPALITIES = (
    ("Gemeente Eindhoven", "gm0772"), ("Gemeente Amsterdam", "gm0363"), ("Gemeente Tilburg", "gm0855"),
    ("Gemeente Utrecht", "gm0344"), ("Gemeente Rotterdam", "gm0599"), ("Gemeente Groningen", "gm0014"),
    ("Gemeente Breda", "gm0758"), ("Gemeente Nijmegen", "gm0268"), ("Gemeente Arnhem", "gm0202"),
    ("Gemeente Zwolle", "gm0193"), ("Gemeente Almere", "gm0034"), ("Gemeente Apeldoorn", "gm0200"),
    ("Gemeente Haarlem", "gm0392"), ("Gemeente Enschede", "gm0153"), ("Gemeente Amersfoort", "gm0307"),
    ("Gemeente Leiden", "gm0546"), ("Gemeente Dordrecht", "gm0505"), ("Gemeente Zaanstad", "gm0479"),
    ("Gemeente Ede", "gm0228"), ("Gemeente Oss", "gm0828"), ("Gemeente Deventer", "gm0150"),
    ("Gemeente Delft", "gm0503"), ("Gemeente Alkmaar", "gm0361"), ("Gemeente Venlo", "gm0983"),
    ("Gemeente Helmond", "gm0794"), ("Gemeente Hilversum", "gm0402"), ("Gemeente Leeuwarden", "gm0080"),
    ("Gemeente Maastricht", "gm0935"), ("Gemeente Emmen", "gm0114"), ("Gemeente Zoetermeer", "gm0637"),
    ("Gemeente Westland", "gm1783"), ("Gemeente Sittard-Geleen", "gm1883"), ("Gemeente Heerlen", "gm0917"),
    ("Gemeente Roosendaal", "gm1674"), ("Gemeente Purmerend", "gm0439"), ("Gemeente Schiedam", "gm0606"),
    ("Gemeente Lelystad", "gm0995"), ("Gemeente Gouda", "gm0513"), ("Gemeente Hengelo", "gm0164"),
    ("Gemeente Waalwijk", "gm0867"), ("Gemeente Rijswijk", "gm0603"), ("Gemeente Diemen", "gm0384"),
    ("Gemeente Nissewaard", "gm1930"), ("Gemeente Middelburg", "gm0687"), ("Gemeente Vlissingen", "gm0718"),
    ("Gemeente Landgraaf", "gm0882"), ("Gemeente Bergen op Zoom", "gm0748"), ("Gemeente Dongen", "gm0766"),
    ("Gemeente Assen", "gm0106"), ("Gemeente Midden-Groningen", "gm1952"),
)

CONTENT_KEYS = (
    "name", "organization", "preferred_name", "department", "description_short", "type", "category", "website",
    "status", "goal", "impact", "proportionality", "decision_making_process", "documentation",
    "competent_authority", "lawful_basis", "iama", "iama_description", "dpia", "dpia_description",
    "objection_procedure", "standard_version", "uuid", "url", "contact_email", "area", "lang", "revision_date",
    "description", "application_url", "publiccode", "mprd", "source_data", "methods_and_models", "monitoring",
    "human_intervention", "risks", "performance_standard", "provider", "process_index_url", "tags", "source_id",
    "begin_date", "end_date", "lawful_basis_link", "impacttoetsen", "source_data_link", "publication_category",
    "lawful_basis_grouping", "impacttoetsen_grouping", "source_data_grouping",
)

# Register-only algorithms many municipalities publish (mostly rule-based), shared by both variants.
_GENERIC = (
    ("Risicoanalyse verhuizingen", "Procura", False, "Impactvolle algoritmes", "Organisatie en bedrijfsvoering",
     ("Risicoanalyse verhuizingen", "vrijBRP Risicoanalyse", "Risicosignalering adreswijzigingen")),
    ("Hittestresskaart", "Tygron", False, "Overige algoritmes", "Natuur en milieu",
     ("Hittestress simulatie", "Tygron hittestresskaart")),
    ("Wateroverlast model", "Nelen & Schuurmans", False, "Overige algoritmes", "Ruimte en infrastructuur",
     ("Neerslagmodel wateroverlast", "3Di watermodel")),
    ("Toewijzing sociale huurwoningen", "Intern ontwikkeld", False, "Impactvolle algoritmes", "Wonen",
     ("Woningtoewijzing", "Loting sociale huurwoningen")),
    ("Beoordeling subsidieaanvragen", "Intern ontwikkeld", False, "Impactvolle algoritmes", "Economie",
     ("Subsidiecheck", "Toets subsidieaanvragen")),
    ("Routeplanning afvalinzameling", "Intern ontwikkeld", False, "Overige algoritmes", "Natuur en milieu",
     ("Routeoptimalisatie afval", "Planning inzamelroutes")),
    ("Prognose leerlingaantallen", "Intern ontwikkeld", False, "Overige algoritmes", "Onderwijs en wetenschap",
     ("Leerlingenprognose", "Prognosemodel onderwijshuisvesting")),
    ("Legesberekening e-diensten", "PinkRoccade Local Government", False, "Overige algoritmes",
     "Organisatie en bedrijfsvoering", ("iBurgerzaken e-diensten", "Legesberekening")),
)
_OLD_CATEGORIES = {"Organisatie en bedrijfsvoering": "Dienstverlening", "Overheidsfinanciën": "Financiën",
                   "Wonen": "Huisvesting"}
_IMPACT = ("Data Protection Impact Assessment (DPIA)", "Impact Assessment Mensenrechten en Algoritmes (IAMA)",
           "Pre-scan DPIA")


def _products(systems: list[AISystem]) -> list[dict]:
    out = [{"key": s.label, "provider": s.vendor, "is_ai": s.is_ai, "pub": s.publication_category,
            "theme": s.peer_category, "names": s.peer_names, "goal": s.goal} for s in systems if s.peer_names]
    for name, provider, is_ai, pub, theme, names in _GENERIC:
        out.append({"key": "peer:" + name, "provider": provider, "is_ai": is_ai, "pub": pub, "theme": theme,
                    "names": names, "goal": f"{name} ondersteunt medewerkers bij hun werk."})
    return out


def _html(*paragraphs: str) -> str:
    return "<div>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def _record(product: dict, name: str, org: tuple[str, str], version: str, lars: str, created: dt.datetime,
            rng: np.random.Generator) -> dict:
    rec: dict = dict.fromkeys(CONTENT_KEYS)
    org_name, code = org
    slug = org_name.lower().replace(" ", "-")
    method = ("Het systeem gebruikt machine learning: een model dat is getraind op voorbeelden." if product["is_ai"]
              else "Het algoritme is regelgebaseerd en werkt met vaste beslisregels; het is niet zelflerend.")
    short = f"{name}: {product['goal']}"
    rec.update(name=name, organization=org_name, description_short=short[:400], standard_version=version,
               contact_email=f"algoritmes@{slug.removeprefix('gemeente-')}.nl", provider=product["provider"],
               goal=_html(product["goal"], "De uitkomst wordt altijd door een medewerker beoordeeld."),
               source_data=_html("Gegevens uit de eigen administratie van de gemeente."),
               methods_and_models=_html(method), begin_date=f"{2019 + int(rng.integers(0, 6))}-0{int(rng.integers(1, 10))}",
               status="In gebruik" if rng.random() < 0.9 else "In ontwikkeling",
               website=f"https://www.{slug.removeprefix('gemeente-')}.nl/algoritmes")
    if version == "1.0":
        rec.update(category=[product["theme"]], publication_category=product["pub"], lang="NLD",
                   human_intervention=_html("Een medewerker controleert de uitkomst voordat er een besluit volgt."),
                   risks=_html("Risico op fouten wordt beperkt door steekproeven."),
                   proportionality=_html("De voordelen wegen op tegen de risico's."),
                   lawful_basis=_html("Algemene verordening gegevensbescherming."),
                   impacttoetsen_grouping=[{"title": _IMPACT[int(rng.integers(0, len(_IMPACT)))], "link": None}],
                   lawful_basis_grouping=[{"title": "Algemene verordening gegevensbescherming",
                                           "link": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}],
                   source_data_grouping=[], tags=", ".join(product["names"][:2]), source_id=f"{code}-{lars[-4:]}")
    elif version == "0.4":
        rec.update(category=[_OLD_CATEGORIES.get(product["theme"], product["theme"])], lang="NLD",
                   type="Ja" if product["is_ai"] else "Nee",
                   impacttoetsen=["DPIA", "IAMA"] if product["pub"] != "Overige algoritmes" else ["DPIA"],
                   uuid=f"{code}-{lars}")
    else:
        rec.update(category=product["theme"], lang="Nederlands", begin_date=None,
                   type="Zelflerend" if product["is_ai"] else "Regelgebaseerd",
                   description=short, department="Concernstaf", iama="Nee", dpia="Ja", area=org_name[9:])
    rec.update(language="NLD", owner=slug, lars=lars, create_dt=created.isoformat(), state="PUBLISHED",
               published=True)
    return rec


def write_register(path: Path, systems: list[AISystem], *, seed: int, scale: float) -> tuple[list[list[object]], int, int]:
    """Write the dump; return (entry truth rows, entry count, organisation count)."""
    rng = derive_rng(seed, "register")
    products = _products(systems)
    n_entries = max(20, round(300 * scale))
    wanted = 40 * scale if scale <= 1 else 40 + 10 * np.log10(scale)
    n_orgs = min(len(MUNICIPALITIES), max(5, round(wanted)))
    orgs = list(MUNICIPALITIES[:2]) + [MUNICIPALITIES[int(i) + 2] for i in
                                       np.sort(rng.choice(len(MUNICIPALITIES) - 2, n_orgs - 2, replace=False))]
    popularity = 1.0 / np.arange(1, len(products) + 1) ** 0.5
    popularity = popularity[rng.permutation(len(products))]
    popularity /= popularity.sum()
    lars_ids = rng.choice(89_999_999, size=n_entries, replace=False) + 10_000_000
    versions = rng.choice(np.array(["1.0", "0.4", "0.1"]), size=n_entries, p=[0.8, 0.15, 0.05])
    truth = []
    with path.open("w", encoding="utf-8") as fh:  # streamed: the same bytes as one json.dumps of the dump
        fh.write('{"algoritme_versions": [')
        for i in range(n_entries):
            org = orgs[i % len(orgs)]
            product = products[int(rng.choice(len(products), p=popularity))]
            name = product["names"][int(rng.integers(0, len(product["names"])))]
            created = dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 900)))
            lars = str(int(lars_ids[i]))
            record = _record(product, name, org, str(versions[i]), lars, created, rng)
            fh.write((", " if i else "") + json.dumps(record, ensure_ascii=False))
            truth.append([f"landelijk_register:{lars}", int(product["is_ai"]), product["key"], org[1]])
        details = []
        for org_name, code in orgs:
            slug = org_name.lower().replace(" ", "-")
            details.append({"name": org_name, "language": "NLD", "code": slug, "org_id": code, "type": "gemeente",
                            "show_page": True, "about": f"<p>Algoritmes van {org_name}.</p>",
                            "contact_info": f"algoritmes@{slug.removeprefix('gemeente-')}.nl"})
        fh.write('], "organisation_details": ' + json.dumps(details, ensure_ascii=False) + "}\n")
    return truth, n_entries, len(orgs)
