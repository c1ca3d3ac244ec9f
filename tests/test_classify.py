"""Classification: one test per rule family, never-minimal guarantees, dates, DPIA join, labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from transforms.classify.rulebook import load_rules
from transforms.classify.systems import (
    CLASSIFICATION_COLUMNS,
    DPIA_MATCH_COLUMNS,
    classify_systems,
    classify_texts,
    match_dpia,
)
from transforms.labels import AI_ACT_CLASS_LABELS, PUBLICATION_CATEGORIES, label


def one(text: str, as_of: str = "2026-07-01") -> pd.Series:
    return classify_texts(pd.Series([text]), as_of).iloc[0]


@pytest.mark.parametrize("text,rule", [
    ("Emotieherkenning bij medewerkers op de werkplek", "AIA-5.1.f"),
    ("Sociale scoring van inwoners op basis van gedrag", "AIA-5.1.c"),
    ("Biometrische categorisering van bezoekers naar etniciteit", "AIA-5.1.g"),
    ("Realtime gezichtsherkenning in de binnenstad voor de politie", "AIA-5.1.h"),
])
def test_prohibited_practices(text, rule):
    r = one(text)
    assert r["ai_act_class"] == "prohibited"
    assert r["ai_act_rule"] == rule
    assert "art. 5" in r["ai_act_reason"] and "verboden sinds 2 februari 2025" in r["ai_act_reason"]
    assert r["needs_review"]
    assert r["publication_category"] == "Hoog-risico AI-systeem"


def test_prohibited_with_carve_out_needs_review():
    r = one("Emotieherkenning bij medewerkers voor medische veiligheid in de werkplaats")
    assert r["ai_act_class"] == "needs_review"
    assert "uitzondering" in r["ai_act_reason"]


def test_omnibus_ban_date_is_in_the_future_before_december_2026():
    before = one("app om naaktbeelden genereren (uitkleed-app)", "2026-07-01")
    after = one("app om naaktbeelden genereren (uitkleed-app)", "2027-01-01")
    assert before["ai_act_class"] == after["ai_act_class"] == "prohibited"
    assert "verboden vanaf 2 december 2026" in before["ai_act_reason"]
    assert "verboden sinds 2 december 2026" in after["ai_act_reason"]


@pytest.mark.parametrize("text,area", [
    ("Risicomodel bijstand: machine learning voorspelt fraude bij aanvragen", "5a"),
    ("CV-screening van sollicitanten met machine learning", "4"),
    ("Zelflerende iVRI verkeerslichten", "2"),
    ("AI-systeem dat kredietwaardigheid van inwoners schat", "5b"),
])
def test_high_risk_annex_iii(text, area):
    r = one(text)
    assert r["ai_act_class"] == "high_risk", r["ai_act_reason"]
    assert r["ai_act_area"] == area
    assert "bijlage III" in r["ai_act_reason"]
    assert "2 december 2027" in r["ai_act_reason"]      # Annex III date after the Digital Omnibus
    assert r["dpia_required"] == (area != "2")        # D6, except critical infrastructure
    assert r["iama_recommended"]
    assert r["publication_category"] == "Hoog-risico AI-systeem"


def test_dpia_needs_two_edpb_criteria_or_generative_ai():
    r = one("Chatbot beantwoordt vragen van inwoners")       # new technology alone: 1 of 9 criteria
    assert not r["dpia_required"] and "1 van de 9 EDPB-criteria (innovatieve technologie" in r["dpia_reason"]
    r = one("Chatbot beantwoordt vragen van kinderen over school")   # + vulnerable data subjects
    assert r["dpia_required"] and r["dpia_rule"] == "D5"
    r = one("ChatGPT voor het schrijven van brieven aan inwoners")
    assert r["dpia_required"] and r["dpia_rule"] == "D8" and "generatieve AI" in r["dpia_reason"]
    assert not one("DeepL vertaling van webteksten")["dpia_required"]


def test_high_risk_obligation_date_switches_from_vanaf_to_sinds():
    text = "Risicomodel bijstand met machine learning"
    assert "gelden vanaf 2 december 2027" in one(text, "2026-07-01")["ai_act_reason"]
    assert "gelden sinds 2 december 2027" in one(text, "2028-01-01")["ai_act_reason"]


def test_annex_iii_without_ai_evidence_is_not_minimal():
    r = one("Risicoselectie bijstand aanvragen")
    assert r["ai_act_class"] == "needs_review"
    assert r["publication_category"] == "Impactvolle algoritmes"
    rule_based = one("Rechtmatigheid bijstand: controle met vaste rekenregels en beslisboom")
    assert rule_based["ai_act_class"] == "not_ai"
    assert rule_based["publication_category"] == "Impactvolle algoritmes"


def test_article_6_3_exception_and_verification_need_review():
    r = one("Machine learning sorteert bijstand aanvragen als voorbereidende taak; medewerker beslist")
    assert r["ai_act_class"] == "needs_review"
    assert "art. 6 lid 3" in r["ai_act_reason"]
    profiled = one("Machine learning risicoprofiel bijstand aanvragen als voorbereidende taak")
    assert profiled["ai_act_class"] == "high_risk"        # profiling: the exception never applies
    verification = one("Gezichtsvergelijking bij identiteitscontrole aan de balie")
    assert verification["ai_act_class"] == "needs_review"


@pytest.mark.parametrize("text,rule", [
    ("Chatbot Gem beantwoordt vragen van inwoners", "AIA-50.1"),
    ("Microsoft 365 Copilot voor medewerkers", "AIA-50.2"),
    ("Deepfake detectie", "AIA-50.4"),
])
def test_transparency_duty(text, rule):
    r = one(text)
    assert r["ai_act_class"] == "transparency"
    assert r["ai_act_rule"] == rule
    assert "2 augustus 2026" in r["ai_act_reason"]


def test_minimal_not_ai_out_of_scope_and_unknown():
    assert one("DeepL machinevertaling van webteksten")["ai_act_class"] == "minimal"
    r = one("Legesberekening met vaste rekenregels")
    assert r["ai_act_class"] == "not_ai" and r["ai_act_rule"] == "AIA-S2"
    assert one("Machine learning voor uitsluitend wetenschappelijk onderzoek")["ai_act_class"] == "out_of_scope"
    unknown = one("Zaaksysteem")
    assert unknown["ai_act_class"] == "needs_review" and unknown["needs_review"]
    assert unknown["ai_act_reason"]


def test_no_prohibited_or_high_risk_text_is_ever_minimal():
    rules = load_rules()
    texts = []
    for r in rules["prohibited"] + rules["high_risk"]:
        groups = r.get("all") or [r["any"]]
        words = [str(g[0]).removeprefix("re:").replace("\\b", "") for g in groups]
        texts.append("machine learning " + " ".join(words))
    out = classify_texts(pd.Series(texts), "2026-07-01")
    assert not out["ai_act_class"].eq("minimal").any(), out[["ai_act_class", "ai_act_rule"]]
    assert out["ai_act_class"].isin(["prohibited", "high_risk", "needs_review", "not_ai"]).all()


@pytest.mark.parametrize("text,rule", [
    ("Risicoprofiel voor heronderzoek uitkering", "D1"),
    ("Registratie van jeugdzorg dossiers", "D2"),
    ("Cameratoezicht met kentekenherkenning in de milieuzone", "D3"),
    ("Vroegsignalering schulden en betalingsachterstand", "D4"),
])
def test_dpia_rules(text, rule):
    r = one(text)
    assert r["dpia_required"], r["dpia_reason"]
    assert r["dpia_rule"] == rule
    assert "DPIA verplicht" in r["dpia_reason"]


def test_dpia_edpb_two_criteria_and_none():
    r = one("Koppeling van BRP en meerdere bronnen over ouderen")  # matching datasets + vulnerable subjects
    assert r["dpia_required"] and r["dpia_rule"] == "D5"
    r0 = one("Vertaling van webteksten")
    assert not r0["dpia_required"] and r0["dpia_rule"] == "D0" and r0["dpia_reason"]


def test_publication_category_and_iama():
    assert one("Parkeerhandhaving met scanauto")["publication_category"] == "Impactvolle algoritmes"
    other = one("DeepL vertaling van webteksten")
    assert other["publication_category"] == "Overige algoritmes"
    assert not other["iama_recommended"] and other["iama_reason"]
    assert set(classify_texts(pd.Series(["a", "chatbot"]))["publication_category"]) <= set(PUBLICATION_CATEGORIES)


def test_classify_texts_keeps_index_and_order():
    s = pd.Series(["chatbot", "zaaksysteem", "chatbot"], index=[5, 3, 9])
    out = classify_texts(s, dt.date(2026, 7, 1))
    assert list(out.index) == [5, 3, 9]
    assert list(out["ai_act_class"]) == ["transparency", "needs_review", "transparency"]


def test_classify_systems_uses_all_texts_behind_a_system():
    systems = pd.DataFrame({"system_id": ["AIG-000001", "AIG-000002", "AIG-000003"],
                            "name": ["Woo-tool", "Inkomenscheck", "Onbekend"], "vendor": ["X", None, None],
                            "description": [None, None, None]})
    texts = pd.DataFrame({"system_id": ["AIG-000001", "AIG-000002", "AIG-000002"],
                          "text": ["Anonimiseren met AI", "bijstand aanvragen", "machine learning risicomodel"]})
    out = classify_systems(systems, texts, "2026-07-01")
    assert list(out.columns) == CLASSIFICATION_COLUMNS
    assert list(out["system_id"]) == ["AIG-000001", "AIG-000002", "AIG-000003"]
    assert list(out["ai_act_class"]) == ["minimal", "high_risk", "needs_review"]
    assert out["ai_act_reason"].str.len().gt(0).all()
    assert classify_systems(systems.iloc[0:0], texts, None).empty


def test_match_dpia_exact_fuzzy_and_missing():
    systems = pd.DataFrame({"system_id": ["A", "B", "C"],
                            "name": ["Octobox Anonimiseren", "Scanauto parkeercontrole", "Iets anders"]})
    dpia = pd.DataFrame({"name": ["octobox anonimiseren", "DPIA scanauto parkeercontrole 2024", "Zaaksysteem"],
                         "status": ["afgerond", "in uitvoering", "afgerond"],
                         "date": ["2024-05-01", "2025-01-10", None], "link": ["https://x/1", None, None]})
    out = match_dpia(systems, dpia)
    assert list(out.columns) == DPIA_MATCH_COLUMNS
    assert out.loc[0, "dpia_match"] == "exact" and out.loc[0, "dpia_status"] == "afgerond"
    assert out.loc[0, "dpia_date"] == dt.date(2024, 5, 1)
    assert out.loc[1, "dpia_match"].startswith("fuzzy") and out.loc[1, "dpia_status"] == "in uitvoering"
    assert out.loc[2, "dpia_match"] is None and out.loc[2, "dpia_status"] is None
    assert match_dpia(systems, None)["dpia_status"].isna().all()


def test_labels_are_dutch_and_complete():
    for code in ("prohibited", "high_risk", "transparency", "minimal", "not_ai", "out_of_scope", "needs_review"):
        assert AI_ACT_CLASS_LABELS[code]
    assert label("high_risk") == "Hoog-risico AI-systeem"
    assert label("5a", "annex_iii_area") == "Toegang tot uitkeringen en overheidsdiensten"
    assert label(None) == "" and label("onbekend") == "onbekend"


def test_every_rule_has_a_legal_source():
    rules = load_rules()
    for family in ("scope", "prohibited", "high_risk", "transparency", "dpia"):
        for r in rules[family]:
            assert r.get("source"), (family, r.get("id"))
            assert r.get("id")
    assert rules["not_ai"]["source"] and rules["edpb"]["source"]
    assert rules["dates"]["annex_iii"] == dt.date(2027, 12, 2)
    assert rules["dates"]["transparency"] == dt.date(2026, 8, 2)
