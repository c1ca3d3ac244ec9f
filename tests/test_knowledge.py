"""Knowledge base: grouping peer entries into products, deterministic ids, speed."""

from __future__ import annotations

import time

import pandas as pd

from transforms.knowledge.kb import build_kb, kb_summary, name_stems


def entry(org, name, provider, cats=("Organisatie en bedrijfsvoering",), ia=("DPIA",), pub="Overige algoritmes"):
    return {"organisation": f"Gemeente {org}", "org_code": None, "name": name, "provider": provider,
            "categories": list(cats), "impact_assessments": list(ia), "publication_category": pub}


def fixture_entries():
    rows = [entry(f"A{i}", "Anonimiseren", "Octobox Nederland B.V.") for i in range(20)]
    rows += [entry(f"B{i}", "Anonimiseringssoftware", "OCTOBOX") for i in range(10)]
    rows += [entry(f"C{i}", "Octobox anonimiseren", "Octobox BV", ia=()) for i in range(7)]
    rows += [entry("D1", "Anonimiseren", "Xxllnc"), entry("D2", "Anonimiseren", "xxllnc B.V.")]
    rows += [entry(f"E{i}", "Kentekencamerahandhaving Milieuzone", "Brickyard B.V.", cats=("Verkeer",)) for i in range(4)]
    rows += [entry("E9", "Kentekencamerahandhaving Zero Emissie Zone", "Brickyard", cats=("Verkeer",))]
    rows += [entry("F1", "Parkeercontrole", "Intern ontwikkeld", cats=("Verkeer",)),
             entry("F2", "Parkeercontrole met scanauto", None, cats=("Verkeer",))]
    rows += [entry("G1", "Chatbot Gem", "Gemeente Tilburg")]
    return pd.DataFrame(rows)


def by_name(kb, name):
    return kb[kb["names"].apply(lambda n: name in n)].iloc[0]


def test_known_groups():
    kb = build_kb(fixture_entries())
    octo = by_name(kb, "Anonimiseringssoftware")
    assert octo["vendor_norm"] == "octobox"
    assert octo["names"] == ["Anonimiseren", "Anonimiseringssoftware", "Octobox anonimiseren"]
    assert octo["org_count"] == 37 and octo["entry_count"] == 37 and octo["name"] == "Anonimiseren"
    assert {"anonimiseren", "anonimiseringssoftware", "octobox anonimiseren"} <= set(octo["match_keys"])
    assert octo["impact_assessments"] == ["DPIA"] and octo["categories"] == ["Organisatie en bedrijfsvoering"]
    xx = kb[kb["vendor_norm"] == "xxllnc"].iloc[0]
    assert xx["org_count"] == 2 and xx["product_id"] != octo["product_id"]  # same name, other vendor
    brick = kb[kb["vendor_norm"] == "brickyard"]
    assert len(brick) == 2  # milieuzone and zero-emissiezone are different products
    park = by_name(kb, "Parkeercontrole")
    assert park["entry_count"] == 2 and park["vendor_norm"] is None
    assert kb.iloc[0]["product_id"] == octo["product_id"]  # most organisations first
    assert all(pid.startswith("KB-") and len(pid) == 11 for pid in kb["product_id"])
    assert kb["product_id"].is_unique


def test_ids_are_stable_and_order_independent():
    df = fixture_entries()
    a = build_kb(df).set_index("product_id")
    b = build_kb(df.sample(frac=1, random_state=3)).set_index("product_id")
    assert sorted(a.index) == sorted(b.index)
    assert a.loc[b.index, "org_count"].tolist() == b["org_count"].tolist()


def test_generic_words_and_vendor_name_are_ignored():
    assert name_stems("Octobox anonimiseren software", "octobox") == ("anonimi",)
    assert name_stems("Algoritme gemeente", "") == ("algoritme gemeente",)


def test_summary_and_empty_input():
    kb = build_kb(fixture_entries())
    summary = kb_summary(kb, limit=2)
    assert len(summary) == 2 and summary[0]["org_count"] == 37 and summary[0]["vendor"]
    assert list(build_kb(pd.DataFrame(columns=["name", "provider", "organisation"])).columns)[0] == "product_id"


def test_1600_entries_from_320_orgs_in_seconds():
    def word(n):  # distinct letter-only product words: numbers are not part of a name stem
        return "pro" + "".join(chr(97 + (n // 26**k) % 26) for k in range(3))

    rows = [entry(f"N{i % 320}", f"{word(i % 150)} verwerking", f"Leverancier {word(i % 45)}") for i in range(1600)]
    start = time.perf_counter()
    kb = build_kb(pd.DataFrame(rows))
    elapsed = time.perf_counter() - start
    print(f"build_kb on 1600 entries: {elapsed:.2f} s, {len(kb)} products")
    assert len(kb) > 100 and elapsed < 10
