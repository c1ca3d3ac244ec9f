"""The path at a glance: where the municipality stands on its way to control of AI and algorithms.

Six steps (central inventory, DPIAs, register, training, periodic monitoring, transparency to
citizens), each with a status — *niet gestart*, *op weg*, *op orde* — and the figures behind it.
Computed from a period's kpis only, so the report and the review app's start page show the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transforms.monitor.dutch import nl_int, nl_pct

__all__ = ["Step", "grip_checklist", "transparency_kpis", "STATUS_NL", "LITERACY_TARGET_PCT"]

STATUS_NL = {"todo": "niet gestart", "doing": "op weg", "done": "op orde"}
LITERACY_TARGET_PCT = 90.0
_IMPACTFUL = ("Hoog-risico AI-systeem", "Impactvolle algoritmes")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    status: str  # todo / doing / done
    figures: str
    next_step: str = ""

    @property
    def status_nl(self) -> str:
        return STATUS_NL[self.status]


def transparency_kpis(inventory: pd.DataFrame) -> dict[str, float]:
    """Impactful confirmed systems (high-risk or impactful register category) and how many are published."""
    conf = inventory[inventory["status"] == "confirmed"]
    impactful = conf[conf["publication_category"].isin(_IMPACTFUL)]
    return {"impactful_confirmed": float(len(impactful)),
            "impactful_published": float(impactful["published"].fillna(False).astype(bool).sum())}


def _n(k: dict, name: str) -> int:
    v = k.get(name)
    return 0 if v is None or v != v else int(v)


def _inventory(k: dict) -> Step:
    conf, backlog, cand = _n(k, "systems_confirmed"), _n(k, "review_backlog"), _n(k, "systems_candidate")
    figures = f"{nl_int(conf)} bevestigde systemen; {nl_int(backlog)} kandidaten nog te beoordelen"
    if conf + cand == 0:
        return Step("inventory", "Centrale inventaris", "todo", "nog geen systemen gevonden",
                    "Koppel de crediteurenadministratie, het applicatieportfolio en de uitvraag en draai een run.")
    if conf and not backlog:
        return Step("inventory", "Centrale inventaris", "done", figures)
    return Step("inventory", "Centrale inventaris", "doing", figures, "Beoordeel de kandidaten in de wachtrij, grootste impact eerst.")


def _dpia(k: dict) -> Step:
    conf, req, done = _n(k, "systems_confirmed"), _n(k, "dpia_required"), _n(k, "dpia_done")
    if not conf:
        return Step("dpia", "DPIA's", "todo", "nog geen bevestigde systemen om te beoordelen")
    if not req:
        return Step("dpia", "DPIA's", "done", f"bij geen van de {nl_int(conf)} bevestigde systemen is een DPIA verplicht")
    figures = f"{nl_int(done)} van {nl_int(req)} verplichte DPIA's afgerond ({nl_pct(done, req)})"
    if done >= req:
        return Step("dpia", "DPIA's", "done", figures)
    return Step("dpia", "DPIA's", "doing" if done else "todo", figures, "Start de ontbrekende DPIA's (zie de aandachtslijst).")


def _register(k: dict) -> Step:
    conf, pub = _n(k, "systems_confirmed"), _n(k, "published")
    if not conf:
        return Step("register", "Algoritmeregister", "todo", "nog geen bevestigde systemen")
    figures = f"{nl_int(pub)} van {nl_int(conf)} bevestigde systemen met een registerbeschrijving ({nl_pct(pub, conf)})"
    status = "done" if pub >= conf else ("doing" if pub else "todo")
    return Step("register", "Algoritmeregister", status, figures, "" if status == "done" else "Vul de registervelden aan.")


def _training(k: dict) -> Step:
    if not _n(k, "literacy_records"):
        return Step("training", "Training (AI-geletterdheid)", "todo", "geen trainingsregister gekoppeld",
                    "Voeg de LMS-export toe als bron 'training_register'.")
    trained, required = _n(k, "literacy_trained"), _n(k, "literacy_required")
    pct = k.get("literacy_coverage_pct")
    if pct is None or not required:
        return Step("training", "Training (AI-geletterdheid)", "doing",
                    f"{nl_int(k.get('literacy_people', 0))} medewerkers in het trainingsregister; aantal dat getraind moet worden onbekend",
                    "Voeg een bron 'headcount' toe of vul 'literacy.headcount' in.")
    figures = f"{nl_int(min(trained, required))} van {nl_int(required)} medewerkers getraind ({nl_pct(pct)})"
    status = "done" if pct >= LITERACY_TARGET_PCT else ("doing" if trained else "todo")
    return Step("training", "Training (AI-geletterdheid)", status, figures,
                "" if status == "done" else f"Doel: {nl_pct(LITERACY_TARGET_PCT)} van wie getraind moet worden.")


def _monitoring(k: dict, periods: list[str]) -> Step:
    n = len(periods)
    overdue = k.get("reviews_overdue")
    figures = f"{nl_int(n)} maandrapport{'en' if n != 1 else ''}"
    if overdue is not None:
        figures += f"; {nl_int(overdue)} herbeoordeling{'en' if overdue != 1 else ''} over tijd"
    if not n:
        return Step("monitoring", "Periodieke monitoring", "todo", "nog geen rapport")
    recent = sorted(periods)[-3:]
    months = [int(p[:4]) * 12 + int(p[5:7]) for p in recent]
    steady = len(recent) == 3 and months[-1] - months[0] == 2
    if steady and not overdue:
        return Step("monitoring", "Periodieke monitoring", "done", figures)
    return Step("monitoring", "Periodieke monitoring", "doing", figures,
                "Plan de herbeoordelingen die over tijd zijn." if overdue else "Draai elke maand een rapport.")


def _transparency(k: dict) -> Step:
    conf, imp, imp_pub, pub = (_n(k, "systems_confirmed"), _n(k, "impactful_confirmed"), _n(k, "impactful_published"),
                               _n(k, "published"))
    if not conf:
        return Step("transparency", "Transparantie naar inwoners", "todo", "nog geen bevestigde systemen")
    if not imp:
        return Step("transparency", "Transparantie naar inwoners", "done" if pub else "doing",
                    f"geen hoog-risico of impactvolle algoritmes; {nl_int(pub)} systemen gepubliceerd")
    figures = f"{nl_int(imp_pub)} van {nl_int(imp)} hoog-risico en impactvolle algoritmes openbaar ({nl_pct(imp_pub, imp)})"
    status = "done" if imp_pub >= imp else ("doing" if imp_pub else "todo")
    return Step("transparency", "Transparantie naar inwoners", status, figures,
                "" if status == "done" else "Publiceer eerst de impactvolle algoritmes in het register.")


def grip_checklist(kpis: dict[str, float], periods: list[str]) -> list[Step]:
    """The six steps for a period's ``kpis``; ``periods`` are the periods with figures up to it."""
    return [_inventory(kpis), _dpia(kpis), _register(kpis), _training(kpis), _monitoring(kpis, periods),
            _transparency(kpis)]
