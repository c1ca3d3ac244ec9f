"""Knowledge base in two levels: kinds of system and their products; no chaining; stable ids; speed."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd

from transforms.knowledge.kb import build_kb, build_kb_levels, kb_summary, name_stems

ANON = "De anonimiseringssoftware wordt ingezet om documenten die de gemeente publiceert te anonimiseren."
MAIL = "Het algoritme helpt om informatie die per e-mail wordt verzonden op de juiste wijze te beveiligen."
PARK = "De scanauto controleert of geparkeerde auto's parkeerbelasting hebben betaald of een vergunning hebben."


def entry(org, name, provider=None, desc="", cats=("Organisatie en bedrijfsvoering",), ia=("DPIA",),
          pub="Overige algoritmes"):
    return {"organisation": f"Gemeente {org}", "org_code": None, "name": name, "provider": provider,
            "description_short": desc, "goal": desc, "categories": list(cats), "impact_assessments": list(ia),
            "publication_category": pub}


def fixture_entries():
    rows = [entry(f"A{i}", "Anonimiseren", "Octobox Nederland B.V.", ANON) for i in range(12)]
    rows += [entry(f"B{i}", "Anonimiseringssoftware", None, ANON) for i in range(8)]
    rows += [entry(f"C{i}", "Octobox Anonimiseren", None, ANON, ia=()) for i in range(5)]
    rows += [entry(f"D{i}", "Datamask anonimiseringstool", None, ANON) for i in range(3)]
    rows += [entry(f"E{i}", "Zivver", None, MAIL) for i in range(6)]
    rows += [entry("F1", "SmartLockr beveiligd mailen", None, MAIL), entry("F2", "Veilig mailen", None, MAIL),
             entry("F3", "Veilig mailen", "nan", MAIL)]
    rows += [entry(f"G{i}", "Parkeercontrole", "Intern ontwikkeld", PARK, cats=("Verkeer",)) for i in range(4)]
    rows += [entry(f"H{i}", "Scanauto", None, PARK, cats=("Verkeer",)) for i in range(3)]
    return pd.DataFrame(rows)


def kind_of(levels: pd.DataFrame, df: pd.DataFrame, name: str) -> set:
    return set(levels.loc[df.index[df["name"] == name], "kind_id"])


def product_of(levels, df, name):
    return set(levels.loc[df.index[df["name"] == name], "product_id"])


def test_two_levels_kinds_hold_products():
    df = fixture_entries()
    kinds, products, levels = build_kb_levels(df)
    anon = kind_of(levels, df, "Anonimiseren")
    assert len(anon) == 1
    for name in ("Anonimiseringssoftware", "Octobox Anonimiseren", "Datamask anonimiseringstool"):
        assert kind_of(levels, df, name) == anon
    # Octobox (by provider and by name) is one product; DataMask another; unnamed software a third
    assert product_of(levels, df, "Anonimiseren") == product_of(levels, df, "Octobox Anonimiseren")
    assert product_of(levels, df, "Datamask anonimiseringstool") != product_of(levels, df, "Anonimiseren")
    assert product_of(levels, df, "Anonimiseringssoftware") != product_of(levels, df, "Anonimiseren")
    mail = kind_of(levels, df, "Zivver")
    assert kind_of(levels, df, "SmartLockr beveiligd mailen") == mail == kind_of(levels, df, "Veilig mailen")
    assert mail != anon
    assert kind_of(levels, df, "Scanauto") == kind_of(levels, df, "Parkeercontrole")
    k = kinds.set_index("kind_id").loc[next(iter(anon))]
    assert k["org_count"] == 28 and k["entry_count"] == 28 and k["name"] == "Anonimiseren"
    assert {"Octobox Nederland B.V.", "Datamask anonimiseringstool"} <= set(k["products"])
    octo = products[products["product_id"].isin(product_of(levels, df, "Anonimiseren"))].iloc[0]
    assert octo["vendor"] == "Octobox Nederland B.V." and octo["vendor_norm"] == "octobox"
    assert octo["kind_id"] == next(iter(anon)) and octo["kind_name"] == "Anonimiseren"
    assert octo["org_count"] == 17 and octo["impact_assessments"] == ["DPIA"]
    assert {"anonimiseren", "octobox anonimiseren"} <= set(octo["match_keys"])


def test_no_nan_vendor_ever():
    kb = build_kb(fixture_entries())
    assert not kb["vendor"].astype(str).str.lower().isin(["nan", "none", ""]).any() or kb["vendor"].isna().any()
    assert all(v is None or (isinstance(v, str) and v.lower() != "nan") for v in kb["vendor"])
    intern = kb[kb["names"].apply(lambda n: "Parkeercontrole" in n)].iloc[0]
    assert intern["vendor"] is None  # "Intern ontwikkeld" is no vendor


def test_generic_words_do_not_chain_kinds():
    # The examples (they are not in the dev half of the register), with descriptions written
    # the way such entries describe themselves, among the other fixture entries.
    rows = [
        entry("S1", "Signalen", None, "Inwoners melden problemen in de openbare ruimte zoals afval en losse stoeptegels."),
        entry("S2", "Meldingen openbare ruimte", None,
              "Inwoners melden problemen in de openbare ruimte; het algoritme kiest de categorie van de melding."),
        entry("S3", "Halt-signaleringsinstrument", None,
              "Een vragenlijst die jongeren na een Halt-straf screent op risico's voor hun ontwikkeling."),
        entry("S4", "Signaleren vogels", None, "Een camera herkent vogels bij windturbines en zet de turbine stil."),
        entry("P3", "Parkeervergunning", None,
              "Bij een aanvraag voor een bewonersvergunning controleert het algoritme of de aanvrager op het adres "
              "woont en hoeveel vergunningen er op dat adres al zijn."),
        entry("P4", "Parkeerdruk", None,
              "Met het parkeerdrukmodel berekenen we hoeveel parkeerplaatsen per straat bezet zijn, op basis van "
              "tellingen, als onderbouwing van beleid."),
    ]
    df = pd.concat([fixture_entries(), pd.DataFrame(rows)], ignore_index=True)
    _, _, levels = build_kb_levels(df)
    kind = dict(zip(df["name"], levels["kind_id"], strict=False))
    assert kind["Signalen"] != kind["Halt-signaleringsinstrument"]
    assert kind["Signalen"] != kind["Signaleren vogels"]
    assert kind["Halt-signaleringsinstrument"] != kind["Signaleren vogels"]
    assert kind["Parkeercontrole"] == kind["Scanauto"]
    assert kind["Parkeercontrole"] != kind["Parkeervergunning"]
    assert kind["Parkeercontrole"] != kind["Parkeerdruk"]


def test_ids_are_stable_and_order_independent():
    df = fixture_entries()
    a = build_kb(df).set_index("product_id")
    b = build_kb(df.sample(frac=1, random_state=3)).set_index("product_id")
    assert sorted(a.index) == sorted(b.index)
    assert a.loc[b.index, "org_count"].tolist() == b["org_count"].tolist()
    assert all(pid.startswith("KB-") and len(pid) == 11 for pid in a.index)


def test_name_stems_ignore_generic_words_and_vendor():
    assert name_stems("Octobox anonimiseren software", "octobox") == ("anonimi",)
    assert name_stems("Algoritme gemeente", "") == ("algoritme gemeente",)


def test_summary_and_empty_input():
    kb = build_kb(fixture_entries())
    summary = kb_summary(kb, limit=2)
    assert len(summary) == 2 and summary[0]["org_count"] >= summary[1]["org_count"] and summary[0]["kind_name"]
    kinds, products, levels = build_kb_levels(pd.DataFrame(columns=["name", "provider", "organisation"]))
    assert list(products.columns)[0] == "product_id" and kinds.empty and levels.empty


def test_1600_entries_from_320_orgs_in_seconds():
    def word(n):  # distinct letter-only product words
        return "pro" + "".join(chr(97 + (n // 26**k) % 26) for k in range(3))

    rows = [entry(f"N{i % 320}", f"{word(i % 150)} verwerking", f"Leverancier {word(i % 45)}",
                  f"Verwerking van aanvragen met {word(i % 150)}") for i in range(1600)]
    start = time.perf_counter()
    kinds, kb, _ = build_kb_levels(pd.DataFrame(rows))
    elapsed = time.perf_counter() - start
    print(f"build_kb on 1600 entries: {elapsed:.2f} s, {len(kinds)} kinds, {len(kb)} products")
    assert len(kb) >= 45 and elapsed < 20


LABELS = Path(__file__).parent / "fixtures" / "kb_labels" / "kb_labels_dev.csv"


def test_labelled_sample_is_complete():
    with LABELS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 200
    assert {"lars", "organisation", "name", "kind", "product"} <= set(rows[0])
    assert all(r["kind"] for r in rows) and len({r["lars"] for r in rows}) == len(rows)


def test_detection_reasons_never_show_a_nan_vendor():
    import numpy as np

    from transforms.detect.sources import kb_key_index
    from transforms.detect.vocabulary import load_vocabulary

    kb = build_kb(fixture_entries())
    kb["vendor"] = kb["vendor"].where(kb["vendor"].notna(), np.nan)  # as read back from DuckDB
    kb["vendor_norm"] = kb["vendor_norm"].where(kb["vendor_norm"].notna(), np.nan)
    _, _, vendors, _ = kb_key_index(kb, load_vocabulary())
    assert "nan" not in vendors and all(v[0] != "nan" for v in vendors.values())
    assert "octobox" in vendors and vendors["octobox"][0] == "Octobox Nederland B.V."
