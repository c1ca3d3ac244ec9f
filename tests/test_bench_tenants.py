"""bench tenants: the generated platform is a valid tenants.yaml of isolated tenants sharing one
national-register file, and each mode gets fresh data_dirs (the runs themselves are measured by
``python -m bench tenants``, not here)."""

from __future__ import annotations

from pathlib import Path

from bench import tenants as bt
from pipelines.tenants import load_platform

_GENERATED = """organisation: {name: Gemeente Voorbeeldstad, code: gm9999, contact_email: a@b.nl, inhabitants: 480000}
data_dir: var
sources:
  - {id: crediteuren_2025, type: spend_ledger, path: data/crediteuren_2025.csv}
  - {id: landelijk_register, type: national_register, path: data/algoritmeregister_site_data.json}
"""


def _fake_platform(work: Path, n: int) -> dict:
    register = work / "shared" / "algoritmeregister_site_data.json"
    register.parent.mkdir(parents=True)
    register.write_text('{"algoritme_versions": [], "organisation_details": []}')
    codes = [f"gm8{i:03d}" for i in range(n)]
    for i, code in enumerate(codes):
        folder = work / "gemeenten" / code
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "crediteuren_2025.csv").write_text("Crediteur;Omschrijving;Bedrag\n")
        (folder / "aigrip.template.yaml").write_text(bt._tenant_config(
            _GENERATED, name=f"Gemeente Proefdorp {i + 1:02d}", code=code,
            register=str(Path("..") / ".." / "shared" / register.name)))
    return {"codes": codes, "ledger_lines": [1] * n}


def test_tenant_config_gets_its_own_name_code_and_the_shared_register():
    text = bt._tenant_config(_GENERATED, name="Gemeente Proefdorp 03", code="gm8002", register="../../shared/r.json")
    assert "name: Gemeente Proefdorp 03, code: gm8002" in text and "gm9999" not in text
    assert "data_dir: {data_dir}" in text
    assert "path: ../../shared/r.json}" in text and "path: data/crediteuren_2025.csv" in text


def test_each_mode_is_a_valid_platform_with_fresh_isolated_data_dirs(tmp_path):
    info = _fake_platform(tmp_path, 3)
    for mode in ("serial", "queued"):
        old = tmp_path / "gemeenten" / "gm8001" / "var" / mode / "warehouse.duckdb"
        old.parent.mkdir(parents=True)
        old.write_text("from an earlier run")
        tenants_yaml, configs = bt._mode_configs(tmp_path, info, mode, 2)
        assert not old.exists()  # every mode starts from empty data_dirs
        platform = load_platform(tenants_yaml)
        assert platform.tenant_ids == info["codes"]
        assert {t.data_dir for t in platform.tenants} == {tmp_path / "gemeenten" / c / "var" / mode for c in info["codes"]}
        registers = {s.path for t in platform.tenants for s in t.config.sources if s.type == "national_register"}
        assert registers == {tmp_path / "shared" / "algoritmeregister_site_data.json"}


def test_platform_commands_through_the_all_tenants_cli_or_one_process_per_tenant(tmp_path, monkeypatch):
    configs = [tmp_path / c / "aigrip.serial.yaml" for c in ("gm8000", "gm8001", "gm8002")]
    commands, parallel = bt.platform_commands(tmp_path / "tenants.yaml", configs, 2)
    assert bt.ALL_TENANTS_CLI and parallel == 1 and len(commands) == 1  # Dagster's queued coordinator runs them
    assert commands[0][1][1:] == ["run", "--config", str(tmp_path / "tenants.yaml"), "--all-tenants",
                                  "--concurrency", "2", "--as-of", bt.AS_OF]
    monkeypatch.setattr(bt, "ALL_TENANTS_CLI", False)  # the baseline: independent 'aigrip run' processes
    commands, parallel = bt.platform_commands(tmp_path / "tenants.yaml", configs, 2)
    assert parallel == 2 and [label for label, _ in commands] == ["gm8000", "gm8001", "gm8002"]
    assert all(cmd[1:3] == ["run", "--config"] and "--as-of" in cmd for _, cmd in commands)
