"""Detection: vocabulary matching (compounds, false hits), each signal kind, scoring, speed."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from transforms.classify.table import score_table
from transforms.detect import (
    DEFAULT_THRESHOLD,
    SCORE_COLUMNS,
    SIGNAL_COLUMNS,
    detect_signals,
    score_mentions,
)
from transforms.text import normalise_vendor


def mentions(rows: list[dict]) -> pd.DataFrame:
    base = {"source_type": "spend_ledger", "title": None, "description": None, "vendor": None, "product": None,
            "cpv_codes": None, "raw_json": None}
    out = []
    for i, r in enumerate(rows):
        row = {**base, "source_key": f"t:{i}", **r}
        row["vendor_norm"] = normalise_vendor(row["vendor"]) if row["vendor"] else None
        out.append(row)
    return pd.DataFrame(out)


def scored(rows: list[dict], kb: pd.DataFrame | None = None) -> pd.DataFrame:
    m = mentions(rows)
    return score_mentions(m, detect_signals(m, kb))


def kinds(rows: list[dict], kb: pd.DataFrame | None = None) -> set[str]:
    return set(detect_signals(mentions(rows), kb)["kind"])


@pytest.mark.parametrize("title", [
    "Licentie beeldherkenningssoftware 2025",
    "Kentekenherkenning parkeergarage",
    "Spraak-naar-tekst dienst raadsvergaderingen",
    "Gezichtsherkenningssysteem pilot",
    "Chatbot Gem maandbijdrage",
    "Machine learning model voor prognoses",
    "AI-toepassing Woo",
    "huur handhavingsvoert. + nummerbordherk. Q3",
])
def test_compounds_and_variants_are_found(title):
    s = scored([{"title": title}])
    assert s.loc[0, "is_candidate"], title
    assert s.loc[0, "reasons"]


@pytest.mark.parametrize("title,vendor", [
    ("Onderhoud airco gemeentehuis", "Klimaat Techniek BV"),
    ("Schoonmaak kantoren", "Aivo Schoonmaak B.V."),
    ("Gemeente bijdrage gemeenschapshuis", None),
    ("Bloembakken vlakken schilderen", "Schilder BV"),
    ("Kantoorartikelen", None),
    ("Training AI-verordening voor management", "Opleider BV"),
    ("Masterclass AI & ethiek voor MT", None),
])
def test_no_false_hits_inside_other_words_or_about_the_law(title, vendor):
    s = scored([{"title": title, "vendor": vendor}])
    assert not s.loc[0, "is_candidate"], (title, s.loc[0, "reasons"])


def test_gem_only_as_chatbot():
    sig = detect_signals(mentions([{"title": "gemeentelijke gemeenschappelijke regeling"}]), None)
    assert sig.empty
    assert scored([{"title": "virtuele gemeente-assistent Gem"}]).loc[0, "is_candidate"]


def test_signal_columns_and_tiers():
    sig = detect_signals(mentions([
        {"title": "kunstmatige intelligentie"},
        {"title": "algoritme"},
        {"title": "innovatie"},
    ]), None)
    assert list(sig.columns) == SIGNAL_COLUMNS
    by_key = dict(zip(sig["source_key"], sig["kind"], strict=True))
    assert by_key == {"t:0": "keyword_strong", "t:1": "keyword_medium", "t:2": "keyword_weak"}
    assert sig["reason"].str.len().gt(0).all()


def test_medium_alone_is_no_candidate_but_with_second_signal_it_is():
    s = scored([{"title": "Anonimiseren Woo-besluiten"},
                {"title": "Anonimiseren Woo-besluiten", "source_type": "tenderned", "cpv_codes": ["72316000"]}])
    assert not s.loc[0, "is_candidate"]
    assert s.loc[1, "is_candidate"]
    assert "CPV 72316000" in s.loc[1, "reasons"]


def test_vendor_signal_from_curated_list():
    m = mentions([{"title": "Jaarlicentie", "vendor": "Octobox Nederland B.V."}])
    sig = detect_signals(m, None)
    assert "vendor" in set(sig["kind"])
    assert any("Octobox" in r and "AI-leveranciers" in r for r in sig["reason"])
    assert score_mentions(m, sig).loc[0, "is_candidate"]


def test_product_signal():
    sig = detect_signals(mentions([{"title": "DeepL Pro teamlicentie"}]), None)
    assert "product:DeepL" in set(sig["detail"])


def kb_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "product_id": ["KB-00000001", "KB-00000002"],
        "name": ["Anonimiseringssoftware", "Parkeren"],
        "vendor": ["Octobox", "Gemeente X"],
        "vendor_norm": ["octobox", "gemeente x"],
        "names": [["Anonimiseringssoftware"], ["Parkeren"]],
        "match_keys": [["anonimiseringssoftware", "woo anonimiseren"], ["parkeren"]],
        "org_count": [37, 20],
        "publication_categories": [["Overige algoritmes"], ["Impactvolle algoritmes"]],
    })


def test_kb_product_matches_title_and_explains_peers():
    m = mentions([{"title": "Anonimiseringssoftware jaarabonnement"},
                  {"title": "Anonimiserings software"},
                  {"title": "parkeren garage huur"}])
    sig = detect_signals(m, kb_frame())
    kb = sig[sig["kind"] == "kb_product"]
    assert set(kb["source_key"]) == {"t:0", "t:1"}          # generic 'parkeren' is not matched in a title
    assert "geregistreerd door 37 organisaties als 'Anonimiseringssoftware'" in kb["reason"].iloc[0]
    s = score_mentions(m, sig)
    assert s.loc[0, "kb_product_id"] == "KB-00000001"
    assert s.loc[2, "kb_product_id"] is None


def test_cpv_is_only_a_weak_hint():
    m = mentions([{"title": "Dienstverlening", "source_type": "tenderned", "cpv_codes": np.array(["72316000"])}])
    sig = detect_signals(m, None)
    assert list(sig["kind"]) == ["cpv"]
    assert not score_mentions(m, sig).loc[0, "is_candidate"]


def test_self_declared_survey_answers():
    rows = [{"title": "Tool A", "source_type": "survey", "raw_json": json.dumps({"system": "Tool A", "uses_ai": v})}
            for v in ("Ja", "Weet ik niet", "Nee", True)]
    rows.append({"title": "geen", "source_type": "survey", "raw_json": json.dumps({"system": "geen", "uses_ai": True})})
    m = mentions(rows)
    sig = detect_signals(m, None)
    assert set(sig["kind"]) == {"self_declared"}
    s = score_mentions(m, sig)
    assert list(s["is_candidate"]) == [True, False, False, True, False]
    assert s.loc[0, "ai_score"] > s.loc[1, "ai_score"] > s.loc[2, "ai_score"]


def test_portfolio_fields():
    raw = {"name": "Zaaksysteem", "AI (j/n)": "Ja"}
    raw2 = {"name": "X", "Technologie": "machine learning"}
    m = mentions([{"title": "Zaaksysteem", "source_type": "application_portfolio", "raw_json": json.dumps(raw)},
                  {"title": "X", "source_type": "application_portfolio", "raw_json": json.dumps(raw2)}])
    sig = detect_signals(m, None)
    assert set(sig["kind"]) == {"portfolio_field"}
    assert score_mentions(m, sig)["is_candidate"].all()


def test_score_is_monotone_in_evidence():
    s = scored([
        {"title": "Licentie"},
        {"title": "Licentie algoritme"},
        {"title": "Licentie algoritme", "vendor": "Octobox"},
        {"title": "Licentie algoritme chatbot", "vendor": "Octobox"},
    ])
    assert s["ai_score"].is_monotonic_increasing
    assert s["ai_score"].between(0, 1).all()


def test_negative_context_damps():
    s = scored([{"title": "Copilot"}, {"title": "Copilot beleidskader"}])
    assert s.loc[1, "ai_score"] < s.loc[0, "ai_score"]


def test_every_candidate_has_reasons_and_one_row_per_mention():
    rows = [{"title": t} for t in ["chatbot", "koffie", "beeldherkenning", "algoritme en data-analyse", None]]
    m = mentions(rows)
    s = score_mentions(m, detect_signals(m, None))
    assert list(s.columns) == SCORE_COLUMNS
    assert list(s["source_key"]) == list(m["source_key"])
    assert (s.loc[s["is_candidate"], "reasons"].str.len() > 0).all()


def test_threshold_is_a_parameter():
    m = mentions([{"title": "algoritme"}])
    sig = detect_signals(m, None)
    assert not score_mentions(m, sig, DEFAULT_THRESHOLD).loc[0, "is_candidate"]
    assert score_mentions(m, sig, 0.3).loc[0, "is_candidate"]


def test_empty_inputs():
    empty = mentions([]).reindex(columns=["source_key", "title"])
    assert detect_signals(empty, None).empty
    assert score_mentions(empty, detect_signals(empty, None)).empty


def test_score_table_keeps_rows_in_order():
    df = pd.DataFrame({"Omschrijving": ["Koffie", "Chatbot website", None, "Risicomodel bijstand machine learning",
                                        "Koffie"], "Leverancier": ["DE", "X", None, "Totta Data Lab", "DE"],
                       "Bedrag": [1, 2, 3, 4, 5]}, index=[10, 11, 12, 13, 14])
    out = score_table(df, "Omschrijving", "Leverancier")
    assert len(out) == len(df) and list(out.index) == list(df.index)
    assert list(out["Bedrag"]) == [1, 2, 3, 4, 5]
    for col in ("ai_score", "is_candidate", "reasons", "ai_act_class", "publication_category"):
        assert col in out.columns
    assert list(out["is_candidate"]) == [False, True, False, True, False]
    assert out.loc[13, "ai_act_class"] == "high_risk"


def test_score_table_missing_column_is_readable():
    from transforms.errors import AigripError

    with pytest.raises(AigripError, match="no column 'tekst'"):
        score_table(pd.DataFrame({"a": ["x"]}), "tekst")


def test_100k_rows_vectorised_run_is_fast():
    rng = np.random.default_rng(1)
    titles = np.array([f"Factuur {w} periode {i}" for i in range(3000)
                       for w in ("onderhoud", "licentie beeldherkenning", "schoonmaak")], dtype=object)
    vendors = np.array(["Octobox B.V.", "Aivo Schoonmaak", "Klimaat BV", "Centric"], dtype=object)
    n = 100_000
    m = pd.DataFrame({
        "source_key": [f"l:{i}" for i in range(n)], "source_type": "spend_ledger",
        "title": titles[rng.integers(0, len(titles), n)], "description": None,
        "vendor": vendors[rng.integers(0, len(vendors), n)], "product": None, "cpv_codes": None, "raw_json": None,
    })
    m["vendor_norm"] = m["vendor"].map({v: normalise_vendor(v) for v in vendors})
    start = time.perf_counter()
    s = score_mentions(m, detect_signals(m, kb_frame()))
    took = time.perf_counter() - start
    assert len(s) == n
    assert s["is_candidate"].sum() > 0
    assert took < 10, took


# --- cross-source evidence (transforms/detect/cross.py) -------------------------------------------

def _ledger(title: str, vendor: str, kvk: str | None = None, i: int = 0) -> dict:
    return {"source_key": f"led:{i}", "source_id": "crediteuren", "source_type": "spend_ledger",
            "title": title, "vendor": vendor, "vendor_kvk": kvk}


def _app(name: str, vendor: str, description: str = "", i: int = 0) -> dict:
    return {"source_key": f"app:{i}", "source_id": "portfolio", "source_type": "application_portfolio",
            "title": name, "product": name, "description": description, "vendor": vendor}


def _answer(system: str, vendor: str | None, uses_ai: str = "Ja", resp: str = "1", i: int = 0) -> dict:
    raw = json.dumps({"response_id": resp, "system": system, "uses_ai": uses_ai})
    return {"source_key": f"svy:{resp}-{i}", "source_id": "uitvraag", "source_type": "survey", "title": system,
            "product": system, "vendor": vendor, "raw_json": raw}


def _cross(frame: pd.DataFrame) -> pd.DataFrame:
    sig = detect_signals(frame, None)
    return sig[sig["kind"] == "cross_source"]


def test_vendor_groups_join_kvk_and_unambiguous_abbreviations():
    from transforms.detect.cross import vendor_groups

    names = pd.Series(["mobiele handhaving techniek", "mht", "mob handhaving techniek", "tds", "taxatie data services",
                       "weet ik niet", "intern ontwikkeld", "abc", "alpha beta consult", "alpha bouw compagnie", None,
                       "mobiele handhaving techniek"])
    kvk = pd.Series([None, None, "70042215", "67310452", "67310452", None, None, None, None, None, "12345678",
                     "7004 2215"])
    codes, aliases = vendor_groups(names, kvk)
    assert codes[0] == codes[1] == codes[2] == codes[11]  # one KvK number for two spellings; 'mht' their initials
    assert codes[3] == codes[4] != codes[0]           # same KvK number
    assert codes[5] == codes[6] == -1                 # unknown and in-house suppliers lend nothing
    assert codes[7] != codes[8] and codes[7] != codes[9]  # 'abc' is ambiguous: two suppliers have those initials
    assert codes[10] >= 0                             # a KvK number alone is a supplier too
    assert aliases["mht"] in {"mobiele handhaving techniek", "mob handhaving techniek"}
    assert "abc" not in aliases


def test_abbreviation_with_a_different_kvk_is_another_company():
    from transforms.detect.cross import vendor_groups

    codes, aliases = vendor_groups(pd.Series(["tds", "taxatie data services"]), pd.Series(["11111111", "22222222"]))
    assert codes[0] != codes[1] and not aliases


def test_supplier_of_a_strong_candidate_elsewhere_lends_evidence_to_a_bare_invoice_line():
    m = mentions([
        _app("MHT ScanCar kentekenherkenning", "Mobiele Handhaving Techniek B.V.", "Scanauto", i=0),
        _ledger("onderhoud camera-unit handh.voertuig", "MHT B.V.", i=1),
        _ledger("huur handhavingsvoert. + nummerbordherk. Q3", "Mobiele Handhaving Techniek B.V.", "70042215", i=2),
        _ledger("MHT lease scanvoertuig april", "MOB. HANDHAVING TECHNIEK", "70042215", i=3),
    ])
    sig = detect_signals(m, None)
    s = score_mentions(m, sig).set_index("source_key")
    assert s.loc["led:1", "is_candidate"] and s.loc["led:3", "is_candidate"]
    reason = s.loc["led:1", "reasons"]
    assert "'MHT B.V.' is de afkorting van 'Mobiele Handhaving Techniek B.V.'" in reason
    assert "levert ook 'MHT ScanCar kentekenherkenning' (applicatieportfolio), dat als AI is aangemerkt" in reason
    assert "zelfde KvK-nummer 70042215" in s.loc["led:3", "reasons"]


def test_big_general_supplier_lends_nothing_to_its_many_other_lines():
    rows = [_app("Zaakgericht werken met AI-classificatie", "Grootleverancier B.V.", i=0)]
    rows += [_ledger(f"licentie module {k} 2025", "Grootleverancier B.V.", "55555555", i=k) for k in range(1, 12)]
    assert _cross(mentions(rows)).empty  # 0 of 11 other records are candidates


def test_curated_general_vendor_neither_lends_nor_borrows():
    rows = [_app("Microsoft 365 Copilot", "Microsoft Ireland Operations Ltd", i=0),
            _ledger("Copilot licenties", "Microsoft Ireland Operations Ltd", i=1),
            _ledger("Office licenties", "Microsoft Ireland Operations Ltd", i=2)]
    assert not _cross(mentions(rows))["detail"].str.startswith("vendor:").any()


def test_evidence_only_crosses_sources():
    rows = [_ledger("chatbot licentie 2025", "Praatpaal B.V.", i=0), _ledger("consultancy uren", "Praatpaal B.V.", i=1)]
    assert _cross(mentions(rows)).empty   # both in the same ledger: no other source vouches for the supplier


def test_short_product_name_matches_a_strong_candidate_elsewhere():
    m = mentions([
        _app("Vera", "Conversal B.V.", "Chatbot (virtual agent) voor inwonersvragen", i=0),
        _ledger("conversational agent Vera - maandfee", "CONVERSAL BV", i=1),
        _answer("Vera", None, uses_ai="Weet ik niet", resp="17", i=1),
        _answer("Vera Jansen", None, uses_ai="Nee", resp="18", i=1),
    ])
    sig = detect_signals(m, None)
    s = score_mentions(m, sig).set_index("source_key")
    assert s.loc["svy:17-1", "is_candidate"]
    assert "noemt 'Vera', net als 'Vera' (applicatieportfolio), dat als AI is aangemerkt" in s.loc["svy:17-1", "reasons"]
    assert not s.loc["svy:18-1", "is_candidate"]      # 'Vera Jansen' is not the product 'Vera'


def test_answer_naming_no_system_borrows_nothing():
    rows = [_app("Lingua Machina", "Lingua Machina B.V.", "Neurale machinevertaling", i=0),
            _ledger("machine translation credits", "Lingua Machina B.V.", i=1),
            _answer("geen", "Lingua Machina B.V.", uses_ai="Nee", resp="5", i=1)]
    sig = detect_signals(mentions(rows), None)
    assert sig[(sig["source_key"] == "svy:5-1") & (sig["kind"] == "cross_source")].empty


def test_cross_source_weight_scales_with_the_candidate_share():
    def weight(n_plain: int) -> float:
        rows = [_app("Beeldherkenning wegdek", "Wegscan B.V.", i=0),
                _ledger("beeldherkenning wegdek licentie", "Wegscan B.V.", i=1),
                _ledger("inspectie rapportage", "Wegscan B.V.", i=2)]
        rows += [_ledger(f"overige post {k}", "Wegscan B.V.", i=3 + k) for k in range(n_plain)]
        c = _cross(mentions(rows))
        c = c[(c["source_key"] == "led:2") & c["detail"].str.startswith("vendor:")]
        return float(c["weight"].max()) if len(c) else 0.0

    assert weight(0) > weight(1) > 0
    assert weight(3) == 0.0   # below min_share


@pytest.mark.parametrize("title,expected", [
    ("whatsapp-bot voor inwonersvragen", "keyword_medium"),
    ("scanwagen parkeercontrole", "keyword_strong"),
])
def test_generic_terms_bot_and_scanwagen(title, expected):
    assert expected in kinds([{"title": title}])


def test_bot_is_a_whole_word_only():
    assert kinds([{"title": "botsing met lantaarnpaal, schade"}]) <= {"keyword_weak"}
