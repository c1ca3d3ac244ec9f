"""Quick wins first: rank systems by impact so the largest and most visible are documented first.

Points (0–100), each with its reason in Dutch, so the rank explains itself:

| what | points |
|---|---|
| AI Act class: prohibited 40, high risk 35, still to be assessed 20, transparency duty 15, minimal 5 | ≤ 40 |
| citizen-facing (Art. 50 interaction, an Annex III public-service area, an impactful register category, or words like *inwoners*, *aanvraag*, *chatbot* in its description) | 20 |
| yearly spend in the purchase ledger (logarithmic: € 1.000 ≈ 10, € 100.000 ≈ 17, € 1 mln = 20) | ≤ 20 |
| sources that mention it, beyond the first (3 each) | ≤ 12 |
| departments that use it, beyond the first (4 each) | ≤ 8 |
"""

from __future__ import annotations

import math

import pandas as pd

from transforms.monitor.dutch import nl_money

__all__ = ["score_impact", "CLASS_POINTS", "CITIZEN_WORDS", "IMPACT_COLUMNS"]

CLASS_POINTS = {"prohibited": 40, "high_risk": 35, "needs_review": 20, "transparency": 15, "minimal": 5}
_CLASS_WORDS = {"prohibited": "verboden AI-praktijk", "high_risk": "hoog risico volgens de AI-verordening",
                "needs_review": "risicoklasse nog te beoordelen", "transparency": "transparantieplicht (art. 50)",
                "minimal": "minimaal risico"}
CITIZEN_WORDS = ("inwoner", "burger", "bewoner", "aanvrag", "aanvrager", "chatbot", "chat", "virtuele assistent",
                 "klantcontact", "klant", "website", "publiek", "uitkering", "bijstand", "handhaving", "toeslag",
                 "parkeer", "loket", "openbare ruimte", "melding")
_PUBLIC_AREAS = ("5", "5a", "5b", "5c", "5d", "6", "7", "8")
IMPACT_COLUMNS = ["system_id", "impact_score", "impact_rank", "impact_reason", "citizen_facing",
                  "yearly_spend_eur", "n_sources", "n_departments"]


def _citizen(row) -> str | None:
    if row.ai_act_class == "transparency":
        return "heeft contact met inwoners (art. 50)"
    if str(row.ai_act_area or "") in _PUBLIC_AREAS:
        return "raakt inwoners via een publieke dienst (bijlage III)"
    if str(row.publication_category or "").lower().startswith(("hoog-risico", "impactvol")):
        return f"raakt inwoners ({row.publication_category})"
    text = f" {row.name or ''} {row.description or ''} ".lower()
    hit = next((w for w in CITIZEN_WORDS if w in text), None)
    return f"raakt inwoners (beschrijving noemt '{hit}')" if hit else None


def _spend_points(eur: float) -> float:
    return 0.0 if not eur or eur <= 0 else min(20.0, 20.0 * math.log10(1 + eur) / 6.0)


def score_impact(facts: pd.DataFrame) -> pd.DataFrame:
    """``facts``: system_id, name, description, ai_act_class, ai_act_area, publication_category,
    yearly_spend_eur, n_sources, n_departments. Returns :data:`IMPACT_COLUMNS`, rank 1 = most impact."""
    if facts.empty:
        return pd.DataFrame(columns=IMPACT_COLUMNS)
    rows = []
    for r in facts.itertuples(index=False):
        parts: list[tuple[float, str]] = []
        cls = r.ai_act_class if isinstance(r.ai_act_class, str) else "needs_review"
        if CLASS_POINTS.get(cls):
            parts.append((CLASS_POINTS[cls], _CLASS_WORDS[cls]))
        citizen = _citizen(r)
        if citizen:
            parts.append((20, citizen))
        spend = float(r.yearly_spend_eur) if pd.notna(r.yearly_spend_eur) else 0.0
        if spend > 0:
            parts.append((_spend_points(spend), f"{nl_money(spend)} per jaar in de crediteurenadministratie"))
        n_src = int(r.n_sources) if pd.notna(r.n_sources) else 0
        if n_src > 1:
            parts.append((min(12, 3 * (n_src - 1)), f"{n_src} bronnen"))
        n_dep = int(r.n_departments) if pd.notna(r.n_departments) else 0
        if n_dep > 1:
            parts.append((min(8, 4 * (n_dep - 1)), f"{n_dep} afdelingen"))
        score = round(sum(p for p, _ in parts), 1)
        reason = "; ".join(f"{text} (+{round(p):d})" for p, text in parts) or "geen bijzondere kenmerken"
        rows.append({"system_id": r.system_id, "impact_score": score, "impact_reason": reason,
                     "citizen_facing": citizen is not None, "yearly_spend_eur": round(spend, 2),
                     "n_sources": n_src, "n_departments": n_dep})
    out = pd.DataFrame(rows).sort_values(["impact_score", "yearly_spend_eur", "system_id"],
                                         ascending=[False, False, True], kind="mergesort")
    out["impact_rank"] = range(1, len(out) + 1)
    return out[IMPACT_COLUMNS].reset_index(drop=True)
