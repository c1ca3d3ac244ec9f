"""Peer snapshots (content hash, new since last snapshot) and the peer comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.knowledge.kb import build_kb
from transforms.publish.comparison import compare_with_peers, comparison_tables
from transforms.publish.peers import content_hash, new_since


def peer(key, org, code, name, provider=None, **kw):
    row = {"entry_key": f"lr:{key}", "organisation": org, "org_code": code, "name": name, "provider": provider,
           "description_short": "x", "goal": "", "status": "In gebruik", "categories": ["Verkeer"],
           "publication_category": "Overige algoritmes", "impact_assessments": ["DPIA"], "lawful_basis": "",
           "begin_date": None, "snapshot_id": "s1", "raw_json": '{"a": 1, "b": 2}'}
    row.update(kw)
    return row


def test_content_hash_ignores_snapshot_and_raw_ordering():
    a = pd.DataFrame([peer(1, "Gemeente Breda", "gm0758", "Chatbot")])
    b = a.copy()
    b["snapshot_id"] = "s2"
    b["raw_json"] = '{"b": 2, "a": 1}'
    assert content_hash(a).iloc[0] == content_hash(b).iloc[0]
    c = a.copy()
    c["status"] = "Buiten gebruik"
    assert content_hash(a).iloc[0] != content_hash(c).iloc[0]


def test_new_since_reports_new_and_changed_entries():
    first = pd.DataFrame([peer(1, "Gemeente Breda", "gm0758", "Chatbot"), peer(2, "Gemeente Ede", "gm0228", "Scan")])
    history = pd.DataFrame({"entry_key": first["entry_key"], "content_hash": content_hash(first)})
    assert len(new_since(history, first)) == 0  # fetching the same again adds nothing
    second = pd.DataFrame([peer(1, "Gemeente Breda", "gm0758", "Chatbot", status="Buiten gebruik"),
                           peer(2, "Gemeente Ede", "gm0228", "Scan"), peer(3, "Gemeente Ede", "gm0228", "Nieuw")])
    changes = new_since(history, second).set_index("entry_key")["change"].to_dict()
    assert changes == {"lr:1": "gewijzigd", "lr:3": "nieuw"}


def test_compare_with_peers():
    peers = pd.DataFrame([
        peer(1, "Gemeente Eindhoven", "gm0772", "Anonimiseren", "Octobox", goal="doel", lawful_basis="Woo"),
        peer(2, "Gemeente Eindhoven", "gm0772", "Parkeercontrole", "Brickyard", goal="doel"),
        peer(3, "Gemeente Amsterdam", "gm0363", "Anonimiseringssoftware", "Octobox B.V."),
        peer(4, "Gemeente Tilburg", "gm0855", "Chatbot", "Tilburg"),
        peer(5, "Gemeente Breda", "gm0758", "Chatbot", "Tilburg"),
        peer(6, "Gemeente Breda", "gm0758", "Scan", None),
    ])
    kb = build_kb(peers)
    kb["match_keys"] = kb["match_keys"].apply(np.array)  # lists come back from DuckDB as arrays
    kb["organisations"] = kb["organisations"].apply(np.array)
    octo = kb[kb["vendor_norm"] == "octobox"].iloc[0]["product_id"]
    brick = kb[kb["vendor_norm"] == "brickyard"].iloc[0]["product_id"]
    ours = [{"name": "Parkeercontrole", "description_short": "x", "status": "In gebruik", "source_id": "AIG-000001",
             "publication_category": "Overige algoritmes"}]
    used = pd.DataFrame({"system_id": ["AIG-000001", "AIG-000002"], "kb_product_id": [brick, octo]})
    res = compare_with_peers(ours, used, peers, kb, our_org_code="gm0758", our_inhabitants=185000,
                           sizes={"gm0855": 227000, "gm0363": 931000, "gm0758": 185000})
    assert [m["product_id"] for m in res["peers"]["gm0772"]["missing_products"]] == [octo]
    assert [m["product_id"] for m in res["peers"]["gm0363"]["missing_products"]] == [octo]
    assert res["peers"]["gm0772"]["fill_rates"]["goal"] == 1.0
    assert res["peers"]["gm0772"]["fill_rates"]["lawful_basis"] == 0.5
    assert res["our"]["fill_rates"]["goal"] == 0.0 and res["our"]["fill_rates"]["name"] == 1.0
    sim = res["similar"]
    assert "gm0855" in sim["organisations"] and "gm0363" not in sim["organisations"]
    assert sim["entries_per_org"]["gm0855"] == 1 and sim["our_entries"] == 1
    assert sim["inhabitants"] == {"gm0855": 227000} and "92.500 tot 370.000 inwoners" in sim["basis"]
    tables = comparison_tables(res)
    assert set(tables) == {"field_fill", "missing_products", "register_size"}
    assert list(tables["field_fill"].columns) == ["field", "ours", "gm0772", "gm0363"]
    assert len(tables["missing_products"]) == 2


def test_compare_without_sizes_and_with_own_register_entries():
    peers = pd.DataFrame([
        peer(1, "Gemeente Breda", "gm0758", "Chatbot", None),
        peer(2, "Gemeente Breda", "gm0758", "Scanauto", None),
        peer(3, "Gemeente Tilburg", "gm0855", "Chatbot", None),
    ])
    own = peers[peers["org_code"] == "gm0758"]
    res = compare_with_peers([], pd.DataFrame(columns=["kb_product_id"]), peers, build_kb(peers),
                             our_org_code="gm0758", own_entries=own)
    sim = res["similar"]
    assert sim["organisations"] == ["gm0855"]  # never ourselves, and no invented sizes
    assert sim["our_entries"] == 2 and sim["our_register_entries"] == 2 and sim["our_aigrip_entries"] == 0
    assert "geen inwonertallen" in sim["basis"]
