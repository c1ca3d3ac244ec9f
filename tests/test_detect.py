"""Detection: vocabulary matching (compounds, false hits), each signal kind, scoring, speed."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from transforms.detect import (
    DEFAULT_THRESHOLD,
    SCORE_COLUMNS,
    SIGNAL_COLUMNS,
    detect_signals,
    score_mentions,
    score_table,
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
