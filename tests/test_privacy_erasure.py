"""Erasure on request (``aigrip erase``), tombstones, person keys and the quarantine's retention."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import load_config
from pipelines.erase import erase
from pipelines.status import collect_status
from tests.conftest import copy_demo
from transforms.errors import AigripError
from transforms.privacy.erasure import erase_rows, erasure_targets
from transforms.privacy.pseudonyms import load_or_create_key, person_key
from warehouse import connect, snapshot_connect
from warehouse.decision_log import log_path, read_decisions
from warehouse.privacy import (
    DROPPED_TEXT,
    drop_expired_raw_text,
    keep_quarantine_dates,
    quarantine_first_seen,
)


def test_erase_rows_moves_named_rows_to_quarantine_without_text():
    frame = pd.DataFrame({"row_ref": ["1-1", "1-2", "2-1", "3-1"], "response_id": ["1", "1", "2", "3"],
                          "respondent_hash": ["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", None],
                          "system": ["A", "B", "C", "D"]})
    quarantine = pd.DataFrame({"row_ref": ["9"], "reason": ["kapot"], "raw_text": ["regel 9: iets"]}, dtype=object)
    events = [{"event_id": "e1", "action": "erase", "fields": {"person_key": "aaaaaaaaaaaaaaaa"}},
              {"event_id": "e2", "action": "erase", "source_keys": ["u:3-1", "u:9"]},
              {"event_id": "e3", "action": "confirm", "source_keys": ["u:2-1"]}]
    out, q, counts, unloaded = erase_rows("u", frame, quarantine, erasure_targets(events))
    assert out["row_ref"].tolist() == ["2-1"]
    assert len(out) + len(q) == len(frame) + len(quarantine)  # accounting holds
    assert counts == {"e1": 2, "e2": 2}
    assert unloaded == 3  # no answer_index: every frame row is an input row
    erased = q[q["reason"].str.startswith("gewist op verzoek")]
    assert len(erased) == 4 and erased["raw_text"].isna().all()


def test_a_whole_response_can_be_erased_by_its_key():
    frame = pd.DataFrame({"row_ref": ["7-1", "7-2"], "response_id": ["7", "7"]})
    events = [{"event_id": "e", "action": "erase", "source_keys": ["u:7"]}]
    out, q, _, unloaded = erase_rows("u", frame, pd.DataFrame(columns=["row_ref", "reason", "raw_text"]), erasure_targets(events))
    assert out.empty and len(q) == 2 and unloaded == 2


def _survey_frame() -> pd.DataFrame:
    # answers R1 (3 systems, person a), R2 (2 systems, person b), R1 again (a second answer with the
    # same id, person c: ids need not be unique) and R3 (1 system, person a)
    return pd.DataFrame({
        "row_ref": ["R1-1", "R1-2", "R1-3", "R2-1", "R2-2", "R1-1", "R3-1"],
        "response_id": ["R1", "R1", "R1", "R2", "R2", "R1", "R3"],
        "answer_index": [1, 2, 3, 1, 2, 1, 1],
        "respondent_hash": ["a" * 16] * 3 + ["b" * 16] * 2 + ["c" * 16, "a" * 16],
        "system": list("ABCDEFG"),
    })


def test_a_survey_answer_naming_several_systems_is_one_erased_row():
    events = [{"event_id": "e1", "action": "erase", "fields": {"person_key": "a" * 16}}]
    out, q, counts, unloaded = erase_rows("u", _survey_frame(), pd.DataFrame(columns=["row_ref", "reason", "raw_text"]),
                                          erasure_targets(events))
    assert out["system"].tolist() == ["D", "E", "F"]
    assert unloaded == 2  # two answers of the file, not four mentions
    assert q["row_ref"].tolist() == ["R1", "R3"] and q["raw_text"].isna().all()
    assert counts == {"e1": 4}  # mentions removed from the warehouse


def test_erasing_some_mentions_of_an_answer_keeps_the_answer_loaded():
    events = [{"event_id": "e1", "action": "erase", "source_keys": ["u:R2-2"]}]
    out, q, counts, unloaded = erase_rows("u", _survey_frame(), pd.DataFrame(columns=["row_ref", "reason", "raw_text"]),
                                          erasure_targets(events))
    assert "E" not in out["system"].tolist() and len(out) == 6
    assert unloaded == 0 and q.empty and counts == {"e1": 1}
    # the whole response by its key: every answer with that id, each one row
    events = [{"event_id": "e2", "action": "erase", "source_keys": ["u:R1"]}]
    out, q, _, unloaded = erase_rows("u", _survey_frame(), pd.DataFrame(columns=["row_ref", "reason", "raw_text"]),
                                     erasure_targets(events))
    assert out["system"].tolist() == ["D", "E", "G"] and unloaded == 2 and q["row_ref"].tolist() == ["R1", "R1"]


@pytest.fixture(scope="module")
def survey_run(tmp_path_factory):
    cfg_path = copy_demo(tmp_path_factory.mktemp("erase") / "demo", sources=["uitvraag_2026", "portfolio"])
    res = CliRunner().invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output
    return cfg_path


def _respondent(cfg):
    survey = pd.read_excel(cfg.source("uitvraag_2026").path, dtype=str)
    row = survey.iloc[0]
    return row["E-mail"], str(row["ID"])


def test_respondents_get_the_data_dirs_keyed_person_key(survey_run):
    cfg = load_config(survey_run)
    email, rid = _respondent(cfg)
    key_file = cfg.data_dir / "pseudonym.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    expected = person_key(email, load_or_create_key(cfg.data_dir))
    with connect(cfg.warehouse_path) as con:
        got = con.execute("SELECT DISTINCT respondent_hash FROM raw_uitvraag_2026 WHERE response_id = ?", [rid]).fetchall()
    assert got == [(expected,)]


def test_erase_a_person_and_keep_them_out_of_later_runs(survey_run):
    cfg = load_config(survey_run)
    email, _ = _respondent(cfg)
    key = person_key(email, load_or_create_key(cfg.data_dir))
    with connect(cfg.warehouse_path) as con:  # every answer of this person (they may have answered twice)
        keys = [f"uitvraag_2026:{r}" for (r,) in con.execute(
            "SELECT row_ref FROM raw_uitvraag_2026 WHERE respondent_hash = ?", [key]).fetchall()]
        answers = [f"uitvraag_2026:{r}" for (r,) in con.execute(
            "SELECT response_id FROM raw_uitvraag_2026 WHERE respondent_hash = ? AND answer_index = 1", [key]).fetchall()]
    assert keys and answers
    before = collect_status(cfg)["sources"]["uitvraag_2026"]
    res = CliRunner().invoke(app, ["erase", "--config", str(survey_run), "--person", email.upper(),
                                   "--reviewer", "privacy", "--reason", "verzoek 2026-17"])
    assert res.exit_code == 0, res.output
    assert "erased:" in res.output and email not in res.output
    events = read_decisions(log_path(cfg.data_dir))
    tomb = [e for e in events if e["action"] == "erase"]
    assert len(tomb) == 1 and tomb[0]["fields"]["person_key"] == person_key(email, load_or_create_key(cfg.data_dir))
    assert email.lower() not in log_path(cfg.data_dir).read_text(encoding="utf-8").lower()
    for _ in range(2):  # the erase's own run, then an ordinary later run
        with snapshot_connect(cfg.data_dir) as con:
            assert con.execute("SELECT count(*) FROM mentions WHERE list_contains(?, source_key)",
                               [keys]).fetchall()[0][0] == 0
            erased = con.execute("SELECT reason, raw_text FROM quarantine WHERE list_contains(?, source_id || ':' || row_ref)",
                                 [answers]).fetchall()
            assert len(erased) == len(answers)  # one quarantined row per answer of the file
            assert all(r.startswith("gewist op verzoek") and t is None for r, t in erased)
            assert con.execute("SELECT sum(rows_removed) FROM erasures").fetchall()[0][0] == len(keys)
        st = collect_status(cfg)["sources"]["uitvraag_2026"]
        assert st["rows_in"] == before["rows_in"] == st["rows_loaded"] + st["rows_quarantined"]
        assert st["rows_loaded"] == before["rows_loaded"] - len(answers)
        res = CliRunner().invoke(app, ["run", "--config", str(survey_run), "--as-of", "2026-11-15"])
        assert res.exit_code == 0, res.output
    with connect(cfg.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM raw_uitvraag_2026 WHERE respondent_hash = ?", [key]).fetchall()[0][0] == 0


def test_erase_by_person_key_of_a_respondent_with_several_mentions(survey_run):
    """``aigrip erase --person HASH``: an answer naming several systems is one row of the file, so
    rows_in stays the file's count and rows_loaded/rows_quarantined move by the answers, not the
    mentions."""
    cfg = load_config(survey_run)
    with connect(cfg.warehouse_path) as con:
        key, mentions, answers = con.execute(
            "SELECT respondent_hash, count(*), count(*) FILTER (answer_index = 1) FROM raw_uitvraag_2026 "
            "WHERE respondent_hash IS NOT NULL GROUP BY ALL HAVING max(answer_index) > 1 "
            "ORDER BY count(*) DESC, respondent_hash LIMIT 1").fetchall()[0]
        total_mentions = con.execute("SELECT count(*) FROM raw_uitvraag_2026").fetchall()[0][0]
    assert mentions > answers
    before = collect_status(cfg)["sources"]["uitvraag_2026"]
    res = CliRunner().invoke(app, ["erase", "--config", str(survey_run), "--person", key, "--reviewer", "privacy"])
    assert res.exit_code == 0, res.output
    after = collect_status(cfg)["sources"]["uitvraag_2026"]
    assert after["rows_in"] == before["rows_in"]
    assert after["rows_loaded"] == before["rows_loaded"] - answers
    assert after["rows_quarantined"] == before["rows_quarantined"] + answers
    assert after["rows_in"] == after["rows_loaded"] + after["rows_quarantined"]
    with connect(cfg.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM raw_uitvraag_2026").fetchall()[0][0] == total_mentions - mentions
        assert con.execute("SELECT count(*) FROM raw_uitvraag_2026 WHERE respondent_hash = ?", [key]).fetchall()[0][0] == 0


def test_erase_one_source_row_rewrites_existing_exports(survey_run):
    cfg = load_config(survey_run)
    runner = CliRunner()
    assert runner.invoke(app, ["export", "--config", str(survey_run), "--format", "inventory"]).exit_code == 0
    prov = pd.read_csv(cfg.data_dir / "export" / "inventory" / "provenance.csv", dtype=str)
    key = prov["source_key"].iloc[0]
    res = runner.invoke(app, ["erase", "--config", str(survey_run), "--source-row", key, "--reviewer", "privacy"])
    assert res.exit_code == 0, res.output
    prov = pd.read_csv(cfg.data_dir / "export" / "inventory" / "provenance.csv", dtype=str)
    assert key not in set(prov["source_key"])


def test_erase_needs_exactly_one_target(survey_run):
    res = CliRunner().invoke(app, ["erase", "--config", str(survey_run), "--reviewer", "privacy"])
    assert res.exit_code != 0
    with pytest.raises(AigripError, match="is not a source key"):
        erase(load_config(survey_run), source_row="nokey", reviewer="x")
    with pytest.raises(AigripError, match="exactly one"):
        erase(load_config(survey_run), person="a@b.nl", source_row="u:1", reviewer="x")


def test_quarantined_raw_text_is_dropped_after_the_retention_period(tmp_path):
    path = tmp_path / "w.duckdb"
    now = dt.datetime(2026, 12, 1)
    with connect(path) as con:
        con.execute("INSERT INTO quarantine (source_id, row_ref, reason, raw_text, quarantined_at) VALUES "
                    "('s', 'r1', 'kapot', 'oude tekst', ?), ('s', 'r2', 'kapot', 'nieuwe tekst', ?)",
                    [now - dt.timedelta(days=91), now - dt.timedelta(days=10)])
        # a reload of the source keeps the first date of a row quarantined again
        before = quarantine_first_seen(con, "s")
        con.execute("DELETE FROM quarantine WHERE source_id = 's'")
        con.execute("INSERT INTO quarantine (source_id, row_ref, reason, raw_text) VALUES "
                    "('s', 'r1', 'kapot', 'oude tekst'), ('s', 'r2', 'kapot', 'nieuwe tekst')")
        keep_quarantine_dates(con, "s", before)
        assert drop_expired_raw_text(con, 90, now=now) == 1
        rows = dict(con.execute("SELECT row_ref, raw_text FROM quarantine ORDER BY row_ref").fetchall())
        assert rows == {"r1": DROPPED_TEXT, "r2": "nieuwe tekst"}
        assert drop_expired_raw_text(con, 90, now=now) == 0  # idempotent
        assert drop_expired_raw_text(con, 5, now=now) == 1


def test_retention_days_are_configurable(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["portfolio"], privacy={"quarantine_retention_days": 30})
    assert load_config(cfg_path).privacy.quarantine_retention_days == 30
    assert load_config(copy_demo(tmp_path / "d2", sources=["portfolio"])).privacy.quarantine_retention_days == 90


def test_migration_006_on_an_existing_warehouse(tmp_path):
    """A warehouse from before 006 gets the new tables; old quarantine rows count from the upgrade."""
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute("DELETE FROM schema_version WHERE version >= 6")
        con.execute("DROP TABLE redactions")
        con.execute("DROP TABLE erasures")
        con.execute("ALTER TABLE quarantine DROP COLUMN raw_text_dropped_at")
        con.execute("ALTER TABLE quarantine DROP COLUMN quarantined_at")
        con.execute("INSERT INTO quarantine VALUES ('s', 'r', 'kapot', 'tekst')")
    with connect(path) as con:
        assert con.execute("SELECT quarantined_at IS NOT NULL FROM quarantine").fetchall() == [(True,)]
        assert con.execute("SELECT count(*) FROM redactions").fetchall() == [(0,)]
    assert duckdb.connect(str(path), read_only=True).execute("SELECT max(version) FROM schema_version").fetchall()[0][0] >= 6


def test_status_reports_redactions_per_source(survey_run):
    st = collect_status(load_config(survey_run))
    assert isinstance(st["sources"]["uitvraag_2026"]["redacted"], dict)
    json.dumps(st)
