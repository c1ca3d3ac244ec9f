"""Amsterdam (Saidot card) connector: saved pages, an index page over local HTTP, bad pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import SourceSpec, load_source
from tests.test_registers_national import RegisterServer
from transforms.errors import SourceFormatError

FIX = Path(__file__).parent / "fixtures" / "registers"


def test_saved_pages_parse_into_peer_entries():
    result = load_source(SourceSpec(id="amsterdam", type="amsterdam_register", path=FIX / "amsterdam"))
    f = result.frame.set_index("row_ref")
    assert result.rows_in == 2 and len(result.quarantine) == 0
    park = f.loc["1001"]
    assert park["entry_key"] == "amsterdam:1001"
    assert park["name"] == "Parkeercontrole met scanauto's"
    assert park["org_code"] == "gm0363" and park["organisation"] == "Gemeente Amsterdam"
    assert park["provider"] == "Egis Parking Services B.V."
    assert park["categories"] == ["Verkeer"]
    assert park["impact_assessments"] == ["DPIA"]
    assert park["lawful_basis"] == "Gemeentewet art. 225 en 234"
    assert "betaald is & meldt" in park["description_short"]
    # a card with only two sections (no datasets, risks, references) is tolerated
    meld = f.loc["1002"]
    assert meld["categories"] == ["Stadsbeheer"] and meld["provider"] is None
    assert meld["description_short"].startswith("Een algoritme stelt een categorie voor")


def test_index_page_over_http_follows_system_links():
    pages = {
        "/": (FIX / "amsterdam_index.html").read_text(encoding="utf-8"),
        "/ai-system/parkeercontrole-scanauto/1001/": (FIX / "amsterdam" / "parkeercontrole.html").read_text(encoding="utf-8"),
        "/ai-system/meldingen-openbare-ruimte/1002/": (FIX / "amsterdam" / "meldingen.html").read_text(encoding="utf-8"),
    }
    with RegisterServer([], pages=pages) as srv:
        result = load_source(SourceSpec(id="amsterdam", type="amsterdam_register", url=srv.url + "/",
                                        options={"backoff": 0.01}))
    assert sorted(result.frame["row_ref"]) == ["1001", "1002"]
    assert [c[1] for c in srv.calls] == list(pages)  # the "over het register" link is not followed


def test_page_without_card_is_a_format_error_naming_the_file(tmp_path: Path):
    bad = tmp_path / "nieuws.html"
    bad.write_text("<html><body><h1>Nieuws</h1><p>Geen register hier.</p></body></html>", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="nieuws.html"):
        load_source(SourceSpec(id="amsterdam", type="amsterdam_register", path=bad))


def test_card_without_name_is_quarantined(tmp_path: Path):
    page = tmp_path / "leeg.html"
    page.write_text('<div class="saidot-system-card"><section data-section="overview"><h2>Overzicht</h2>'
                    "<p>Alleen tekst</p></section></div>", encoding="utf-8")
    result = load_source(SourceSpec(id="amsterdam", type="amsterdam_register", path=page))
    assert len(result.frame) == 0 and len(result.quarantine) == 1 and result.rows_in == 1
