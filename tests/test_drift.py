"""Drift against the national register: only in the register, not published, fields that differ; the
table from the pipeline function, the review page, and the report section."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from starlette.testclient import TestClient

from pipelines.config import load_config
from pipelines.drift import compute_drift
from review.app import ReviewSettings, create_app
from review.passwords import hash_password
from transforms.publish.drift import DRIFT_COLUMNS, drift_summary, register_drift
from warehouse import connect, publish_snapshot, replace_table

ENTRY = {"name": "Parkeercontrole scanauto", "description_short": "Controleert betaald parkeren.",
         "status": "In gebruik", "publication_category": "Impactvolle algoritmes", "goal": "<p>Meer controle</p>",
         "provider": "Scancar B.V."}


def _own(**rows):
    return pd.DataFrame([{"entry_key": f"nr:{k}", "lars": k} | v for k, v in rows.items()])


def test_the_three_kinds_with_reasons():
    own = _own(**{
        "11111111": {"name": "Parkeercontrole Scanauto", "goal": "Meer controle", "status": "Buiten gebruik",
                     "provider": None, "categories": ["Verkeer"]},
        "22222222": {"name": "Oude chatbot", "goal": "x"},
        "33333333": {"name": "Afgewezen ding"},
    })
    systems = [
        {"system_id": "AIG-000001", "name": "Parkeercontrole scanauto", "status": "confirmed", "entry": ENTRY, "lars": None},
        {"system_id": "AIG-000002", "name": "Woo anonimiseren", "status": "confirmed",
         "entry": ENTRY | {"name": "Woo anonimiseren", "publication_category": "Overige algoritmes"}, "lars": None},
        {"system_id": "AIG-000003", "name": "Afgewezen ding", "status": "rejected", "entry": None, "lars": None},
        {"system_id": "AIG-000004", "name": "Kandidaat", "status": "candidate", "entry": None, "lars": None},
    ]
    df = register_drift(own, systems)
    assert list(df.columns) == DRIFT_COLUMNS
    got = {(r.kind, r.system_id, r.field) for r in df.itertuples()}
    assert got == {("alleen_in_register", None, None), ("alleen_in_register", "AIG-000003", None),
                   ("niet_gepubliceerd", "AIG-000002", None), ("verschil", "AIG-000001", "Status"),
                   ("verschil", "AIG-000001", "Thema")}
    reasons = dict(zip(df["system_id"].fillna("-") + "/" + df["field"].fillna(""), df["reason"]))
    assert reasons["-/"] == "Staat in het landelijk register (LARS 22222222), maar niet in de inventaris"
    assert "in de inventaris afgewezen (AIG-000003)" in reasons["AIG-000003/"]
    assert "publicatie niet verplicht" in reasons["AIG-000002/"]
    assert reasons["AIG-000001/Status"] == ("Status (LARS 11111111): in het register 'Buiten gebruik', "
                                           "in aigrip 'In gebruik'")
    assert reasons["AIG-000001/Thema"].endswith("in aigrip leeg")
    s = drift_summary(df)
    assert [k["count"] for k in s["kinds"]] == [2, 1, 1] and s["total"] == 4


def test_matching_by_lars_before_name_and_by_own_system_id():
    own = _own(**{"44444444": {"name": "Heel andere naam", "system_id": None},
                  "55555555": {"name": "Nog een naam", "system_id": "AIG-000002"}})
    systems = [{"system_id": "AIG-000001", "name": "X", "status": "confirmed", "entry": {"name": "X"}, "lars": "44444444"},
               {"system_id": "AIG-000002", "name": "Y", "status": "confirmed", "entry": {"name": "Y"}, "lars": None}]
    df = register_drift(own, systems)
    assert set(df["kind"]) == {"verschil"} and set(df["system_id"]) == {"AIG-000001", "AIG-000002"}
    assert register_drift(_own(**{"1": {"name": "X"}}), systems[:1]).empty


@pytest.fixture()
def drift_snapshot(tmp_path):
    cfg = {"organisation": {"name": "Gemeente Test", "code": "gm9999", "contact_email": "a@test.nl"},
           "data_dir": "var", "sources": []}
    (tmp_path / "aigrip.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    config = load_config(tmp_path / "aigrip.yaml")
    config.data_dir.mkdir()
    wh = config.data_dir / "warehouse.duckdb"
    with connect(wh) as con:
        replace_table(con, "systems", pd.DataFrame([
            {"system_id": "AIG-000001", "status": "confirmed", "name": "Parkeercontrole scanauto"},
            {"system_id": "AIG-000002", "status": "confirmed", "name": "Chatbot <b>Gem</b>"}]))
        replace_table(con, "register_entries", pd.DataFrame([
            {"system_id": "AIG-000001", "entry_json": json.dumps(ENTRY)},
            {"system_id": "AIG-000002", "entry_json": json.dumps(ENTRY | {"name": "Chatbot <b>Gem</b>"})}]))
        replace_table(con, "peer_register_entries", pd.DataFrame([
            {"entry_key": "nr:1", "source_id": "nr", "organisation": "Gemeente Test", "org_code": "gm9999",
             "lars": "11111111", "name": "Parkeercontrole scanauto", "status": "In ontwikkeling"},
            {"entry_key": "nr:2", "source_id": "nr", "organisation": "Gemeente Test", "org_code": None,
             "lars": "22222222", "name": "Slimme lantaarnpalen"},
            {"entry_key": "nr:3", "source_id": "nr", "organisation": "Gemeente Anders", "org_code": "gm0001",
             "lars": "33333333", "name": "Iets van een ander"}]))
        from transforms.knowledge.own_entries import own_register_entries  # as the knowledge stage does

        replace_table(con, "own_register_entries", own_register_entries(
            con.execute("SELECT * FROM peer_register_entries").df(), "gm9999", "Gemeente Test"))
        df = compute_drift(con, config)
        replace_table(con, "register_drift", df)
    publish_snapshot(wh)
    return config, df


def test_compute_drift_finds_own_entries_by_code_or_name(drift_snapshot):
    _, df = drift_snapshot
    assert sorted(zip(df["kind"], df["name"])) == [
        ("alleen_in_register", "Slimme lantaarnpalen"), ("niet_gepubliceerd", "Chatbot <b>Gem</b>"),
        ("verschil", "Parkeercontrole scanauto")]


def test_review_page_shows_drift_escaped(drift_snapshot):
    config, _ = drift_snapshot
    pw = "correct horse battery"
    settings = ReviewSettings(data_dir=config.data_dir, organisation="Gemeente Test", secret_key="k" * 32,
                              reviewers=[{"username": "piet", "name": "Piet", "password_hash": hash_password(pw)}])
    client = TestClient(create_app(settings), base_url="http://127.0.0.1")
    assert client.get("/register/afwijkingen", follow_redirects=False).status_code == 303  # signed in only
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "piet", "password": pw, "csrf_token": token, "next": "/"})
    page = client.get("/register/afwijkingen").text
    assert "Afwijkingen van het landelijk algoritmeregister" in page
    assert "Alleen in het landelijk register (1)" in page and "Slimme lantaarnpalen" in page
    assert "Chatbot &lt;b&gt;Gem&lt;/b&gt;" in page and "<b>Gem</b>" not in page
    assert "In ontwikkeling" in page and 'href="/systemen/AIG-000001"' in page


def test_demo_run_has_drift_table_and_report_section(demo_run):
    from warehouse import snapshot_connect

    config = load_config(demo_run)
    with snapshot_connect(config.data_dir) as con:
        df = con.execute("SELECT * FROM register_drift").df()
        confirmed = con.execute("SELECT count(*) FROM systems WHERE status = 'confirmed'").fetchone()[0]
    # the demo municipality has no entries of its own in the national register yet
    assert set(df["kind"]) == {"niet_gepubliceerd"} and len(df) == confirmed
    report = next((config.data_dir / "reports").glob("*/report.html")).read_text(encoding="utf-8")
    assert "Afwijkingen van het landelijk algoritmeregister" in report
    assert f"Niet in het landelijk register: {confirmed}" in report
    site = config.data_dir / "site"
    assert (site / "veranderingen.html").exists() and (site / "downloads" / "algoritmeregister.json").exists()
