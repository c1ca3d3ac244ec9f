"""A small published register for the site tests: entries over several themes, categories, statuses and
departments, built twice so that the changes page and the feed have additions, a change and a withdrawal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from transforms.publish.site import render_site
from transforms.publish.site_changes import fold_history, register_changes

ORG = {"name": "Gemeente Voorbeeldstad", "code": "gm9999", "contact_email": "algoritmes@voorbeeldstad.nl"}


def entry(sid: str, name: str, **kw) -> dict:
    e = {"name": name, "description_short": f"{name}: wat het algoritme doet, in een paar zinnen voor inwoners.",
         "organization": "Gemeente Voorbeeldstad", "status": "In gebruik", "contact_email": "algoritmes@voorbeeldstad.nl",
         "publication_category": "Impactvolle algoritmes", "category": ["Organisatie en bedrijfsvoering"],
         "goal": "<p>Sneller en zorgvuldiger werken.</p><ul><li>minder handwerk</li><li>minder fouten</li></ul>",
         "human_intervention": "<p>Een medewerker beoordeelt elke uitkomst.</p>",
         "risks": "<p>Fouten in de brongegevens; we controleren steekproefsgewijs.</p>",
         "lawful_basis": "<p>Gemeentewet</p>", "provider": "Leverancier B.V.",
         "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://voorbeeldstad.nl/dpia"}],
         "source_data": "<p>Aanvragen en de Basisregistratie Personen.</p>",
         "methods_and_models": "<p>Een getraind taalmodel dat teksten indeelt.</p>",
         "lang": "nld", "standard_version": "1.0", "source_id": sid}
    return e | kw


ENTRIES = [
    ("AIG-000001", entry("AIG-000001", "Woo-verzoeken anonimiseren", category=["Organisatie en bedrijfsvoering"])),
    ("AIG-000002", entry("AIG-000002", "Parkeercontrole met scanauto", category=["Verkeer"], provider="Scancar B.V.",
                         publication_category="Hoog-risico AI-systeem")),
    ("AIG-000003", entry("AIG-000003", "Chatbot Gem", category=["Organisatie en bedrijfsvoering", "Sociale zekerheid"],
                         publication_category="Overige algoritmes", status="In ontwikkeling")),
    ("AIG-000004", entry("AIG-000004", "Risicomodel bijstand", category=["Sociale zekerheid"],
                         publication_category="Hoog-risico AI-systeem", status="Buiten gebruik")),
]
META = {"AIG-000001": {"department": "Informatiebeheer"}, "AIG-000002": {"department": "Parkeren"},
        "AIG-000003": {"department": "Klantcontact"}, "AIG-000004": {"department": "Werk en Inkomen"}}


def build(out: Path | None = None) -> dict[str, str | bytes]:
    """The site after two builds (5 and 6 november 2026); written to ``out`` when given."""
    first = [*ENTRIES, ("AIG-000005", entry("AIG-000005", "Afvalroutes plannen", category=["Natuur en milieu"]))]
    history = register_changes({}, first, dt.datetime(2026, 11, 5, 9, 0))
    second = [(sid, e | ({"goal": "<p>Nieuw doel.</p>"} if sid == "AIG-000002" else {})) for sid, e in ENTRIES]
    history += register_changes(fold_history(history), second, dt.datetime(2026, 11, 6, 9, 0))
    files = render_site(second, ORG, generated_at=dt.datetime(2026, 12, 6, 10, 0), meta=META, changes=history,
                        site_url="https://algoritmes.voorbeeldstad.nl")
    if out is not None:
        for rel, content in files.items():
            p = out / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
    return files
