"""Register exports in the Eurocities/Eindhoven (ATS v0.3.1) and Amsterdam (Saidot card) layouts.

Both take the ``systems`` and ``classifications`` tables (only confirmed systems are exported) and
the organisation ``{name, code, contact_email}``; only public fields are written (never reviewer
notes or owners' personal details).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["to_eurocities_rows", "to_amsterdam", "EUROCITIES_COLUMNS", "RISK_CATEGORY"]

EUROCITIES_COLUMNS = [
    "name", "description_short", "organization", "department", "contact_email", "area", "domain",
    "website", "status", "goal", "risks", "risk_category", "lawful_basis", "DPIA_description", "DPIA_url",
    "AIA_description", "human_intervention", "standard_version", "uuid", "lang", "keywords",
]
# AI-Act class (transforms.classify codes) -> Eurocities risk_category
RISK_CATEGORY = {
    "prohibited": "unacceptable", "high_risk": "high risk", "transparency": "limited risk",
    "minimal": "minimal risk",
}
_STATUS = {"In gebruik": "operational", "In ontwikkeling": "development", "Buiten gebruik": "retired"}


def _fields(system: dict) -> dict:
    raw = system.get("fields_json")
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}


def _val(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def _confirmed(systems: pd.DataFrame, classifications: pd.DataFrame) -> list[tuple[dict, dict]]:
    cls = {r["system_id"]: r for r in classifications.to_dict("records")} if len(classifications) else {}
    return [
        (s, cls.get(s["system_id"], {}))
        for s in systems.to_dict("records")
        if s.get("status") == "confirmed"
    ]


def _done(value: Any) -> bool:
    return str(value or "").strip().lower().startswith(("uitgevoerd", "afgerond", "gereed", "ja", "done", "completed"))


def to_eurocities_rows(systems: pd.DataFrame, classifications: pd.DataFrame, org: dict) -> pd.DataFrame:
    """One row per confirmed system in the Eurocities/Eindhoven CSV layout (write with sep=';')."""
    rows = []
    area = org.get("name", "").replace("Gemeente ", "")
    for s, c in _confirmed(systems, classifications):
        f = _fields(s)
        dpia = f.get("dpia_status") or c.get("dpia_status")
        rows.append({
            "name": _val(s.get("name")),
            "description_short": _val(s.get("description"))[:150],
            "organization": _val(org.get("name")),
            "department": _val(s.get("department")),
            "contact_email": _val(f.get("contact_email") or org.get("contact_email")),
            "area": area,
            "domain": _val(f.get("domain")),
            "website": _val(f.get("website")),
            "status": _STATUS.get(_val(f.get("status_register")) or "In gebruik", ""),
            "goal": _val(f.get("goal")),
            "risks": _val(f.get("risks")),
            "risk_category": RISK_CATEGORY.get(_val(c.get("ai_act_class")), ""),
            "lawful_basis": _val(f.get("lawful_basis")),
            "DPIA_description": "DPIA uitgevoerd" if _done(dpia) else "",
            "DPIA_url": _val(f.get("dpia_link")) if _done(dpia) else "",
            "AIA_description": "IAMA uitgevoerd" if _done(f.get("iama_status")) else "",
            "human_intervention": _val(f.get("human_intervention")),
            "standard_version": "0.3.1",
            "uuid": _val(s.get("system_id")),
            "lang": "nl",
            "keywords": _val(s.get("vendor")),
        })
    return pd.DataFrame(rows, columns=EUROCITIES_COLUMNS, dtype=object)


def to_amsterdam(systems: pd.DataFrame, classifications: pd.DataFrame, org: dict) -> list[dict]:
    """Confirmed systems as Amsterdam (Saidot) system cards: sections with Dutch field labels."""
    cards = []
    for s, c in _confirmed(systems, classifications):
        f = _fields(s)
        dpia = f.get("dpia_status") or c.get("dpia_status")
        cards.append({
            "id": _val(s.get("system_id")),
            "Overzicht": {
                "Naam": _val(s.get("name")),
                "Cluster": _val(f.get("cluster") or s.get("department")),
                "Type": _val(f.get("type")),
                "Omschrijving": _val(f.get("goal") or s.get("description")),
            },
            "Accountability": {
                "Organisatie": _val(org.get("name")),
                "Afdeling of team": _val(s.get("department")),
                "Email": _val(f.get("contact_email") or org.get("contact_email")),
                "Leverancier": _val(s.get("vendor")),
            },
            "Dataverwerking": {"Architectuur van het model": _val(f.get("methods_and_models"))},
            "Tegengaan van discriminatie": {"Omschrijving": _val(f.get("non_discrimination"))},
            "Menselijk toezicht": {"Omschrijving": _val(f.get("human_intervention"))},
            "Risico's": {"Omschrijving": _val(f.get("risks"))},
            "Referenties": {
                "Publieke taak": _val(f.get("lawful_basis")),
                "DPIA": (_val(f.get("dpia_link")) or "uitgevoerd") if _done(dpia) else "",
                "AI Impact Assessment": "IAMA uitgevoerd" if _done(f.get("iama_status")) else "",
            },
            "Classificatie": {
                "Publicatiecategorie": _val(f.get("publication_category") or c.get("publication_category")),
            },
        })
    return cards
