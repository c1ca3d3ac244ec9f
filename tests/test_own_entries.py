"""Our own entries in the loaded register are recognised (own_register_entries) and counted in the report."""

from __future__ import annotations

import pandas as pd

from transforms.knowledge.kb import build_kb
from transforms.knowledge.own_entries import OWN_COLUMNS, own_register_entries
from transforms.publish.comparison import compare_with_peers


def _entry(i, organisation, org_code, name):
    return {"entry_key": f"nl:{i}", "source_id": "nl", "organisation": organisation, "org_code": org_code,
            "org_type": "gemeente", "lars": str(i), "name": name, "description_short": "", "goal": "",
            "status": "In gebruik", "categories": [], "publication_category": None, "provider": None,
            "impact_assessments": [], "lawful_basis": "", "begin_date": None, "end_date": None,
            "standard_version": "1.0", "url": f"https://algoritmes.overheid.nl/nl/algoritme/{i}",
            "snapshot_id": "s1", "raw_json": "{}"}


PEERS = pd.DataFrame(
    [_entry(10000000 + i, "Gemeente Aalten", "gm0197", f"Algoritme {i}") for i in range(13)]
    + [_entry(20000001, "Gemeente Oss", "gm0828", "Scanauto"),
       _entry(20000002, "gemeente  aalten", "", "Oud exportrecord")]  # no code: recognised by name
)


def test_own_entries_by_code_and_by_name():
    own = own_register_entries(PEERS, "gm0197", "Gemeente Aalten")
    assert list(own.columns) == OWN_COLUMNS
    assert len(own) == 14
    assert set(own["matched_by"]) == {"org_code", "naam"}
    by_name = own[own["matched_by"] == "naam"].iloc[0]
    assert by_name["name"] == "Oud exportrecord" and "aalten" in by_name["reason"]
    assert own["content_hash"].str.len().eq(16).all()
    assert "organisatiecode gm0197" in own[own["matched_by"] == "org_code"].iloc[0]["reason"]


def test_code_given_as_name_of_the_municipality_still_matches():
    own = own_register_entries(PEERS, None, "Gemeente Aalten")
    assert len(own) == 14
    assert own_register_entries(PEERS, "gm0999", "Gemeente Nergens").empty
    assert own_register_entries(PEERS.iloc[0:0], "gm0197", "Gemeente Aalten").empty


def test_report_sentence_counts_our_published_entries():
    own = own_register_entries(PEERS, "gm0197", "Gemeente Aalten")
    res = compare_with_peers([], pd.DataFrame(columns=["kb_product_id"]), PEERS, build_kb(PEERS),
                             our_org_code="gm0197", own_entries=own)
    text = res["similar"]["samenvatting"]
    assert text.startswith("Wij publiceren 14 algoritmes in het landelijk register")
    assert "Wij publiceren 0" not in text
    assert res["similar"]["organisations"] == ["gm0828"]
