"""The public site: escaped text, only the entries given, one page per system, valid links only."""

from __future__ import annotations

from transforms.publish.site import render_site, strip_html

ORG = {"name": "Gemeente Test", "code": "gm0001", "contact_email": "algoritmes@test.nl"}


def _entry(**kw):
    e = {"name": "Anonimiseren Woo-documenten", "description_short": "<p>Lakt persoonsgegevens</p>",
         "organization": "Gemeente Test", "status": "In gebruik", "publication_category": "Impactvolle algoritmes",
         "category": ["Organisatie en bedrijfsvoering"], "contact_email": "algoritmes@test.nl",
         "goal": "<div><p>Sneller Woo-verzoeken afhandelen.</p><ul><li>minder handwerk</li></ul></div>",
         "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://test.nl/dpia"}],
         "website": "javascript:alert(1)", "lang": "nld", "standard_version": "1.0", "source_id": "AIG-000001"}
    e.update(kw)
    return e


def test_index_and_one_page_per_system():
    files = render_site([("AIG-000001", _entry()), ("AIG-000002", _entry(name="Chatbot"))], ORG)
    assert {"index.html", "algoritme/aig-000001.html", "algoritme/aig-000002.html", "register.json", "style.css"} <= set(files)
    assert "Chatbot" in files["index.html"] and "Anonimiseren Woo-documenten" in files["index.html"]
    page = files["algoritme/aig-000001.html"]
    assert "Sneller Woo-verzoeken afhandelen." in page and "<ul>" in page
    assert 'href="https://test.nl/dpia"' in page
    assert 'lang="nl"' in page and "Naar de inhoud" in page


def test_external_text_is_escaped_and_unsafe_links_dropped():
    files = render_site([("AIG-000001", _entry(name="<script>alert('x')</script> Risico < 5 & \"hoog\""))], ORG)
    for html in (files["index.html"], files["algoritme/aig-000001.html"]):
        assert "<script>" not in html
    assert "Risico &lt; 5 &amp; &#34;hoog&#34;" in files["index.html"]
    assert "javascript:" not in files["algoritme/aig-000001.html"]


def test_empty_register_says_so():
    files = render_site([], ORG)
    assert "nog geen algoritmes gepubliceerd" in files["index.html"]


def test_strip_html_keeps_line_structure():
    assert strip_html("<p>a</p><p>b &amp; c</p>") == "a\nb & c"


# --- search, filters, changes, feed, downloads -------------------------------------------------

import datetime as dt  # noqa: E402
import json  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from tests.site_fixture import build  # noqa: E402
from transforms.publish.register import validate_file  # noqa: E402
from transforms.publish.site import dutch_date  # noqa: E402
from transforms.publish.site_changes import fold_history, register_changes  # noqa: E402


def test_filter_pages_per_theme_category_status_and_department():
    files = build()
    assert {"thema/verkeer.html", "categorie/hoog-risico-ai-systeem.html", "status/in-ontwikkeling.html",
            "afdeling/werk-en-inkomen.html"} <= set(files)
    page = files["thema/sociale-zekerheid.html"]
    assert "Chatbot Gem" in page and "Risicomodel bijstand" in page and "Parkeercontrole" not in page
    index = files["index.html"]
    assert 'data-afdeling="Parkeren"' in index and 'data-thema="Organisatie en bedrijfsvoering|Sociale zekerheid"' in index
    assert '<script src="zoeken.js" defer></script>' in index and "hidden" in index.split('id="zoeken"')[1][:120]


def test_system_page_shows_the_layout_sections_and_its_history():
    page = build()["algoritme/aig-000002.html"]
    for heading in ("Algemene informatie", "Verantwoord gebruik", "Werking", "Metadata", "Geschiedenis"):
        assert f">{heading}</h2>" in page
    assert "Menselijke tussenkomst" in page and "Technische werking" in page and "Nederlands" in page
    assert "6 november 2026</span> — Gewijzigd: Doel en impact" in page


def test_changes_history_additions_changes_withdrawals():
    e1 = {"name": "A", "goal": "x"}
    h = register_changes({}, [("S1", e1), ("S2", {"name": "B"})], dt.datetime(2026, 1, 1))
    assert [(r["system_id"], r["change"]) for r in h] == [("S1", "nieuw"), ("S2", "nieuw")]
    assert register_changes(fold_history(h), [("S1", e1), ("S2", {"name": "B"})], dt.datetime(2026, 1, 2)) == []
    h2 = register_changes(fold_history(h), [("S1", e1 | {"goal": "y", "risks": "z"})], dt.datetime(2026, 1, 3))
    assert [(r["system_id"], r["change"], r["fields"]) for r in h2] == [("S1", "gewijzigd", ["goal", "risks"]),
                                                                         ("S2", "ingetrokken", [])]
    assert h2[1]["name"] == "B"
    assert "S2" not in fold_history(h + h2)


def test_changes_page_and_atom_feed():
    files = build()
    page = files["veranderingen.html"]
    assert "Wat is er veranderd" in page and "6 november 2026" in page and "5 november 2026" in page
    assert "Niet meer gepubliceerd</strong>: Afvalroutes plannen" in page
    assert 'href="algoritme/aig-000005.html"' not in page  # no link to a withdrawn entry
    feed = ET.fromstring(files["feed.xml"].encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 7 and entries[0].find("a:title", ns).text == "Niet meer gepubliceerd: Afvalroutes plannen"
    assert feed.find("a:updated", ns).text.startswith("2026-11-06T09:00:00")
    links = [e.find("a:link", ns) for e in entries]
    assert links[1].get("href") == "https://algoritmes.voorbeeldstad.nl/algoritme/aig-000002.html" and links[0] is None


def test_downloads_in_the_registers_shapes_validate(tmp_path):
    files = build(tmp_path)
    doc = json.loads(files["downloads/algoritmeregister.json"])
    assert set(doc) == {"algoritme_versions", "organisation_details"} and len(doc["algoritme_versions"]) == 4
    assert all(problems == [] for problems in validate_file(tmp_path / "downloads/algoritmeregister.json").values())
    csv_bytes = files["downloads/algoritmeregister.csv"]
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and csv_bytes[3:].decode().startswith('"name","organization"')
    assert files["downloads/algoritmeregister-excel-nl.csv"][3:].decode().startswith('"name";"organization"')
    assert all(p == [] for p in validate_file(tmp_path / "downloads/algoritmeregister-excel-nl.csv").values())


def test_dutch_dates():
    assert dutch_date(dt.date(2026, 12, 6)) == "6 december 2026" and dutch_date("2026-03-12T10:00:00") == "12 maart 2026"


def test_a_withdrawn_entry_keeps_its_address_with_a_notice():
    page = build()["algoritme/aig-000005.html"]
    assert "Afvalroutes plannen" in page and "sinds 6 november 2026 niet meer in het register" in page
    assert "Doel en impact" not in page
