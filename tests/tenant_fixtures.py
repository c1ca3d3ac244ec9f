"""Small platforms of tenants for the tenant tests: demo copies with their own organisation and sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.conftest import DEMO, copy_demo

__all__ = ["make_platform", "TENANTS"]

# (code, name, sources): the demo's small sources; each tenant has the shared national register
TENANTS = (
    ("gm0001", "Gemeente Aastad", ["portfolio", "uitvraag_2026", "landelijk_register"]),
    ("gm0002", "Gemeente Beedorp", ["portfolio", "landelijk_register"]),
    ("gm0003", "Gemeente Ceeveen", ["portfolio", "dpia_register", "landelijk_register"]),
)


def make_platform(root: Path, tenants=TENANTS, max_concurrent_runs: int = 2) -> Path:
    """tenants.yaml under ``root`` with one demo copy per tenant; the peer register is one shared file."""
    register = root / "shared" / "algoritmeregister.json"
    register.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO / "data" / "algoritmeregister_site_data.json", register)
    for code, name, sources in tenants:
        cfg_path = copy_demo(root / "gemeenten" / code, sources=sources,
                             organisation={"name": name, "code": code, "contact_email": f"algoritmes@{code}.nl"})
        cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
        for s in cfg["sources"]:
            if s["id"] == "landelijk_register":
                s["path"] = str(register)
        cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path = root / "tenants.yaml"
    path.write_text(f"platform: {{name: Regio Test, data_dir: platform, max_concurrent_runs: {max_concurrent_runs}}}\n"
                    "tenants:\n  - config: gemeenten/*/aigrip.yaml\n", encoding="utf-8")
    return path
