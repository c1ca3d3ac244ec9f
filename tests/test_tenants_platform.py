"""A platform of tenants: partitioned definitions, runs through Dagster's queued run coordinator, the
shared knowledge base computed once, and isolation (nothing of tenant A under tenant B's data_dir)."""

from __future__ import annotations

import itertools
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, EventRecordsFilter, RunsFilter
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.definitions import build_assets, build_definitions
from pipelines.platform_defs import TENANT_JOB
from pipelines.tenants import load_platform
from tests.conftest import copy_demo
from tests.leakscan import READERS
from tests.tenant_fixtures import make_platform

# Three small tenants: A and B have the survey, only C the DPIA register; all share the national register.
TENANTS = (
    ("gm9901", "Gemeente Aastad", ["portfolio", "uitvraag_2026", "landelijk_register"]),
    ("gm9902", "Gemeente Beedorp", ["portfolio", "uitvraag_2026", "landelijk_register"]),
    ("gm9903", "Gemeente Ceeveen", ["portfolio", "dpia_register", "landelijk_register"]),
)
A_RESPONDENT = {"name": "Ottoline Aastadsma", "email": "ottoline.aastadsma@aastad.example.nl"}
A_SYSTEM = "Parkeerscanner Aastad-Q7X"
A_REASON = "Besluitreden-AASTAD-7Q3X"


def _plant_in_a(cfg_path: Path) -> None:
    """Tenant A's own data: a survey respondent, an application and (below) a decision."""
    data = cfg_path.parent / "data"
    wb = openpyxl.load_workbook(data / "uitvraag_ai_2026.xlsx")
    wb["Sheet1"].append(["951", "2026-02-01 10:00:00", "2026-02-01 10:10:00", A_RESPONDENT["email"],
                         A_RESPONDENT["name"], "Publiekszaken", A_SYSTEM, "Scanbedrijf B.V.",
                         "Kentekenherkenning met machine learning voor parkeercontrole", "Ja"])
    wb.save(data / "uitvraag_ai_2026.xlsx")
    wb = openpyxl.load_workbook(data / "applicatieportfolio.xlsx")
    wb["Applicaties"].append(["APP-99501", A_SYSTEM, "Scanbedrijf B.V.", "Publiekszaken",
                              "Kentekenherkenning met machine learning (AI) voor parkeercontrole", "In gebruik", "beheer"])
    wb.save(data / "applicatieportfolio.xlsx")


