"""tenants.yaml: loading, shared peer sources, isolation rules, and a single aigrip.yaml as one tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.tenants import is_tenants_file, load_platform, load_platform_or_config, platform_from_config
from transforms.errors import ConfigError

PEER = "  - {id: landelijk_register, type: national_register, path: ../register.json}\n"


def _tenant(root: Path, code: str, data_dir: str = "var", peer: str = PEER) -> Path:
    folder = root / "gemeenten" / code
    folder.mkdir(parents=True)
    (root / "gemeenten" / "register.json").write_text("[]", encoding="utf-8")
    (folder / "ledger.csv").write_text("Crediteur;Omschrijving;Bedrag\nA;Chatbot;1,00\n", encoding="utf-8")
    cfg = folder / "aigrip.yaml"
    cfg.write_text(
        f"organisation: {{name: Gemeente {code}, code: {code.upper()}, contact_email: info@{code}.nl}}\n"
        f"data_dir: {data_dir}\nsources:\n  - {{id: crediteuren, type: spend_ledger, path: ledger.csv}}\n" + peer,
        encoding="utf-8")
    return cfg


def _platform(root: Path, body: str) -> Path:
    (root / "gemeenten").mkdir(exist_ok=True)
    (root / "gemeenten" / "register.json").write_text("[]", encoding="utf-8")
    path = root / "tenants.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_tenants_by_glob_and_list_share_peer_sources(tmp_path: Path) -> None:
    for code in ("gm0363", "gm0772", "gm0344"):
        _tenant(tmp_path, code)
    path = _platform(tmp_path, "platform: {name: Regio, data_dir: platform, max_concurrent_runs: 2}\n"
                               "tenants:\n  - config: gemeenten/*/aigrip.yaml\n")
    platform = load_platform(path)
    assert platform.tenant_ids == ["gm0344", "gm0363", "gm0772"]
    assert platform.max_concurrent_runs == 2 and not platform.is_single
    assert platform.dagster_home == (tmp_path / "platform" / "dagster_home").resolve()
    assert platform.shared_warehouse_path.name == "shared.duckdb"
    assert [s.id for s in platform.shared_sources] == ["landelijk_register"]
    assert platform.tenant("GM0363").data_dir == (tmp_path / "gemeenten" / "gm0363" / "var").resolve()
    assert is_tenants_file(path) and load_platform_or_config(path).tenant_ids == platform.tenant_ids
    with pytest.raises(ConfigError, match="no tenant 'gm9999'; known tenants: gm0344, gm0363, gm0772"):
        platform.tenant("gm9999")


def test_single_config_is_a_platform_of_one(tmp_path: Path) -> None:
    cfg = load_config(_tenant(tmp_path, "gm0363"))
    platform = platform_from_config(cfg)
    assert platform.is_single and platform.tenant_ids == ["gm0363"]
    assert platform.data_dir == cfg.data_dir and platform.shared_warehouse_path == cfg.warehouse_path
    assert not is_tenants_file(cfg.config_path)
    assert load_platform_or_config(cfg.config_path).tenant_ids == ["gm0363"]


def test_overlapping_data_dirs_are_refused(tmp_path: Path) -> None:
    _tenant(tmp_path, "gm0363", data_dir="../shared_var")
    _tenant(tmp_path, "gm0772", data_dir="../shared_var")
    path = _platform(tmp_path, "platform: {data_dir: platform}\ntenants:\n"
                               "  - config: gemeenten/gm0363/aigrip.yaml\n  - config: gemeenten/gm0772/aigrip.yaml\n")
    with pytest.raises(ConfigError, match="data_dir of gm0363 .* and of gm0772 .* overlap"):
        load_platform(path)


def test_the_same_tenant_twice_and_conflicting_peers_are_refused(tmp_path: Path) -> None:
    _tenant(tmp_path, "gm0363")
    _tenant(tmp_path, "gm0772", peer="  - {id: landelijk_register, type: national_register, url: https://example.nl/api}\n")
    twice = _platform(tmp_path, "platform: {data_dir: platform}\ntenants:\n"
                                "  - config: gemeenten/gm0363/aigrip.yaml\n  - config: gemeenten/gm0363/aigrip.yaml\n")
    with pytest.raises(ConfigError, match="tenant 'gm0363' is listed twice"):
        load_platform(twice)
    both = _platform(tmp_path, "platform: {data_dir: platform}\ntenants:\n  - config: gemeenten/*/aigrip.yaml\n")
    with pytest.raises(ConfigError, match="peer source 'landelijk_register' differs between tenants gm0363 and gm0772"):
        load_platform(both)


@pytest.mark.parametrize("body, message", [
    ("tenants:\n  - config: x.yaml\n", "platform: required key is missing"),
    ("platform: {data_dir: p}\ntenants: []\n", "tenants: List should have at least 1 item"),
    ("platform: {data_dir: p, colour: red}\ntenants:\n  - config: x.yaml\n", "platform.colour: unknown key"),
    ("platform: {data_dir: p}\ntenants:\n  - config: nowhere/*.yaml\n", "'nowhere/\\*.yaml' matches no file"),
])
def test_bad_tenants_files_give_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_platform(_platform(tmp_path, body))
