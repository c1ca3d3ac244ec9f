"""Dutch labels for the codes aigrip stores (AI-Act classes, Annex III areas, signal kinds, DPIA
rules), for pages, exports and reports that municipal users read."""

from __future__ import annotations

__all__ = ["SOURCE_TYPE_LABELS",
    "AI_ACT_CLASS_LABELS",
    "ANNEX_III_AREA_LABELS",
    "PUBLICATION_CATEGORIES",
    "SIGNAL_KIND_LABELS",
    "DPIA_RULE_LABELS",
    "STATUS_LABELS",
    "REGISTER_FIELD_LABELS",
    "label",
]

AI_ACT_CLASS_LABELS = {
    "prohibited": "Verboden AI-praktijk (art. 5)",
    "high_risk": "Hoog-risico AI-systeem",
    "transparency": "AI-systeem met transparantieverplichting (art. 50)",
    "minimal": "AI-systeem met minimaal risico",
    "not_ai": "Geen AI-systeem (wel een algoritme)",
    "out_of_scope": "Buiten de AI-verordening",
    "needs_review": "Nog te beoordelen",
}

ANNEX_III_AREA_LABELS = {
    "1": "Biometrie",
    "2": "Kritieke infrastructuur",
    "3": "Onderwijs en beroepsopleiding",
    "4": "Werkgelegenheid en personeelsbeheer",
    "5": "Essentiële particuliere en openbare diensten",
    "5a": "Toegang tot uitkeringen en overheidsdiensten",
    "5b": "Kredietwaardigheid",
    "5c": "Levens- en ziektekostenverzekering",
    "5d": "Noodoproepen en triage",
    "6": "Rechtshandhaving",
    "7": "Migratie, asiel en grenstoezicht",
    "8": "Rechtsbedeling en democratische processen",
}

# Register fields (publication standard 1.0 keys and the peer-table names) as the register shows them.
REGISTER_FIELD_LABELS = {
    "name": "Naam", "description_short": "Korte omschrijving", "organization": "Organisatie",
    "category": "Thema", "categories": "Thema", "status": "Status", "begin_date": "Begindatum",
    "end_date": "Einddatum", "contact_email": "Contactgegevens", "publication_category": "Publicatiecategorie",
    "goal": "Doel en impact", "proportionality": "Afwegingen", "human_intervention": "Menselijke tussenkomst",
    "risks": "Risicobeheer", "lawful_basis": "Wettelijke basis", "impact_assessments": "Impacttoetsen",
    "impacttoetsen_grouping": "Impacttoetsen", "source_data": "Gegevens", "methods_and_models": "Technische werking",
    "provider": "Leverancier",
}

# Inventory status of a system (systems.status).
STATUS_LABELS = {
    "candidate": "Kandidaat (te beoordelen)",
    "confirmed": "Bevestigd",
    "rejected": "Afgewezen",
    "retired": "Buiten gebruik",
}

PUBLICATION_CATEGORIES = ("Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes")

SIGNAL_KIND_LABELS = {
    "keyword_strong": "Sterke AI-term",
    "keyword_medium": "Middelsterke AI-term",
    "keyword_weak": "Zwakke aanwijzing",
    "keyword_negative": "Tegenaanwijzing",
    "vendor": "Leverancier of product",
    "kb_product": "Geregistreerd door andere organisaties",
    "cpv": "CPV-code",
    "self_declared": "Opgegeven in de uitvraag",
    "portfolio_field": "Veld in het applicatieportfolio",
}

DPIA_RULE_LABELS = {
    "D0": "Geen DPIA-criterium herkend",
    "D1": "Profilering met rechtsgevolgen (AVG art. 35 lid 3 a)",
    "D2": "Bijzondere persoonsgegevens op grote schaal (AVG art. 35 lid 3 b)",
    "D3": "Monitoring van openbare ruimte (AVG art. 35 lid 3 c)",
    "D4": "AP-lijst verplichte DPIA",
    "D5": "Twee of meer EDPB-criteria",
    "D6": "Hoog-risico AI-systeem (AI-verordening art. 26 lid 9)",
    "D8": "generatieve AI van een externe aanbieder (AVG art. 35 lid 1; standpunt Rijksoverheid generatieve AI)",
}

_TABLES = {
    "ai_act_class": AI_ACT_CLASS_LABELS,
    "annex_iii_area": ANNEX_III_AREA_LABELS,
    "signal_kind": SIGNAL_KIND_LABELS,
    "dpia_rule": DPIA_RULE_LABELS,
}


def label(code: object, kind: str = "ai_act_class") -> str:
    """Dutch label of a code (``kind``: ai_act_class, annex_iii_area, signal_kind, dpia_rule);
    an unknown code is returned as text, None as ''."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    table = _TABLES.get(kind, {})
    text = str(code)
    return table.get(text, table.get(text.split(":")[0], text))

# Kinds of source, as municipal users name them (report, review app).
SOURCE_TYPE_LABELS = {
    "spend_ledger": "crediteurenadministratie", "tenderned": "TenderNed", "ted": "TED",
    "application_portfolio": "applicatieportfolio", "survey": "uitvraag", "dpia_register": "DPIA-register",
    "national_register": "landelijk algoritmeregister", "amsterdam_register": "register Amsterdam",
    "eurocities_register": "register (Eurocities)", "training_register": "trainingsregister (LMS)",
    "headcount": "formatie (aantal medewerkers)",
}
