"""aigrip.yaml: validation errors are one readable line naming the file, the source and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config
from transforms.errors import ConfigError

BASE = "organisation: {name: Gemeente Test, code: GM0001, contact_email: a@test.nl}\ndata_dir: var\n"


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "aigrip.yaml"
    p.write_text(BASE + body, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text("Crediteur;Bedrag\nA;1,00\n", encoding="utf-8")
    return p


def test_valid_config_resolves_paths_against_its_folder(tmp_path):
    cfg = load_config(_write(tmp_path, "sources:\n  - {id: led, type: spend_ledger, path: ledger.csv, columns: {supplier: Crediteur}}\n"))
    assert cfg.data_dir == (tmp_path / "var").resolve()
    assert cfg.sources[0].path == (tmp_path / "ledger.csv").resolve()
    assert cfg.organisation.code == "gm0001"
    spec = cfg.sources[0].to_spec()
    assert spec.columns == {"supplier": "Crediteur"} and spec.type == "spend_ledger"


def test_options_reach_the_connector(tmp_path):
    cfg = load_config(_write(tmp_path, "sources:\n  - {id: tn, type: tenderned, url: 'https://example.org/v2', buyer: Gemeente Test, auth_env: TN_AUTH}\n"))
    assert cfg.sources[0].to_spec().options == {"buyer": "Gemeente Test", "auth_env": "TN_AUTH"}


@pytest.mark.parametrize("body, expected", [
    ("sources:\n  - {id: led, type: spend_ledger, path: ledger.csv, colums: {}}\n", "sources[0] (id 'led').colums: unknown key"),
    ("sources:\n  - {id: led, type: ledger, path: ledger.csv}\n", "unknown source type"),
    ("sources:\n  - {id: led, type: spend_ledger, path: nothere.csv}\n", "source 'led': file"),
    ("sources:\n  - {id: tn, type: tenderned, url: 'ftp://x'}\n", "is not an http(s) URL"),
    ("sources:\n  - {id: tn, type: tenderned}\n", "give a 'path:'"),
    ("sources:\n  - {id: a, type: spend_ledger, path: ledger.csv}\n  - {id: a, type: spend_ledger, path: ledger.csv}\n", "used twice"),
    ("sources: [\n", "invalid YAML"),
    ("bogus: 1\n", "bogus: unknown key"),
])
def test_invalid_config_is_one_readable_line(tmp_path, body, expected):
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, body))
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and str(tmp_path) in message


def test_missing_config_file_says_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="--config"):
        load_config(tmp_path / "nope.yaml")


def test_demo_config_is_valid():
    cfg = load_config(Path(__file__).resolve().parents[1] / "examples" / "voorbeeldstad" / "aigrip.yaml")
    assert {s.type for s in cfg.sources} >= {"spend_ledger", "tenderned", "application_portfolio", "survey",
                                              "dpia_register", "national_register"}
