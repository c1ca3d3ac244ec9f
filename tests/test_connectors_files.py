"""Portfolio, survey and DPIA register connectors on XLSX/CSV fixtures written here."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest

from connectors.base import SourceSpec
from connectors.dpia import load as load_dpia
from connectors.portfolio import load as load_portfolio
from connectors.survey import load as load_survey
from transforms.errors import SourceFormatError

SURVEY_HEADER = ["ID", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Afdeling",
                 "Welke systemen of toepassingen met algoritmes of AI gebruikt uw afdeling?",
                 "Leverancier (indien bekend)", "Waarvoor gebruikt u het?",
                 "Leert het systeem van data of gebruikt het AI (bijv. voorspellen, herkennen, tekst genereren)?"]


def _xlsx(path, sheet, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _check(result):
    assert result.balanced and result.rows_in == result.rows_loaded + len(result.quarantine) + result.rows_filtered
    return result


def test_portfolio_demo_format(tmp_path):
    path = _xlsx(tmp_path / "p.xlsx", "Applicaties", [
        ["Applicatieportfolio Gemeente Voorbeeldstad"], [],
        ["Applicatie-ID", "Naam applicatie", "Leverancier", "Afdeling", "Omschrijving", "Status", "Applicatiebeheerder"],
        ["APP-001", "Key2Burgerzaken", "Centric", "Burgerzaken", "BRP", "In gebruik", "J. Jansen"],
        [None, "Gem chatbot", "Tilburg", "KCC", "virtuele assistent", "In gebruik", None],
        [None, None, "X", None, None, None, None],
        [],
    ])
    r = _check(load_portfolio(SourceSpec(id="p", type="application_portfolio", path=path)))
    assert list(r.frame["row_ref"]) == ["APP-001", "gem-chatbot"]
    assert r.frame.loc[0, "vendor"] == "Centric" and r.frame.loc[0, "status"] == "In gebruik"
    assert r.quarantine.loc[0, "reason"] == "naam van de applicatie ontbreekt"


def test_portfolio_softwarecatalogus_json(tmp_path):
    objs = [
        {"id": "v1", "naam": "Zaaksysteem", "beschrijving": "Zaakgericht werken", "@self": {"schema": "voorziening"}},
        {"id": "o1", "naam": "Xxllnc", "@self": {"schema": "organisatie"}},
        {"id": "a1", "voorziening": "v1", "leverancier": "o1", "@self": {"schema": "voorzieningaanbod"}},
        {"id": "g1", "voorzieningId": "v1", "status": "Actief", "@self": {"schema": "voorzieninggebruik"}},
        {"id": "g2", "voorzieningId": "onbekend", "@self": {"schema": "voorzieninggebruik"}},
    ]
    path = tmp_path / "sc.json"
    path.write_text(json.dumps({"components": {"objects": objs}}))
    r = _check(load_portfolio(SourceSpec(id="sc", type="application_portfolio", path=path)))
    assert r.frame.loc[0, "name"] == "Zaaksysteem" and r.frame.loc[0, "vendor"] == "Xxllnc"
    assert list(r.quarantine["row_ref"]) == ["g2"]


def test_survey_split_and_privacy(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", "Sheet1", [
        SURVEY_HEADER,
        [1, datetime(2026, 1, 5), datetime(2026, 1, 5), "Piet.Jansen@voorbeeldstad.nl", "Piet Jansen", "Parkeren",
         "Scanauto\nKentekenherkenning; Copilot en ChatGPT", "Arvoo", "handhaving", "Ja"],
        [2, None, None, "anna@voorbeeldstad.nl", "Anna de Vries", "Wonen", None, None, None, "Nee"],
        [3, None, None, None, "Karel", "KCC", "Gem", None, "chatbot", "Weet ik niet"],
    ])
    key1, key2 = b"k" * 32, b"l" * 32
    r = _check(load_survey(SourceSpec(id="u", type="survey", path=path, options={"pseudonym_key": key1})))
    assert list(r.frame["row_ref"]) == ["1-1", "1-2", "1-3", "1-4", "3-1"]
    assert list(r.frame["system"])[:4] == ["Scanauto", "Kentekenherkenning", "Copilot", "ChatGPT"]
    assert r.frame.loc[0, "uses_ai"] and r.frame["uses_ai"].isna().iloc[-1]
    assert r.frame.loc[0, "department"] == "Parkeren" and r.frame.loc[0, "vendor"] == "Arvoo"
    text = r.frame.to_csv() + r.quarantine.to_csv()
    for secret in ("Piet", "Jansen", "anna@", "Anna", "Karel", "voorbeeldstad.nl"):
        assert secret not in text
    assert "respondent_email" not in r.frame.columns and r.frame["respondent_hash"].str.len().eq(16).all()
    other = load_survey(SourceSpec(id="u", type="survey", path=path, options={"pseudonym_key": key2}))
    assert other.frame.loc[0, "respondent_hash"] != r.frame.loc[0, "respondent_hash"]  # keyed: no key, no match
    again = load_survey(SourceSpec(id="u", type="survey", path=path, options={"pseudonym_key": key1}))
    assert again.frame["respondent_hash"].tolist() == r.frame["respondent_hash"].tolist()  # stable per key
    from transforms.privacy.pseudonyms import person_key
    assert r.frame.loc[0, "respondent_hash"] == person_key("piet.jansen@voorbeeldstad.nl", key1)
    assert list(r.quarantine["row_ref"]) == ["2"]


def test_survey_csv_rejected_line_hides_personal_data(tmp_path):
    path = tmp_path / "s.csv"
    lines = [";".join(SURVEY_HEADER), "1;;;a@b.nl;Jan;X;Copilot;;;Ja", "2;;;geheim@b.nl;Geheim;X;extra;;;Ja;te;veel"]
    path.write_text("\n".join(lines), encoding="utf-8")
    r = _check(load_survey(SourceSpec(id="u", type="survey", path=path)))
    assert "geheim" not in r.quarantine.to_csv().lower()


def test_dpia_register(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", "DPIA's", [
        ["Verwerking", "Status", "Datum", "Uitkomst", "Link"],
        ["Scanauto parkeren", "Afgerond", datetime(2024, 3, 1), "Restrisico laag", "https://intranet/dpia/1"],
        ["Chatbot Gem", "In uitvoering", "15-02-2025", None, None],
        ["Fout", "Afgerond", "31-02-2025", None, None],
    ])
    r = _check(load_dpia(SourceSpec(id="d", type="dpia_register", path=path)))
    assert list(r.frame["row_ref"]) == ["scanauto-parkeren", "chatbot-gem"]
    assert str(r.frame.loc[1, "date"].date()) == "2025-02-15"
    assert "31-02-2025" in r.quarantine.loc[0, "reason"]


def test_corrupt_and_protected_xlsx(tmp_path):
    bad = tmp_path / "kapot.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(SourceFormatError, match="not a readable XLSX"):
        load_portfolio(SourceSpec(id="p", type="application_portfolio", path=bad))
    prot = tmp_path / "beveiligd.xlsx"
    prot.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(SourceFormatError, match="password-protected"):
        load_dpia(SourceSpec(id="d", type="dpia_register", path=prot))