def _texts(root: Path):
    """Every text under ``root``: files, workbook cells, and every table of every DuckDB file."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            yield str(path.relative_to(root)), path.read_bytes().decode("utf-8", "ignore")
            continue
        for where, text in reader(path):
            yield f"{path.relative_to(root)} [{where}]", text


@pytest.fixture(scope="module")
def platform_run(tmp_path_factory):
    """Three tenants run with ``aigrip run --all-tenants --concurrency 2`` (shared run first)."""
    from warehouse.decision_log import append_decision, log_path

    root = tmp_path_factory.mktemp("platform")
    path = make_platform(root, TENANTS, max_concurrent_runs=1)
    platform = load_platform(path)
    a = platform.tenant("gm9901")
    _plant_in_a(a.config_path)
    event = append_decision(log_path(a.data_dir), {
        "reviewer": "fg", "action": "edit", "source_keys": ["portfolio:APP-99501"],
        "fields": {"owner": "Afdeling Handhaving Aastad"}, "reason": A_REASON})
    res = CliRunner().invoke(app, ["run", "--config", str(path), "--all-tenants", "--concurrency", "2",
                                   "--as-of", "2026-11-15"])
    return path, res, event


def test_all_tenants_run_through_the_queue_at_most_two_at_once(platform_run) -> None:
    path, res, _ = platform_run
    assert res.exit_code == 0, res.output + repr(res.exception)
    for code, name, _ in TENANTS:
        assert f"{code}  {name}: klaar" in res.output
    platform = load_platform(path)
    instance = DagsterInstance.from_config(str(platform.dagster_home))
    try:
        records = instance.get_run_records(filters=RunsFilter(job_name=TENANT_JOB))
        assert sorted(r.dagster_run.tags["dagster/partition"] for r in records) == ["gm9901", "gm9902", "gm9903"]
        assert all(r.dagster_run.status.value == "SUCCESS" for r in records)
        spans = [(r.start_time, r.end_time) for r in records]
        assert all(s and e for s, e in spans)
        # never more than two started at once (the limit given with --concurrency, not the file's 1)
        for t in sorted(s for s, _ in spans):
            assert sum(1 for s, e in spans if s <= t < e) <= 2
        assert any(s1 < e2 and s2 < e1 for (s1, e1), (s2, e2) in itertools.combinations(spans, 2)), \
            "the queue ran the tenants one by one although two may run at once"
        kb = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION,
                                                           asset_key=AssetKey("kb_products")))
        assert len(kb) == 1  # the shared knowledge base: computed once for all tenants
        copies = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION,
                                                               asset_key=AssetKey("tenant_peer_data")))
        assert sorted(r.partition_key for r in copies) == ["gm9901", "gm9902", "gm9903"]
        missing = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION,
                                                                asset_key=AssetKey("raw_dpia_register")))
        notes = {r.partition_key: r.asset_materialization.metadata.get("opmerking") for r in missing}
        assert "heeft geen bron 'dpia_register'" in notes["gm9901"].value and notes["gm9903"] is None
    finally:
        instance.dispose()


def test_each_tenant_has_its_own_outputs_and_the_shared_peer_data(platform_run) -> None:
    from pipelines.status import collect_status

    path, res, _ = platform_run
    platform = load_platform(path)
    for t in platform.tenants:
        st = collect_status(t.config)
        assert st["organisation"] == t.config.organisation.name
        assert st["peer_register_entries"] > 0 and st["kb_products"] > 0
        assert set(st["sources"]) == set(s.id for s in t.config.enabled_sources)
        assert (t.data_dir / "site" / "index.html").exists()
    assert (platform.data_dir / "shared.duckdb").exists() and (platform.data_dir / "snapshot.duckdb").exists()
    res = CliRunner().invoke(app, ["status", "--config", str(path), "--json"])
    assert res.exit_code == 0, res.output
    import json

    doc = json.loads(res.output)
    assert set(doc["tenants"]) == {"gm9901", "gm9902", "gm9903"}
    one = json.loads(CliRunner().invoke(app, ["status", "--config", str(path), "--tenant", "gm9902", "--json"]).output)
    assert one["organisation"] == "Gemeente Beedorp" and "uitvraag_2026" in one["sources"]


def test_nothing_of_tenant_a_appears_under_tenant_b(platform_run) -> None:
    from connectors.survey import respondent_hash
    from transforms.privacy.pseudonyms import load_or_create_key

    path, _, event = platform_run
    platform = load_platform(path)
    a, b = platform.tenant("gm9901"), platform.tenant("gm9902")
    a_hash = respondent_hash(pd.Series([A_RESPONDENT["email"]]), load_or_create_key(a.data_dir)).iloc[0]
    needles = [A_RESPONDENT["name"], A_RESPONDENT["email"], a_hash, A_SYSTEM, A_REASON, event["event_id"],
               "Gemeente Aastad", "gm9901", "Afdeling Handhaving Aastad"]
    a_text = "\n".join(text for _, text in _texts(a.data_dir))
    # the needles are really in A (so the scan of B can find them): the hash, the system, the decision
    for needle in (a_hash, A_SYSTEM, A_REASON, event["event_id"], "Gemeente Aastad"):
        assert needle.lower() in a_text.lower(), needle
    hits = [(where, n) for where, text in _texts(b.data_dir) for n in needles if n.lower() in text.lower()]
    assert hits == []
    # B's own outputs list B's systems only
    site = (b.data_dir / "site").rglob("*.html")
    assert not any(A_SYSTEM in p.read_text(encoding="utf-8") for p in site)
    assert load_or_create_key(a.data_dir) != load_or_create_key(b.data_dir)


def test_a_single_config_keeps_the_unpartitioned_graph(tmp_path: Path) -> None:
    cfg_path = copy_demo(tmp_path / "demo")
    defs = build_definitions(cfg_path)
    graph = defs.resolve_asset_graph()
    from pipelines.config import load_config

    expected = {k for a in build_assets(load_config(cfg_path))[0] for k in a.keys}
    assert set(graph.get_all_asset_keys()) == expected
    assert all(graph.get(k).partitions_def is None for k in expected)


def test_a_tenants_file_partitions_every_tenant_asset_and_shares_the_peers(tmp_path: Path) -> None:
    path = make_platform(tmp_path, TENANTS)
    graph = build_definitions(path).resolve_asset_graph()
    shared = {"raw_landelijk_register", "kb_products", "shared_snapshot"}
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    # the union of the tenants' sources, plus the shared snapshot and each tenant's copy of it
    assert {"raw_portfolio", "raw_uitvraag_2026", "raw_dpia_register", "tenant_peer_data", "mentions",
            "published_snapshot"} <= keys and shared <= keys
    for key in graph.get_all_asset_keys():
        pdef = graph.get(key).partitions_def
        if key.to_user_string() in shared:
            assert pdef is None, key
        else:
            assert pdef is not None and pdef.get_partition_keys() == ["gm9901", "gm9902", "gm9903"], key
    # every tenant asset that reads shared data reads the tenant's copy of it
    readers = [k for k in graph.get_all_asset_keys()
               if AssetKey("kb_products") in graph.get(k).parent_keys and k.to_user_string() not in shared]
    assert readers and all(AssetKey("tenant_peer_data") in graph.get(k).parent_keys for k in readers)


def test_cli_needs_a_tenant_flag_with_a_tenants_file_and_a_tenants_file_with_the_flags(tmp_path: Path) -> None:
    path = make_platform(tmp_path / "p", TENANTS)
    res = CliRunner().invoke(app, ["run", "--config", str(path)])
    assert res.exit_code == 1 and "--tenant" in res.output and "--all-tenants" in res.output
    single = copy_demo(tmp_path / "demo", sources=["portfolio"])
    for flag in (["--tenant", "gm9999"], ["--all-tenants"]):
        res = CliRunner().invoke(app, ["run", "--config", str(single), *flag])
        assert res.exit_code == 1 and "tenants.yaml" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["run", "--config", str(path), "--tenant", "gm9901", "--concurrency", "2"])
    assert res.exit_code == 1 and "--concurrency hoort bij --all-tenants" in res.output
    res = CliRunner().invoke(app, ["run", "--config", str(tmp_path / "nergens.yaml"), "--all-tenants"])
    assert res.exit_code == 1 and "no tenants file at" in res.output
    res = CliRunner().invoke(app, ["run", "--config", str(path), "--tenant", "gm0000"])
    assert res.exit_code == 1 and "no tenant 'gm0000'" in res.output
    res = CliRunner().invoke(app, ["status", "--config", str(single), "--tenant", "gm9999"])
    assert res.exit_code == 1 and "tenants.yaml" in res.output


def test_all_tenants_exit_codes_name_the_failed_tenants(tmp_path: Path, monkeypatch) -> None:
    """0 all succeeded, 2 some failed (named), 1 every tenant failed; one line per tenant either way."""
    import pipelines.platform_run as platform_run_module
    from pipelines.platform_run import TenantResult

    path = make_platform(tmp_path / "p", TENANTS)
    outcomes: dict[str, str] = {}

    def fake(platform, *, as_of="", concurrency=None, on_done=None, **_):
        results = [TenantResult(t, outcomes[t], f"run-{t}", 1.5, None if outcomes[t] == "SUCCESS" else "stap 'systems': kapot")
                   for t in platform.tenant_ids]
        for r in results:
            on_done(r)
        return results

    monkeypatch.setattr(platform_run_module, "run_all_tenants", fake)
    for statuses, code in ((("SUCCESS",) * 3, 0), (("SUCCESS", "FAILURE", "SUCCESS"), 2), (("FAILURE",) * 3, 1)):
        outcomes.update(zip(("gm9901", "gm9902", "gm9903"), statuses))
        res = CliRunner().invoke(app, ["run", "--config", str(path), "--all-tenants"])
        assert res.exit_code == code, res.output
        assert res.output.count("Gemeente ") >= 3
        if code == 2:
            assert "gm9902  Gemeente Beedorp: MISLUKT in 1,5 s — stap 'systems': kapot" in res.output
            assert "1 van 3 gemeenten mislukt: gm9902" in res.output


def test_platform_schedules_queue_the_shared_run_and_one_run_per_tenant(tmp_path: Path) -> None:
    import datetime as dt

    from dagster import build_schedule_context

    path = make_platform(tmp_path / "p", TENANTS)
    defs = build_definitions(path)
    monday = dt.datetime(2026, 11, 16, 6, 0, tzinfo=dt.timezone.utc)
    with DagsterInstance.ephemeral() as instance:
        shared = defs.get_schedule_def("weekly_shared")
        repo = defs.get_repository_def()
        req = shared.evaluate_tick(build_schedule_context(instance=instance, scheduled_execution_time=monday,
                                                          repository_def=repo))
        assert [r.run_key for r in req.run_requests] == ["shared-2026-11-16"]
        tenants = defs.get_schedule_def("weekly_tenants")
        data = tenants.evaluate_tick(build_schedule_context(instance=instance, scheduled_execution_time=monday,
                                                            repository_def=repo))
    assert [r.partition_key for r in data.run_requests] == ["gm9901", "gm9902", "gm9903"]
    assert all(r.run_config["resources"]["aigrip"]["config"]["as_of"] == "2026-11-16" for r in data.run_requests)


def test_one_tenant_runs_in_process_after_the_shared_assets(tmp_path: Path) -> None:
    """``--tenant``: the shared run, then that tenant's partition, both in the platform's Dagster instance;
    the other tenant's data_dir stays untouched."""
    small = (("gm9911", "Gemeente Dedorp", ["portfolio", "landelijk_register"]),
             ("gm9912", "Gemeente Eestad", ["portfolio", "landelijk_register"]))
    path = make_platform(tmp_path, small)
    res = CliRunner().invoke(app, ["run", "--config", str(path), "--tenant", "GM9911", "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "gm9911  Gemeente Dedorp: klaar" in res.output and "✓ mentions" in res.output
    platform = load_platform(path)
    assert not platform.tenant("gm9912").data_dir.exists()
    instance = DagsterInstance.from_config(str(platform.dagster_home))
    try:
        mentions = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION,
                                                                 asset_key=AssetKey("mentions")))
        assert [r.partition_key for r in mentions] == ["gm9911"]
        kb = instance.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION,
                                                           asset_key=AssetKey("kb_products")))
        assert len(kb) == 1 and kb[0].partition_key is None
    finally:
        instance.dispose()


def test_the_platform_dagster_yaml_queues_at_the_files_limit_and_keeps_an_operators_own(tmp_path: Path) -> None:
    from pipelines.platform_run import ensure_platform_home, open_platform_instance

    platform = load_platform(make_platform(tmp_path, TENANTS, max_concurrent_runs=3))
    home = ensure_platform_home(platform)
    text = (home / "dagster.yaml").read_text(encoding="utf-8")
    assert "QueuedRunCoordinator" in text and "max_concurrent_runs: 3" in text
    instance = open_platform_instance(platform, max_concurrent_runs=2)  # --concurrency: this command only
    try:
        assert instance.run_coordinator.get_run_queue_config().max_concurrent_runs == 2
    finally:
        instance.dispose()
    assert "max_concurrent_runs: 3" in (home / "dagster.yaml").read_text(encoding="utf-8")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    ensure_platform_home(platform)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == "telemetry:\n  enabled: false\n"
