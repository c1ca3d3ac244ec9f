"""Delivery to the national register against a local aanleverapi server: create, update, release,
retract, adoption (no duplicate create), never retracting foreign entries, 401, 422, 5xx, dry run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.delivery import deliver, read_state, state_path
from tests.register_api_server import ROUTES, FakeRegister
from transforms.publish.delivery import fold_state, payload, payload_hash, plan_delivery
from transforms.publish.register import validate_entry
from warehouse import connect, publish_snapshot, replace_table

SPEC = Path(__file__).resolve().parents[2] / "shared" / "reference" / "registers" / "nl_aanleverapi_v1_0_openapi.json"
TOKEN = "geheim-token"


def _entry(name: str, sid: str, **kw) -> dict:
    e = {"name": name, "description_short": f"{name}: korte omschrijving.", "organization": "Gemeente Test",
         "status": "In gebruik", "contact_email": "algoritmes@test.nl", "publication_category": "Impactvolle algoritmes",
         "goal": "<p>Sneller en beter werken.</p>", "lang": "nld", "standard_version": "1.0", "source_id": sid}
    return e | kw


def _setup(tmp_path: Path, url: str, systems: list[tuple[str, str, dict | None]]) -> Path:
    """A config and a snapshot with the given (system_id, status, entry) rows."""
    cfg = {"organisation": {"name": "Gemeente Test", "code": "gm9999", "contact_email": "algoritmes@test.nl"},
           "data_dir": "var", "sources": [],
           "publish": {"national": {"url": url, "organisation_id": "gm9999"}}}
    path = tmp_path / "aigrip.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    _snapshot(tmp_path / "var", systems)
    return path


def _snapshot(data_dir: Path, systems) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    wh = data_dir / "warehouse.duckdb"
    with connect(wh) as con:
        replace_table(con, "systems", pd.DataFrame(
            [{"system_id": sid, "status": st, "name": (e or {}).get("name", sid)} for sid, st, e in systems]))
        replace_table(con, "register_entries", pd.DataFrame(
            [{"system_id": sid, "entry_json": json.dumps(e), "problems": None} for sid, st, e in systems if e],
            columns=["system_id", "entry_json", "problems"]))
    publish_snapshot(wh)


def _run(cfg_path: Path, confirm: bool = True, token: str | None = TOKEN):
    lines: list[str] = []
    report = deliver(load_config(cfg_path), confirm=confirm, token=token, echo=lines.append)
    return report, "\n".join(lines)


def test_fake_server_matches_the_openapi_spec():
    if not SPEC.exists():
        pytest.skip("reference OpenAPI spec not available")
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    declared = {(m, p): {int(c) for c in op["responses"]} for p, ops in spec["paths"].items() for m, op in ops.items()}
    for route, codes in ROUTES.items():
        assert route in declared, route
        assert codes <= declared[route], (route, codes - declared[route])
    required = spec["components"]["schemas"]["AlgorithmIn"]["required"]
    from tests.register_api_server import _REQUIRED
    assert set(required) == set(_REQUIRED)


def test_create_then_release_then_idempotent(tmp_path):
    with FakeRegister() as reg:
        e = _entry("Chatbot Gemeente", "AIG-000001")
        assert validate_entry(e) == []
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", e)])
        report, out = _run(cfg)
        assert report.failed == [] and report.sent == 2
        assert [m for m, _ in reg.writes()] == ["POST", "PUT"]
        assert reg.writes()[1][1].endswith("/release")
        (lars, alg), = reg.algorithms.items()
        assert alg["published"] and alg["entry"]["source_id"] == "AIG-000001" and "lars" not in e
        st = fold_state(read_state(state_path(tmp_path / "var")))["AIG-000001"]
        assert st["lars"] == lars and st["origin"] == "created" and st["version"] == 1
        assert st["hash"] == payload_hash(payload(e, "AIG-000001")) == st["released_hash"]
        assert "aanmaken, vrijgeven" in out
        n = len(reg.writes())
        report, out = _run(cfg)  # nothing changed: no call but the listing
        assert len(reg.writes()) == n and report.counts()["unchanged"] == 1


def test_change_is_an_update_and_a_new_release(tmp_path):
    with FakeRegister() as reg:
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        _run(cfg)
        _snapshot(tmp_path / "var", [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001", goal="<p>Nieuw doel.</p>"))])
        before = len(reg.writes())
        report, _ = _run(cfg)
        assert [m for m, _ in reg.writes()[before:]] == ["PUT", "PUT"]
        (alg,) = reg.algorithms.values()
        assert alg["entry"]["goal"] == "<p>Nieuw doel.</p>" and alg["published"]
        assert fold_state(read_state(state_path(tmp_path / "var")))["AIG-000001"]["version"] == 2


def test_adopts_existing_entry_by_name_instead_of_creating_a_duplicate(tmp_path):
    with FakeRegister() as reg:
        old = reg.add(_entry("Woo-documenten anonimiseren", "ergens-anders", goal="<p>Oud.</p>"))
        foreign = reg.add(_entry("Parkeerhandhaving scanauto", "x"))
        cfg = _setup(tmp_path, reg.url, [("AIG-000002", "confirmed", _entry("Woo-documenten Anonimiseren", "AIG-000002"))])
        report, out = _run(cfg, confirm=False)
        assert reg.writes() == []  # the dry run sends nothing ...
        assert "overgenomen" in out and "goal: register <p>Oud.</p> → aigrip <p>Sneller en beter werken.</p>" in out
        report, out = _run(cfg)
        assert [m for m, _ in reg.writes()] == ["PUT", "PUT"]  # update + release; no POST
        assert len(reg.algorithms) == 2 and reg.algorithms[old]["entry"]["source_id"] == "AIG-000002"
        st = fold_state(read_state(state_path(tmp_path / "var")))["AIG-000002"]
        assert st["lars"] == old and st["origin"] == "adopted"
        assert reg.algorithms[foreign]["published"]


def test_adopts_by_lars_of_the_entry(tmp_path):
    with FakeRegister() as reg:
        lars = reg.add(_entry("Heel andere naam", "?"))
        plans = plan_delivery([{"system_id": "AIG-000003", "state": "vrijgegeven",
                                "entry": _entry("Eigen naam", "AIG-000003", lars=lars)}], {},
                              [{"lars": lars, "name": "Heel andere naam"}])
        assert plans[0].lars == lars and [s.action for s in plans[0].steps] == ["update"]


def test_retract_only_what_aigrip_created_or_adopted(tmp_path):
    with FakeRegister() as reg:
        foreign = reg.add(_entry("Slimme lantaarnpalen", "iemand-anders"))
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        _run(cfg)
        (ours,) = [k for k in reg.algorithms if k != foreign]
        # the chatbot is retired; a retired system that was never delivered stays untouched
        _snapshot(tmp_path / "var", [("AIG-000001", "retired", None), ("AIG-000009", "retired", None)])
        report, out = _run(cfg)
        assert reg.writes()[-1] == ("DELETE", f"/aanleverapi/v1_0/organizations/gm9999/published-algorithms/{ours}/retract")
        assert not reg.algorithms[ours]["published"] and reg.algorithms[foreign]["published"]
        assert "AIG-000009" not in out
        n = len(reg.writes())
        _run(cfg)
        assert len(reg.writes()) == n  # retracted once


def test_concept_and_vrijgegeven_are_sent_but_not_released():
    items = [{"system_id": "AIG-000001", "state": "concept", "entry": _entry("A", "AIG-000001")},
             {"system_id": "AIG-000002", "state": "vrijgegeven", "entry": _entry("B", "AIG-000002")}]
    plans = plan_delivery(items, {}, [])
    assert [[s.action for s in p.steps] for p in plans] == [["create"], ["create"]]


def test_401_is_one_readable_line_and_exit_1(tmp_path, monkeypatch):
    with FakeRegister() as reg:
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        monkeypatch.setenv("AIGRIP_REGISTER_TOKEN", "verlopen")
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--confirm"])
        assert res.exit_code == 1 and "Traceback" not in res.output
        assert "HTTP 401" in res.output and "AIGRIP_REGISTER_TOKEN" in res.output
        assert reg.writes() == []


def test_no_token_refuses_to_send(tmp_path, monkeypatch):
    with FakeRegister() as reg:
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        monkeypatch.delenv("AIGRIP_REGISTER_TOKEN", raising=False)
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--confirm"])
        assert res.exit_code == 1 and "AIGRIP_REGISTER_TOKEN" in res.output
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--dry-run"])
        assert res.exit_code == 0 and "Niets verzonden" in res.output and reg.requests == []


def test_422_fails_that_system_and_the_others_go_on(tmp_path, monkeypatch):
    with FakeRegister() as reg:
        reg.fail("POST", "/algorithms$", 422, times=1)
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("A", "AIG-000001")),
                                         ("AIG-000002", "confirmed", _entry("B", "AIG-000002"))])
        monkeypatch.setenv("AIGRIP_REGISTER_TOKEN", TOKEN)
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--confirm"])
        assert res.exit_code == 1 and "mislukt" in res.output and "HTTP 422" in res.output
        assert len(reg.algorithms) == 1
        recs = read_state(state_path(tmp_path / "var"))
        assert any(r["ok"] is False and r["status"] == 422 for r in recs)
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--confirm"])
        assert res.exit_code == 0 and len(reg.algorithms) == 2  # the next run sends the failed one


def test_422_field_problems_are_named():
    from connectors.register_api import DeliveryError, RegisterApi
    with FakeRegister() as reg:
        api = RegisterApi(reg.url, "gm9999", TOKEN, backoff=0)
        with pytest.raises(DeliveryError) as err:
            api.create({"name": "x", "status": "Kapot"})
        assert err.value.status == 422 and "status:" in str(err.value) and "contact_email: Field required" in str(err.value)


def test_5xx_is_retried_and_a_post_after_5xx_is_not_repeated(tmp_path):
    from connectors.register_api import DeliveryError, RegisterApi
    with FakeRegister() as reg:
        api = RegisterApi(reg.url, "gm9999", TOKEN, backoff=0)
        reg.fail("GET", "/algorithms$", 503, times=2)
        assert api.list_algorithms() == []
        reg.fail("POST", "/algorithms$", 500, times=1)
        with pytest.raises(DeliveryError) as err:
            api.create(_entry("A", "AIG-000001"))
        assert err.value.status == 500 and [m for m, _ in reg.writes()] == ["POST"]
        reg.fail("PUT", "/release$", 502, times=10)
        lars = reg.add(_entry("B", "AIG-000002"), published=False)
        with pytest.raises(DeliveryError, match="bleef falen"):
            api.release(lars)


def test_a_create_lost_in_a_5xx_is_adopted_by_source_id_next_time(tmp_path):
    with FakeRegister() as reg:
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        # the server created it but the answer was lost: simulate by adding it with our source_id
        reg.add(_entry("Chatbot (oud)", "AIG-000001"), published=False)
        report, out = _run(cfg)
        assert [m for m, _ in reg.writes()] == ["PUT", "PUT"] and len(reg.algorithms) == 1
        assert "bron-ID AIG-000001" in out


def test_json_output_for_scripts(tmp_path, monkeypatch):
    with FakeRegister() as reg:
        cfg = _setup(tmp_path, reg.url, [("AIG-000001", "confirmed", _entry("Chatbot", "AIG-000001"))])
        monkeypatch.setenv("AIGRIP_REGISTER_TOKEN", TOKEN)
        res = CliRunner().invoke(app, ["publish", "--config", str(cfg), "--target", "national", "--confirm", "--json"])
        assert res.exit_code == 0
        out = json.loads(res.output)
        assert out["counts"]["create"] == 1 and out["sent"] == 2
        assert out["systems"][0]["lars"] in reg.algorithms and [s["action"] for s in out["systems"][0]["steps"]] == ["create", "release"]
