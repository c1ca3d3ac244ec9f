"""The national picture: register entries of many organisations reconciled into national products,
with Splink on DuckDB (default) and on Spark (optional extra; skipped with its reason when absent)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from dagster import materialize
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.config import load_config
from pipelines.defs.national.assets import build_national_assets
from pipelines.resources import AigripResource
from tests.conftest import copy_demo
from transforms.errors import AigripError
from transforms.national import (
    link_records,
    national_clusters,
    national_products,
    national_records,
    prepare_records,
)
from transforms.reconcile.backend import spark_available, splink_api
from warehouse import connect

_DESC_TOTTA = "Scanauto met kentekenherkenning controleert of voor geparkeerde auto's parkeerbelasting is betaald"
_DESC_ZIVVER = "Zivver controleert uitgaande e-mail op gevoelige gegevens en verkeerde ontvangers voor veilig mailen"


def _peer(i: int, org: str, code: str, name: str, desc: str, provider: str | None = None) -> dict:
    return {"entry_key": f"landelijk:{i:08d}", "source_id": "landelijk", "organisation": org, "org_code": code,
            "lars": f"{i:08d}", "name": name, "description_short": desc, "goal": None, "provider": provider}


def peer_entries() -> pd.DataFrame:
    rows = [
        _peer(1, "Gemeente Aadorp", "gm0001", "Totta Datalab parkeerscan", _DESC_TOTTA, "Totta Datalab B.V."),
        _peer(2, "Gemeente Beekdal", "gm0002", "Totta parkeerscan", _DESC_TOTTA + " in de binnenstad", "Totta Datalab"),
        _peer(3, "Gemeente Cranendonk", "gm0003", "Parkeerscan Totta Datalab", _DESC_TOTTA, "TOTTA DATALAB BV"),
        _peer(4, "Gemeente Aadorp", "gm0001", "Zivver", _DESC_ZIVVER),
        _peer(5, "Gemeente Beekdal", "gm0002", "Zivver veilig mailen", _DESC_ZIVVER),
        _peer(6, "Gemeente Cranendonk", "gm0003", "Bijstandsfraude risicomodel",
              "Een rekenregel die aanvragen voor bijstand met een hoog risico voor extra controle selecteert"),
        _peer(7, "Provincie Dijkland", "pv0001", "Subsidiecheck", "Controle van subsidieaanvragen op volledigheid"),
        _peer(8, "Gemeente Beekdal", "gm0002", "Chatbot Gem", "Virtuele assistent op de website beantwoordt vragen"),
    ]
    return pd.DataFrame(rows)


OWN_ORG = {"name": "Gemeente Voorbeeldstad", "code": "gm9999"}
OWN = [{"source_id": "AIG-000007", "name": "Zivver", "provider": "Zivver B.V.", "description_short": _DESC_ZIVVER,
        "organization": "Gemeente Voorbeeldstad"}]


def _groups(records: pd.DataFrame, labels) -> set[frozenset]:
    keys = records["record_key"].tolist()
    by: dict[int, set] = {}
    for k, lab in zip(keys, labels, strict=True):
        by.setdefault(int(lab), set()).add(k)
    return {frozenset(g) for g in by.values()}


EXPECTED = {
    frozenset({"landelijk:00000001", "landelijk:00000002", "landelijk:00000003"}),
    frozenset({"landelijk:00000004", "landelijk:00000005", "eigen:AIG-000007"}),
    frozenset({"landelijk:00000006"}), frozenset({"landelijk:00000007"}), frozenset({"landelijk:00000008"}),
}


def test_records_keep_every_entry_and_mark_own_ones():
    records = national_records(peer_entries(), OWN, OWN_ORG)
    assert len(records) == 9
    assert records["own"].sum() == 1
    own = records[records["own"]].iloc[0]
    assert own["organisation"] == "Gemeente Voorbeeldstad" and own["org_key"] == "gm9999"
    assert len(national_records(pd.DataFrame(), [], OWN_ORG)) == 0


def test_duckdb_links_one_product_across_organisations_with_reasons():
    records = national_records(peer_entries(), OWN, OWN_ORG)
    edges = link_records(records)
    labels = national_clusters(len(records), edges)
    assert _groups(records, labels) == EXPECTED
    products = national_products(records, edges, labels)
    assert len(products) == 5
    top = products.iloc[0]
    assert top["organisation_count"] == 3
    zivver = products[products["example_names"].map(lambda n: "Zivver" in n)].iloc[0]
    assert zivver["registered_by"] == ["Gemeente Aadorp", "Gemeente Beekdal"]
    assert zivver["not_registered_by"] == ["Gemeente Voorbeeldstad"]
    assert "niet in het landelijk register" in zivver["reason"] and "naam gelijk" in zivver["reason"]
    assert zivver["provider"] == "Zivver B.V."
    totta = products[products["provider"].fillna("").str.lower().str.contains("totta")].iloc[0]
    assert "leverancier gelijk" in totta["reason"] and totta["not_registered_by"] == []
    single = products[products["entry_count"] == 1].iloc[0]
    assert "één registratie" in single["reason"]


def test_an_unknown_backend_is_one_readable_error():
    with pytest.raises(AigripError, match="unknown Splink backend 'oracle'"):
        splink_api("oracle")


def _warehouse_with_entries(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo")
    config = load_config(cfg_path)
    with connect(config.warehouse_path) as con:
        con.register("peers", peer_entries())
        con.execute("INSERT INTO peer_register_entries BY NAME SELECT * FROM peers")
        con.execute("INSERT INTO systems BY NAME SELECT 'AIG-000007' AS system_id, 'confirmed' AS status, 'Zivver' AS name")
        con.execute("INSERT INTO register_entries (system_id, entry_json, problems) VALUES (?, ?, NULL)", ["AIG-000007", json.dumps(OWN[0])])
        # published through the register's publication steps (transforms/publish/states.py)
        con.execute("INSERT INTO register_states BY NAME SELECT 'AIG-000007' AS system_id, 'gepubliceerd' AS state, "
                    "1 AS version, 1 AS published_version, ? AS published_entry_json", [json.dumps(OWN[0])])
        # a rejected system's entry never enters the national picture
        con.execute("INSERT INTO systems BY NAME SELECT 'AIG-000008' AS system_id, 'rejected' AS status, 'Geheim' AS name")
        con.execute("INSERT INTO register_entries (system_id, entry_json, problems) VALUES (?, ?, NULL)",
                    ["AIG-000008", json.dumps({"name": "Geheim project", "description_short": "niet publiek"})])
    return cfg_path, config


def test_the_asset_writes_national_products(tmp_path):
    cfg_path, config = _warehouse_with_entries(tmp_path)
    resources = {"aigrip": AigripResource(config_path=str(cfg_path), as_of="2026-12-06")}
    assert materialize(build_national_assets(config), resources=resources).success
    with connect(config.warehouse_path) as con:
        rows = con.execute("SELECT product, organisation_count, not_registered_by, backend, reason "
                           "FROM national_products ORDER BY organisation_count DESC, product").fetchall()
    assert len(rows) == 5 and rows[0][1] == 3, rows
    assert all(r[3] == "duckdb" and r[4] for r in rows)
    assert any(r[2] == ["Gemeente Voorbeeldstad"] for r in rows)


_SPARK_MISSING = spark_available()


@pytest.mark.skipif(_SPARK_MISSING is not None, reason=f"Spark backend not available: {_SPARK_MISSING}")
def test_spark_and_duckdb_give_the_same_clusters():
    from transforms.reconcile.backend import local_spark_session

    records = national_records(peer_entries(), OWN, OWN_ORG)
    spark = local_spark_session(cores=1, memory="512m")
    duck = link_records(records)
    sprk = link_records(records, "spark", spark=spark)
    assert _groups(records, national_clusters(len(records), sprk)) == EXPECTED
    assert sprk[["unique_id_l", "unique_id_r"]].values.tolist() == duck[["unique_id_l", "unique_id_r"]].values.tolist()
    assert (sprk["match_probability"] - duck["match_probability"]).abs().max() < 1e-6


def test_cli_national_json_and_dutch_summary(tmp_path):
    from typer.testing import CliRunner

    from pipelines.cli import app

    cfg_path, _ = _warehouse_with_entries(tmp_path)
    res = CliRunner().invoke(app, ["national", "--config", str(cfg_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["counts"]["national_records"] == 9 and out["counts"]["own_published_entries"] == 1
    assert out["counts"]["national_products"] == 5 and out["counts"]["own_not_registered"] == 1
    assert out["products"][0]["organisation_count"] == 3
    assert "Geheim" not in res.output
    res = CliRunner().invoke(app, ["national", "--config", str(cfg_path)])
    assert res.exit_code == 0 and "Landelijk beeld (duckdb): 9 registraties" in res.output
    assert "niet landelijk: Gemeente Voorbeeldstad" in res.output
    res = CliRunner().invoke(app, ["national", "--config", str(cfg_path), "--backend", "oracle"])
    assert res.exit_code == 1 and "use duckdb or spark" in res.output


@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=20)),
                          st.one_of(st.none(), st.sampled_from(["Zivver", "Totta parkeerscan", "zivver mail"]))),
                max_size=40))
@settings(max_examples=60, deadline=None)
def test_prepared_records_keep_every_row_and_cap_every_block(rows):
    peers = pd.DataFrame([{"entry_key": f"k{i}", "organisation": f"Org {i % 3}", "org_code": None, "name": name or common,
                           "provider": provider, "description_short": name} for i, (name, provider, common) in enumerate(rows)])
    records = national_records(peers)
    assert len(records) == len(rows)
    prepared = prepare_records(records, cap=3)
    assert prepared["unique_id"].tolist() == list(range(len(rows)))
    for col in ("blk_name", "blk_provider"):
        assert prepared[col].dropna().value_counts().le(3).all()
    words = prepared["blk_name_words"].dropna().explode()
    assert words.value_counts().le(3).all()
