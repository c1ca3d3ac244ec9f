"""Register entries in publication standard 1.0: build, validate, files, and export layouts."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest

from transforms.errors import RegisterValidationError
from transforms.publish.register import (
    to_amsterdam,
    to_eurocities_rows,
    to_national_csv,
    to_national_entry,
    validate_entry,
    validate_file,
)

ORG = {"name": "Gemeente Voorbeeldstad", "code": "gm9999", "contact_email": "algoritmes@voorbeeldstad.nl"}


def system(**fields):
    return {
        "system_id": "AIG-000042", "status": "confirmed", "name": "Anonimiseren van documenten",
        "vendor": "Octobox Nederland B.V.", "department": "Informatiebeheer",
        "description": "Maakt persoonsgegevens in documenten <onleesbaar> voor publicatie. " * 20,
        "fields_json": json.dumps({"owner": "J. Jansen", "goal": "Privacy & Woo", "dpia_status": "uitgevoerd",
                                   "begin_date": "2023-04-17", "category": ["Organisatie en bedrijfsvoering"], **fields}),
    }


CLS = {"system_id": "AIG-000042", "ai_act_class": "minimal", "publication_category": "Overige algoritmes",
       "dpia_required": True, "iama_recommended": False, "dpia_link": "https://voorbeeldstad.nl/dpia.pdf"}


def good_entry():
    return to_national_entry(system(), CLS, ORG)


def test_entry_is_valid_and_has_only_published_fields():
    e = good_entry()
    assert validate_entry(e) == []
    assert e["lang"] == "nld" and e["standard_version"] == "1.0" and e["source_id"] == "AIG-000042"
    assert e["organization"] == "Gemeente Voorbeeldstad" and e["contact_email"] == ORG["contact_email"]
    assert e["impacttoetsen_grouping"] == [{"title": "Data Protection Impact Assessment (DPIA)",
                                           "link": "https://voorbeeldstad.nl/dpia.pdf"}]
    assert e["begin_date"] == "2023-04" and len(html.unescape(e["description_short"])) <= 400
    assert e["goal"] == "<p>Privacy &amp; Woo</p>"
    assert "&lt;onleesbaar&gt;" in e["description_short"]
    assert "J. Jansen" not in json.dumps(e)  # owner is internal, never published


@pytest.mark.parametrize("change, expected", [
    (lambda e: e.pop("name"), "name (Naam): verplicht"),
    (lambda e: e.update(status="Actief"), "status (Status): 'Actief' is niet toegestaan"),
    (lambda e: e.update(publication_category="Hoog-risico AI-systemen"), "publication_category"),
    (lambda e: e.update(category=["Financiën"]), "geen thema"),
    (lambda e: e.update(lang="NLD"), "lang (Taal)"),
    (lambda e: e.update(name="x" * 101), "101 tekens, maximaal 100"),
    (lambda e: e.update(goal="<p>" + "a" * 2501 + "</p>"), "maximaal 2500"),
    (lambda e: e.update(goal="<p>ok</p><script>x</script>"), "HTML-tags niet toegestaan: script"),
    (lambda e: e.update(name="<b>Vet</b>"), "HTML-tags niet toegestaan: b"),
    (lambda e: e.update(begin_date="2023-13"), "yyyy-mm"),
    (lambda e: e.update(contact_email="bel ons"), "geen geldig e-mailadres"),
    (lambda e: e.update(website="www.voorbeeldstad.nl"), "geen URL"),
    (lambda e: e.update(owner="J. Jansen"), "owner: onbekend veld"),
    (lambda e: e.update(impacttoetsen_grouping=[{"link": "https://x.nl"}]), "title ontbreekt"),
])
def test_each_kind_of_bad_entry_is_rejected(change, expected):
    e = good_entry()
    change(e)
    problems = validate_entry(e)
    assert any(expected in p for p in problems), problems


def test_html_is_not_counted_in_length():
    e = good_entry()
    e["goal"] = "<div><p>" + "a" * 2400 + "</p><ul><li>" + "b" * 100 + "</li></ul></div>"
    assert validate_entry(e) == []
    e["contact_email"] = "https://voorbeeldstad.nl/contact"
    assert validate_entry(e) == []


def test_validate_file_json_list_object_and_csv(tmp_path: Path):
    good, bad = good_entry(), dict(good_entry(), status="Actief")
    (tmp_path / "list.json").write_text(json.dumps([good, bad]), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps(good), encoding="utf-8")
    res = validate_file(tmp_path / "list.json")
    assert list(res.values())[0] == [] and len(list(res.values())[1]) == 1
    assert all(v == [] for v in validate_file(tmp_path / "one.json").values())
    csv_path = tmp_path / "export.csv"
    to_national_csv([good, bad]).to_csv(csv_path, index=False, encoding="utf-8-sig", quoting=1)
    res = validate_file(csv_path)
    assert [len(v) for v in res.values()] == [0, 1]
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(RegisterValidationError, match="bad.json"):
        validate_file(tmp_path / "bad.json")


def test_national_csv_layout_flattens_groupings():
    df = to_national_csv([dict(good_entry(), lars="12345678",
                               lawful_basis_grouping=[{"title": "Woo", "link": "https://wetten.overheid.nl/Woo"}])])
    assert list(df.columns)[:3] == ["name", "organization", "description_short"]
    assert df.iloc[0]["algorithm_id"] == "12345678"
    assert df.iloc[0]["lawful_basis_grouping"] == "1: Woo, https://wetten.overheid.nl/Woo"
    assert df.iloc[0]["goal"] == "Privacy & Woo"
    assert df.iloc[0]["category"] == "Organisatie en bedrijfsvoering"


def test_eurocities_and_amsterdam_exports_only_confirmed():
    systems = pd.DataFrame([system(), dict(system(), system_id="AIG-000043", status="rejected")])
    cls = pd.DataFrame([CLS])
    eu = to_eurocities_rows(systems, cls, ORG)
    assert len(eu) == 1 and eu.iloc[0]["uuid"] == "AIG-000042"
    assert eu.iloc[0]["risk_category"] == "minimal risk" and eu.iloc[0]["status"] == "operational"
    assert eu.iloc[0]["DPIA_description"] == "DPIA uitgevoerd" and len(eu.iloc[0]["description_short"]) <= 150
    cards = to_amsterdam(systems, cls, ORG)
    assert len(cards) == 1 and cards[0]["Overzicht"]["Naam"] == "Anonimiseren van documenten"
    assert cards[0]["Accountability"]["Leverancier"] == "Octobox Nederland B.V."
    assert "J. Jansen" not in json.dumps(cards)
