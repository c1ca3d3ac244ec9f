"""No personal data and nothing unpublished in the public site, its feed and its downloads."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from pipelines.config import load_config
from pipelines.publishing import write_site
from transforms.publish.register import to_national_entry
from warehouse import connect, replace_table

ORG = {"name": "Gemeente Test", "code": "gm9999", "contact_email": "algoritmes@test.nl"}
SECRETS = ["Jan Jansen", "j.jansen@test.nl", "06-12345678", "twijfel over de leverancier", "Geheim project",
           "Interne notitie", "respondent@test.nl"]


def test_site_feed_and_downloads_hold_no_personal_or_unpublished_data(tmp_path):
    (tmp_path / "aigrip.yaml").write_text(yaml.safe_dump(
        {"organisation": ORG, "data_dir": "var", "sources": []}), encoding="utf-8")
    cfg = load_config(tmp_path / "aigrip.yaml")
    cfg.data_dir.mkdir()
    fields = {"owner": "Jan Jansen", "contact_email": "algoritmes@test.nl", "goal": "Sneller werken",
              "dpia_status": "uitgevoerd", "note": "Interne notitie"}
    systems = pd.DataFrame([
        {"system_id": "AIG-000001", "status": "confirmed", "name": "Chatbot", "vendor": "Leverancier B.V.",
         "department": "Klantcontact", "description": "Beantwoordt vragen van inwoners.",
         "fields_json": json.dumps(fields), "decided_by": "j.jansen@test.nl",
         "decision_reason": "twijfel over de leverancier; bel 06-12345678"},
        {"system_id": "AIG-000002", "status": "rejected", "name": "Geheim project", "department": "Directie",
         "description": "respondent@test.nl noemde dit", "fields_json": "{}"},
    ])
    entries = [{"system_id": s["system_id"], "entry_json": json.dumps(to_national_entry(s, {}, ORG)), "problems": None}
               for s in systems.to_dict("records")]
    with connect(cfg.data_dir / "warehouse.duckdb") as con:
        replace_table(con, "systems", systems)
        replace_table(con, "register_entries", pd.DataFrame(entries))
        # the chatbot's entry is published (register states, transforms/publish/states.py); the other is not
        replace_table(con, "register_states", pd.DataFrame([{
            "system_id": "AIG-000001", "state": "gepubliceerd", "version": 1, "published_version": 1,
            "published_by": "fg", "published_at": pd.Timestamp("2026-11-01 10:00"),
            "published_entry_json": entries[0]["entry_json"], "withdrawn_reason": None}]))
        write_site(con, cfg, cfg.data_dir / "site")
        # a second build after the chatbot is withdrawn: the feed and changes page name only what was published
        con.execute("UPDATE systems SET status = 'retired' WHERE system_id = 'AIG-000001'")
        con.execute("UPDATE register_states SET state = 'gedepubliceerd', withdrawn_reason = 'buiten gebruik gesteld' "
                    "WHERE system_id = 'AIG-000001'")
        write_site(con, cfg, cfg.data_dir / "site")
    site = cfg.data_dir / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert {"feed.xml", "veranderingen.html", "algoritmeregister.json", "algoritmeregister.csv"} <= {p.name for p in files}
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in text, (path.name, secret)
    history = (cfg.data_dir / "publish" / "site_changes.jsonl").read_text(encoding="utf-8")
    assert "Niet meer gepubliceerd" not in history and '"change": "ingetrokken"' in history
    assert "Chatbot" in (site / "veranderingen.html").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in history
