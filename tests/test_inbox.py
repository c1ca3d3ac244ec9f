"""The inbox: files dropped in data_dir/inbox/<source_id>/ are checked, then added to or replacing their
source by type; bad files go to inbox/rejected/ with a note. The sensor and schedules start runs."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from connectors.inbox import load_source_files, process_inbox, source_files
from pipelines.config import load_config
from pipelines.definitions import build_definitions
from tests.conftest import copy_demo

HEADER = "Boekstuk;Boekdatum;Crediteurnummer;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats\r\n"


@pytest.fixture
def demo(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["crediteuren_2025", "portfolio"])
    return load_config(cfg_path)


def _specs(cfg):
    return [s.to_spec() for s in cfg.enabled_sources]


def _drop(cfg, source_id: str, name: str, data: bytes):
    folder = cfg.data_dir / "inbox" / source_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_a_new_ledger_month_is_added_and_duplicates_are_quarantined(demo):
    ledger = demo.source("crediteuren_2025").to_spec()
    before = load_source_files(demo.data_dir, ledger)
    month = (HEADER
             + "BK2026-000001;05-01-2026;100005;Rijnland ICT Zwolle B.V.;52228190;Hosting Q1 2026;623,16;Burgerzaken\r\n"
             + "BK2026-000002;06-01-2026;100026;Rijnland Infra Holding B.V.;96044541;Asfaltering;103,93;Wegen\r\n"
             + "BK2025-000001;19-02-2025;100026;Rijnland Infra Holding B.V.;96044541;Asfaltering Het Veld;103,93;Communicatie\r\n")
    _drop(demo, "crediteuren_2025", "januari-2026.csv", month.encode("cp1252"))
    outcome = process_inbox(demo.data_dir, _specs(demo), settle_seconds=0)
    assert outcome.accepted == [("crediteuren_2025", "januari-2026.csv", "toegevoegd")] and not outcome.rejected
    files = source_files(demo.data_dir, ledger)
    assert files[0] == ledger.path and files[1].name.endswith("januari-2026.csv")
    after = load_source_files(demo.data_dir, ledger)
    assert after.rows_in == before.rows_in + 3
    assert after.rows_loaded == before.rows_loaded + 2
    assert after.rows_in == after.rows_loaded + after.rows_quarantined
    twice = after.quarantine[after.quarantine["reason"].str.startswith("dubbel aangeleverd")]
    assert len(twice) == 1 and "crediteuren_2025.csv" in twice["reason"].iloc[0]
    assert not any((demo.data_dir / "inbox" / "crediteuren_2025").iterdir())


def test_a_new_portfolio_replaces_the_previous_one_which_is_archived(demo):
    portfolio = demo.source("portfolio").to_spec()
    for name in ("portfolio-maart.xlsx", "portfolio-april.xlsx"):
        shutil.copy(portfolio.path, demo.data_dir.parent / name)
        _drop(demo, "portfolio", name, (demo.data_dir.parent / name).read_bytes())
        outcome = process_inbox(demo.data_dir, _specs(demo), settle_seconds=0)
        assert outcome.accepted == [("portfolio", name, "vervangen")]
    files = source_files(demo.data_dir, portfolio)
    assert len(files) == 1 and files[0].name.endswith("portfolio-april.xlsx")
    archived = list((demo.data_dir / "inbox" / "archive" / "portfolio").iterdir())
    assert [p.name.endswith("portfolio-maart.xlsx") for p in archived] == [True]
    assert portfolio.path.exists()  # the configured file is never touched


def test_bad_files_are_rejected_with_a_note(demo):
    _drop(demo, "portfolio", "notities.txt", b"wat aantekeningen")
    _drop(demo, "portfolio", "kapot.xlsx", b"PK\x03\x04 geen echte werkmap")
    _drop(demo, "onbekend", "x.csv", HEADER.encode())
    _drop(demo, "crediteuren_2025", "~$tijdelijk.csv", b"lock file of an editor")
    outcome = process_inbox(demo.data_dir, _specs(demo), settle_seconds=0)
    assert not outcome.accepted
    why = {name: reason for _sid, name, reason in outcome.rejected}
    assert set(why) == {"notities.txt", "kapot.xlsx", "x.csv"}
    assert "moet eindigen op .xlsx of .csv" in why["notities.txt"]
    assert "kan niet gelezen worden" in why["kapot.xlsx"]
    assert "geen bron met id 'onbekend'" in why["x.csv"]
    rejected = demo.data_dir / "inbox" / "rejected"
    notes = sorted(p.name for p in rejected.glob("*.waarom.txt"))
    assert len(notes) == 3
    text = next(rejected.glob("*kapot.xlsx.waarom.txt")).read_text(encoding="utf-8")
    assert text.startswith("kapot.xlsx is niet verwerkt") and "Reden:" in text
    assert (demo.data_dir / "inbox" / "crediteuren_2025" / "~$tijdelijk.csv").exists()  # left alone


def test_a_file_still_being_copied_waits(demo):
    _drop(demo, "portfolio", "nieuw.xlsx", demo.source("portfolio").path.read_bytes())
    assert process_inbox(demo.data_dir, _specs(demo), settle_seconds=3600).accepted == []


def test_the_inbox_sensor_starts_a_discovery_run(demo):
    defs = build_definitions(demo.config_path)
    sensor = defs.get_sensor_def("inbox")
    with DagsterInstance.ephemeral() as instance:
        ctx = build_sensor_context(instance=instance, definitions=defs)
        assert isinstance(sensor(ctx), SkipReason)
        month = HEADER + "BK2026-000009;05-01-2026;100005;Rijnland ICT;52228190;Hosting;1,00;Burgerzaken\r\n"
        _drop(demo, "crediteuren_2025", "jan.csv", month.encode("cp1252"))
        # a file is taken once it has not changed for 10 seconds: make it look older
        path = demo.data_dir / "inbox" / "crediteuren_2025" / "jan.csv"
        old = dt.datetime.now().timestamp() - 60
        os.utime(path, (old, old))
        request = sensor(build_sensor_context(instance=instance, definitions=defs))
        assert isinstance(request, RunRequest)
        assert request.job_name in (None, "discovery_run")
        assert "crediteuren_2025/jan.csv (toegevoegd)" in request.tags["aigrip/inbox"]


@pytest.mark.parametrize("name, when, as_of", [
    ("weekly_discovery", dt.datetime(2026, 12, 7, 6, 0), "2026-12-07"),
    ("monthly_report", dt.datetime(2026, 12, 1, 5, 0), "2026-11-30"),
])
def test_schedules_request_a_run_for_the_right_period(demo, name, when, as_of):
    defs = build_definitions(demo.config_path)
    schedule = defs.get_schedule_def(name)
    with DagsterInstance.ephemeral() as instance:
        request = schedule(build_schedule_context(instance=instance, scheduled_execution_time=when))
    assert isinstance(request, RunRequest)
    assert request.run_config["resources"]["aigrip"]["config"]["as_of"] == as_of


def test_a_survey_round_delivered_twice_counts_answers_not_systems(tmp_path):
    """An answer naming two systems ('ChatGPT en DeepL') is one file row: delivered again, it is one
    quarantined duplicate and one row fewer loaded, and the accounting identity holds."""
    cfg = load_config(copy_demo(tmp_path / "demo", sources=["uitvraag_2026"]))
    survey = cfg.source("uitvraag_2026").to_spec()
    before = load_source_files(cfg.data_dir, survey)
    assert len(before.frame) > before.rows_loaded  # some answers name several systems
    _drop(cfg, "uitvraag_2026", "uitvraag-herhaald.xlsx", survey.path.read_bytes())
    outcome = process_inbox(cfg.data_dir, _specs(cfg), settle_seconds=0)
    assert outcome.accepted == [("uitvraag_2026", "uitvraag-herhaald.xlsx", "toegevoegd")]
    after = load_source_files(cfg.data_dir, survey)
    twice = after.quarantine[after.quarantine["reason"].str.startswith("dubbel aangeleverd")]
    assert len(twice) == before.rows_loaded  # one line per answer, not per named system
    assert after.rows_loaded == before.rows_loaded and len(after.frame) == len(before.frame)
    assert after.rows_in == 2 * before.rows_in
    assert after.rows_in == after.rows_loaded + after.rows_quarantined
