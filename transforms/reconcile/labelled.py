"""Generated labelled candidate records for training and benchmarking the reconciliation model.

``generate_records(n_systems, seed, hard)`` returns candidate mentions in the reconcile input shape
plus a ``truth`` column naming the real-world system. Each system is a product of one vendor,
mentioned by ledger lines ("Licentie Octobox 2025", "Ondersteuning Octobox Q3"), the application
portfolio, survey answers and tenders. ``hard=True`` adds the
variation that makes matching hard: typos, abbreviations, vendor renames and mergers (new name,
sometimes new KvK number), missing vendors, and unrelated systems with look-alike names. As in the demo's truth, one product used by two
departments is two systems (one register entry per use).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.text import normalise_vendor_series

__all__ = ["generate_records", "RECORD_COLUMNS"]

RECORD_COLUMNS = [
    "source_key", "source_id", "source_type", "org", "title", "description", "vendor", "vendor_norm",
    "vendor_kvk", "product", "department", "amount_eur", "record_date", "url", "cpv_codes", "raw_json",
    "ai_score", "reasons", "kb_product_id",
]

_HEADS = ["octo", "zaak", "parkeer", "data", "slim", "geo", "burger", "wijk", "klant", "docu", "fraude",
          "route", "afval", "groen", "belasting", "vergunning", "scan", "chat", "info", "risico", "mobi",
          "energie", "zorg", "jeugd", "werk", "handhaving", "sociaal", "meld", "tekst", "beeld"]
_TAILS = ["box", "wijzer", "scan", "vision", "assist", "radar", "flow", "sense", "mind", "lens", "check",
          "bot", "pilot", "graph", "insight", "hub", "match", "predict", "spot", "tracker"]
_SECOND = ["", "", "", " pro", " online", " ai", " analytics", " suite", " 360", " next"]
_VENDOR_A = ["Nova", "Quanta", "Delta", "Orion", "Vector", "Pixel", "Lumen", "Stratos", "Helix", "Atlas",
             "Cirrus", "Kappa", "Tangent", "Rhino", "Zenith", "Fjord", "Polder", "Dijk", "Haven", "Molen"]
_VENDOR_B = ["Solutions", "Software", "Systems", "Data", "Analytics", "Labs", "ICT", "Digital", "Tech", "AI"]
_PRE = ["", "", "", "i", "e", "my", "neo", "smart"]
_BIG_VENDORS = [("Centric Netherlands", "28095664"), ("Microsoft Ireland Operations", None),
                ("PinkRoccade Local Government", "11054529"), ("Brickyard", "30221567"),
                ("Conclusion Mission Critical", "30150231"), ("Unit4 Nederland", "20076552")]
_OBJECTS = ["afval", "kentekens", "meldingen", "aanvragen", "fraudesignalen", "documenten", "vragen van inwoners",
            "wachtlijsten", "parkeerplaatsen", "schuldsignalen", "uitkeringen", "e-mails", "bomen", "verkeer",
            "facturen", "paspoortfoto's", "bezwaarschriften", "WOZ-waarden"]
_ACTIONS = ["herkennen", "voorspellen", "controleren", "beantwoorden", "sorteren", "classificeren", "opsporen",
            "plannen", "samenvatten", "vertalen", "taxeren", "prioriteren"]
_CONTEXTS = ["in de wijk", "bij de balie", "voor de raad", "in het archief", "op straat", "bij inwoners",
             "voor ondernemers", "in het sociaal domein", "bij de belastingdienst", "in de buitenruimte",
             "voor jongeren", "bij vergunningen", "in het klantcontact", "voor de griffie", "bij handhaving",
             "in de zorg", "voor statushouders", "bij evenementen", "op het water", "in parkeergarages"]
_FORMS = ["B.V.", "BV", "B.V", "N.V.", "", "Nederland B.V.", "Holding B.V."]
_DEPTS = ["Sociaal Domein", "Burgerzaken", "Belastingen", "Openbare Ruimte", "Vergunningen", "Handhaving",
          "Informatievoorziening", "Klantcontactcentrum", "Financien", "Jeugd", "Werk en Inkomen", "Mobiliteit"]
_LEDGER = ["Licentie {p} {y}", "Ondersteuning {p} Q{q}", "Implementatie {p}", "{p} abonnement {m} {y}",
           "Onderhoud {p} {y}", "Support {p} {m}", "{p} licentie", "Jaarlicentie {p} {y}-{y2}"]
# ledger texts that describe what is bought rather than naming the product
_FUNCTION_LEDGER = ["Pilot {f}", "{b} {f} Q{q}", "huur {f} {m}", "{f} + onderhoud", "Uitbreiding {f} {y}"]
_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"]


def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 2))
    kind = rng.integers(0, 3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def _display(name: str) -> str:
    return " ".join(w.upper() if w == "ai" else w.capitalize() for w in name.split())


def _systems(rng: np.random.Generator, n: int, hard: bool) -> list[dict]:
    seen: set[str] = set()
    systems = []
    while len(systems) < n:
        base = rng.choice(_PRE) + rng.choice(_HEADS) + rng.choice(_TAILS)
        name = base + rng.choice(_SECOND)
        if hard and systems and rng.random() < 0.05:
            # a look-alike: another vendor's product with nearly the same name (hard variation)
            name = systems[int(rng.integers(0, len(systems)))]["name"] + " " + rng.choice(["plus", "lite", "go", "x"])
        if name in seen:
            continue
        seen.add(name)
        if rng.random() < 0.05:
            vendor, kvk = _BIG_VENDORS[int(rng.integers(0, len(_BIG_VENDORS)))]
        else:
            vendor = f"{rng.choice(_PRE).capitalize()}{rng.choice(_VENDOR_A)} {rng.choice(_VENDOR_B)}"
            kvk = f"{int(rng.integers(10_000_000, 99_999_999)):08d}"
        systems.append({
            "truth": f"S{len(systems):07d}",
            "name": name,
            "vendor": vendor,
            "kvk": kvk,
            "function": f"{rng.choice(_OBJECTS)} {rng.choice(_ACTIONS)} {rng.choice(_CONTEXTS)}",
            "depts": [str(rng.choice(_DEPTS))],
            "kb": f"KB-{int(rng.integers(0, 16**8)):08x}" if rng.random() < 0.4 else None,
        })
        if rng.random() < 0.15:
            # the same product used by other departments: separate systems (one per use)
            for dept in rng.choice([d for d in _DEPTS if d != systems[-1]["depts"][0]], size=int(rng.integers(1, 3)),
                                   replace=False):
                systems.append({**systems[-1], "truth": f"S{len(systems):07d}", "depts": [str(dept)]})
    return systems


def _vendor_variant(rng: np.random.Generator, sys: dict, hard: bool) -> tuple[str | None, str | None]:
    vendor, kvk = sys["vendor"], sys["kvk"]
    if kvk is None:
        return vendor + " Ltd", None
    if hard:
        r = rng.random()
        if r < 0.08:
            return None, None
        if r < 0.16:  # vendor renamed, same KvK number
            return vendor.split()[0] + " " + rng.choice(_VENDOR_B), kvk
        if r < 0.22:  # taken over: new name and new KvK number
            return "Acquira " + vendor.split()[0], "7" + kvk[1:]
        if r < 0.27:  # initials only ("MHT B.V.")
            return "".join(w[0] for w in vendor.split()).upper() + " B.V.", None
    form = rng.choice(_FORMS)
    written = f"{vendor} {form}".strip()
    if rng.random() < 0.3:
        written = written.upper()
    return written, (kvk if rng.random() < 0.6 else None)


def _name_variant(rng: np.random.Generator, name: str, hard: bool) -> str:
    out = _display(name)
    if hard:
        r = rng.random()
        if r < 0.15:
            words = out.split()
            words[0] = _typo(rng, words[0])
            out = " ".join(words)
        elif r < 0.22 and " " in name:
            out = out.split()[0]
        elif r < 0.27:
            out = out.lower()
    return out


def generate_records(n_systems: int = 200, seed: int = 42, hard: bool = False, org: str = "gm9999") -> pd.DataFrame:
    """Labelled candidate records (``RECORD_COLUMNS`` + ``truth``) for about ``n_systems`` systems."""
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for sys in _systems(rng, n_systems, hard):
        n_ledger = int(rng.integers(1, 12))
        for _ in range(n_ledger):
            vendor, kvk = _vendor_variant(rng, sys, hard)
            y = int(rng.integers(2022, 2026))
            template = rng.choice(_LEDGER) if rng.random() > 0.3 else rng.choice(_FUNCTION_LEDGER)
            text = template.format(f=sys["function"], b=_display(sys["name"]).split()[0], p=_name_variant(rng, sys["name"], hard), y=y, y2=y + 1,
                                              q=int(rng.integers(1, 5)), m=rng.choice(_MONTHS))
            rows.append({"source_type": "spend_ledger", "source_id": "crediteuren", "title": text,
                         "description": text, "vendor": vendor, "vendor_kvk": kvk, "product": None,
                         "department": (rng.choice(_DEPTS) if hard and rng.random() < 0.03 else sys["depts"][0]),
                         "amount_eur": float(rng.integers(100, 90000)),
                         "record_date": pd.Timestamp(f"{y}-{int(rng.integers(1, 13)):02d}-15"), "truth": sys["truth"],
                         "kb_product_id": sys["kb"] if rng.random() < 0.7 else None})
        for dept in sys["depts"]:
            if rng.random() < 0.7:
                vendor, kvk = _vendor_variant(rng, sys, hard)
                app = _display(sys["name"]) + (f" {dept}" if rng.random() < 0.2 else "")
                rows.append({"source_type": "application_portfolio", "source_id": "portfolio",
                             "title": app, "product": app,
                             "description": f"Applicatie {_display(sys['name'])} voor {dept.lower()}: {sys['function']}",
                             "vendor": vendor, "vendor_kvk": None, "department": dept, "truth": sys["truth"],
                             "kb_product_id": sys["kb"], "record_date": pd.Timestamp("2025-06-01")})
            if rng.random() < 0.5:
                variant = _name_variant(rng, sys["name"], hard)
                if rng.random() < 0.4:
                    variant = sys["function"] if rng.random() < 0.5 else f"software om {sys['function']}"
                rows.append({"source_type": "survey", "source_id": "uitvraag", "title": variant, "product": variant,
                             "description": f"Wij gebruiken {variant} voor ondersteuning van {dept.lower()}"
                                            + (f" ({sys['function']})" if rng.random() < 0.5 else ""),
                             "vendor": sys["vendor"] if rng.random() < 0.6 else "weet ik niet", "vendor_kvk": None,
                             "department": dept, "truth": sys["truth"],
                             "kb_product_id": sys["kb"] if rng.random() < 0.5 else None,
                             "record_date": pd.Timestamp("2026-01-20")})
        if rng.random() < 0.15:
            title = f"Europese aanbesteding {_display(sys['name'])}"
            rows.append({"source_type": "tenderned", "source_id": "tenderned", "title": title, "product": None,
                         "description": f"{title} inclusief implementatie en onderhoud; het systeem moet {sys['function']}", "vendor": sys["vendor"],
                         "vendor_kvk": sys["kvk"], "department": None, "truth": sys["truth"],
                         "kb_product_id": sys["kb"], "record_date": pd.Timestamp("2024-03-01")})
    df = pd.DataFrame(rows)
    df["source_key"] = df["source_id"] + ":" + pd.Series(range(len(df)), dtype="int64").astype(str).str.zfill(8)
    df["org"] = org
    df["vendor_norm"] = normalise_vendor_series(df["vendor"].astype("object"))
    df["vendor_norm"] = df["vendor_norm"].where(df["vendor_norm"] != "", None)
    df["url"] = None
    df["cpv_codes"] = None
    df["raw_json"] = "{}"
    df["ai_score"] = np.round(rng.uniform(0.4, 1.0, len(df)), 3)
    df["reasons"] = "gegenereerd"
    df["record_date"] = pd.to_datetime(df["record_date"]).dt.date
    return df[[*RECORD_COLUMNS, "truth"]]
