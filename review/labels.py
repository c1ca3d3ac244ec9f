"""Dutch texts of the review interface: class, status, action and field labels."""

from __future__ import annotations

__all__ = [
    "CLASS_ORDER",
    "CLASS_LABELS",
    "STATUS_LABELS",
    "ACTION_LABELS",
    "FIELD_LABELS",
    "GROUND_LABELS",
    "KIND_LABELS",
    "SIGNAL_LABELS",
    "label",
    "dutch_datetime",
]

# Review priority: most urgent AI-Act class first; unclassified systems last.
CLASS_ORDER: tuple[str, ...] = (
    "prohibited", "high_risk", "needs_review", "transparency", "minimal", "out_of_scope", "not_ai",
)
CLASS_LABELS: dict[str, str] = {
    "prohibited": "Verboden AI-praktijk",
    "high_risk": "Hoog risico",
    "needs_review": "Nader beoordelen",
    "transparency": "Transparantieplicht",
    "minimal": "Minimaal risico",
    "out_of_scope": "Buiten reikwijdte",
    "not_ai": "Geen AI",
}
STATUS_LABELS: dict[str, str] = {
    "queue": "Te beoordelen (wachtrij)",
    "deferred": "Uitgesteld",
    "candidate": "Kandidaat",
    "confirmed": "Bevestigd",
    "rejected": "Afgewezen",
    "retired": "Buiten gebruik",
    "all": "Alle",
}
ACTION_LABELS: dict[str, str] = {
    "confirm": "Bevestigen",
    "reject": "Afwijzen",
    "merge": "Samenvoegen",
    "split": "Bronregels afsplitsen",
    "edit": "Registervelden bewerken",
    "requirement": "Vereiste of maatregel bijgewerkt",
    "assessment": "DPIA/IAMA/FRIA bijgewerkt",
    "review": "Herbeoordeling",
    "defer": "Uitstellen",
    "retire": "Buiten gebruik stellen",
    "erase": "Gewist op verzoek",
    "release": "Vrijgeven (registertekst)",
    "publish": "Publiceren (registertekst)",
    "withdraw": "Depubliceren (registertekst)",
}
FIELD_LABELS: dict[str, str] = {
    "name": "Naam",
    "department": "Afdeling",
    "owner": "Eigenaar (afdeling)",
    "contact_email": "Contact (e-mailadres)",
    "goal": "Doel",
    "description": "Openbare omschrijving",
    "status_register": "Status",
    "publication_category": "Publicatiecategorie",
    "dpia_status": "DPIA-status",
    "iama_status": "IAMA-status",
    "next_review": "Volgende herbeoordeling",
    "kind": "Soort",
    "ground": "Grond",
    "defer_until": "Uitgesteld tot",
}
GROUND_LABELS: dict[str, str] = {
    "not_ai": "Geen AI of algoritme",
    "not_ours": "Niet van onze organisatie",
    "duplicate": "Dubbel",
    "other": "Anders",
}
KIND_LABELS: dict[str, str] = {
    "ai_system": "AI-systeem",
    "algorithm": "Algoritme (geen AI)",
}


# What kind of evidence a detection signal is (transforms/detect: signals.kind).
SIGNAL_LABELS: dict[str, str] = {
    "keyword_strong": "sterk trefwoord",
    "keyword_medium": "trefwoord",
    "keyword_weak": "zwak trefwoord",
    "keyword_negative": "tegen-aanwijzing",
    "vendor": "leverancier",
    "kb_product": "product uit registers van anderen",
    "cpv": "CPV-code",
    "self_declared": "zelf opgegeven",
    "portfolio_field": "veld in applicatieportfolio",
    "cross_source": "andere bron",
    "peer_model": "lijkt op registraties van anderen",
}


def label(table: dict[str, str], code: object, empty: str = "—") -> str:
    """The Dutch label of ``code`` in ``table``; the code itself when unknown; ``empty`` for none."""
    if code is None or code == "":
        return empty
    return table.get(str(code), str(code))


_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")


def dutch_datetime(value: object) -> str:
    """'6 december 2026 10:05' (Europe/Amsterdam) of an ISO time; the text itself when unreadable."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.fromisoformat(str(value)).astimezone(ZoneInfo("Europe/Amsterdam"))
    except (TypeError, ValueError):
        return str(value or "onbekend tijdstip")
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year} {when:%H:%M}"
