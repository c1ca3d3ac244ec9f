"""Every CLI command: help text, a real invocation, and readable errors (never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()
COMMANDS = ["run", "status", "export", "report", "classify", "validate", "serve", "ui", "hash-password", "erase",
            "review list", "review show", "review decide", "quarantine"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    res = runner.invoke(app, [*command.split(), "--help"])
    assert res.exit_code == 0 and "Usage" in res.output
    assert len(res.output.split("\n")) > 3


def test_status_json_has_the_contract_keys(demo_run):
    res = runner.invoke(app, ["status", "--config", str(demo_run), "--json"])
    assert res.exit_code == 0, res.output
    st = json.loads(res.output)
    assert set(st) >= {"organisation", "last_run", "sources", "mentions", "peer_register_entries", "peer_organisations",
                       "kb_products", "candidates", "systems", "review_queue", "decisions"}
    assert set(st["systems"]) == {"candidate", "confirmed", "rejected", "retired"}
    for s in st["sources"].values():
        assert set(s) >= {"type", "rows_in", "rows_loaded", "rows_quarantined", "rows_filtered", "error"}
        assert isinstance(s.get("redacted", {}), dict)  # personal data redacted per kind (docs/security.md)
        assert s["rows_in"] == s["rows_loaded"] + s["rows_quarantined"] + s["rows_filtered"]
    human = runner.invoke(app, ["status", "--config", str(demo_run)])
    assert human.exit_code == 0 and "crediteuren_2025" in human.output


def test_export_then_validate(demo_run, tmp_path):
    res = runner.invoke(app, ["export", "--config", str(demo_run), "--format", "national-json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["validate", str(tmp_path / "register.json")])
    assert res.exit_code == 0, res.output
    assert "valid" in res.output


def test_validate_rejects_a_bad_entry(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x" * 150, "status": "Kapot", "organization": "G", "lang": "nld",
                               "unknown_key": 1}), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) >= 3 and all(ln.startswith("bad.json:") for ln in lines)


@pytest.mark.parametrize("fmt", ["inventory", "site", "national-csv", "national-xlsx", "eurocities-csv", "amsterdam",
                                 "peer-comparison"])
def test_every_export_format_writes_files(demo_run, tmp_path, fmt):
    res = runner.invoke(app, ["export", "--config", str(demo_run), "--format", fmt, "--out", str(tmp_path / fmt)])
    assert res.exit_code == 0, res.output
    assert any((tmp_path / fmt).iterdir())


def test_the_demo_inventory_groups_the_records_as_its_truth_does(demo_run, tmp_path):
    """The end-to-end run's systems against examples/voorbeeldstad/truth/mentions.csv."""
    from bench.reconcile import pairwise_scores
    from tests.conftest import DEMO

    res = runner.invoke(app, ["export", "--config", str(demo_run), "--format", "inventory", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    provenance = pd.read_csv(tmp_path / "provenance.csv", dtype=str)
    truth = pd.read_csv(DEMO / "truth" / "mentions.csv", dtype=str, keep_default_na=False)
    linked = provenance.merge(truth[truth["system"] != ""], on="source_key")
    assert len(linked) >= 70
    assert pairwise_scores(linked["system_id"], linked["system"])["f1"] >= 0.9
    # the chatbot and its coupling module are two portfolio entries of one system
    gem = provenance.set_index("source_key").loc[["portfolio:APP-00023", "portfolio:APP-00266"], "system_id"]
    assert gem.nunique() == 1


def test_report_for_a_period(demo_run):
    res = runner.invoke(app, ["report", "--config", str(demo_run), "--period", "2026-11"])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[0].endswith("report.html")
    res = runner.invoke(app, ["report", "--config", str(demo_run), "--period", "2019-01"])
    assert res.exit_code == 1 and "2026-11" in res.output


def test_review_list_json_and_decide(demo_run):
    res = runner.invoke(app, ["review", "list", "--config", str(demo_run), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and {"system_id", "name", "status", "ai_score", "ai_act_class", "source_keys"} <= set(rows[0])
    target = next(r for r in rows if r["status"] == "candidate")
    res = runner.invoke(app, ["review", "show", target["system_id"], "--config", str(demo_run)])
    assert res.exit_code == 0 and target["system_id"] in res.output
    res = runner.invoke(app, ["review", "decide", target["system_id"], "--action", "defer", "--reviewer", "ciso",
                              "--field", "defer_until=2027-01-01", "--reason", "wacht op leverancier",
                              "--config", str(demo_run)])
    assert res.exit_code == 0, res.output
    assert "saved defer" in res.output
    res = runner.invoke(app, ["review", "decide", "AIG-999999", "--action", "confirm", "--reviewer", "ciso",
                              "--config", str(demo_run)])
    assert res.exit_code == 1 and "AIG-999999" in res.output


def test_classify_a_csv_keeps_rows_in_order(tmp_path):
    src = tmp_path / "contracten.csv"
    pd.DataFrame({"Omschrijving": ["Licentie kantoorartikelen", "Chatbot voor de website met generatieve AI",
                                   "Onderhoud airco gemeentehuis", "Kentekenherkenning scanauto parkeren"],
                  "Leverancier": ["Staples", "Onbekend BV", "Klimaat BV", "Arvoo"]}).to_csv(src, sep=";", index=False)
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["classify", str(src), "--text-column", "Omschrijving", "--vendor-column", "Leverancier",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df["Omschrijving"]) == list(pd.read_csv(src, sep=";")["Omschrijving"])
    assert {"ai_score", "is_candidate", "reasons", "ai_act_class", "publication_category"} <= set(df.columns)
    assert df.loc[1, "is_candidate"] and not df.loc[2, "is_candidate"]


def test_classify_names_a_missing_column(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["classify", str(src), "--text-column", "Omschrijving"])
    assert res.exit_code == 1 and "Omschrijving" in res.output and "Traceback" not in res.output


def test_user_errors_are_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "status", "--config", str(tmp_path / "none.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "none.yaml" in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1


def test_hash_password_makes_a_verifiable_hash():
    from review.passwords import verify_password

    res = runner.invoke(app, ["hash-password", "--password", "correct horse battery"])
    assert res.exit_code == 0
    assert verify_password("correct horse battery", res.output.strip())
    assert runner.invoke(app, ["hash-password", "--password", "short"]).exit_code == 1


def test_ui_starts_dagster_with_home_under_data_dir(demo_config, monkeypatch):
    import pipelines.processes as processes

    calls = []
    monkeypatch.setattr(processes, "run_supervised", lambda args, env: calls.append((args, env)) or 0)
    res = runner.invoke(app, ["ui", "--config", str(demo_config), "--port", "3999"])
    assert res.exit_code == 0, res.output
    args, env = calls[0]
    assert args[1:5] == ["-m", "dagster", "dev", "-m"] and "pipelines.definitions" in args and "3999" in args
    assert env["DAGSTER_HOME"] == str(demo_config.parent / "var" / "dagster_home")
    assert env["AIGRIP_CONFIG"] == str(demo_config.resolve())
    assert "enabled: false" in (demo_config.parent / "var" / "dagster_home" / "dagster.yaml").read_text()


def test_dagster_loads_the_definitions_module(demo_config):
    """What `aigrip ui` makes Dagster do: load pipelines.definitions with AIGRIP_CONFIG set."""
    import os

    env = dict(os.environ, AIGRIP_CONFIG=str(demo_config))
    proc = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
                          capture_output=True, text=True, env=env, cwd=demo_config.parent, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_run_select_one_group_and_reject_unknown(demo_run):
    res = runner.invoke(app, ["run", "--config", str(demo_run), "--select", "publish", "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output
    assert "register_entries" in res.output and "raw_crediteuren_2025" not in res.output
    res = runner.invoke(app, ["run", "--config", str(demo_run), "--select", "everything"])
    assert res.exit_code == 1 and "unknown group 'everything'" in res.output
    res = runner.invoke(app, ["run", "--config", str(demo_run), "--as-of", "15-11-2026"])
    assert res.exit_code == 1 and "YYYY-MM-DD" in res.output


def test_classify_an_xlsx_with_the_demo_knowledge_base(demo_run, tmp_path):
    src = tmp_path / "contracten.xlsx"
    pd.DataFrame({"Naam": ["Octobox anonimiseren", "Kantoorstoelen", "Gem"],
                  "Leverancier": ["Octobox", "Ahrend", None]}).to_excel(src, index=False)
    out = tmp_path / "scored.xlsx"
    res = runner.invoke(app, ["classify", str(src), "--text-column", "Naam", "--vendor-column", "Leverancier",
                              "--config", str(demo_run), "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_excel(out)
    assert list(df["Naam"]) == ["Octobox anonimiseren", "Kantoorstoelen", "Gem"]
    assert bool(df.loc[0, "is_candidate"]) and not bool(df.loc[1, "is_candidate"])
    assert "organisaties" in str(df.loc[0, "reasons"]), "the peer knowledge base is used"
