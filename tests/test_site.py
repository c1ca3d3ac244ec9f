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
