"""Shared fixtures: a copy of the demo municipality in a tmp folder, and one completed demo run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "voorbeeldstad"
# scrypt hash of the test password "voorbeeldstad-demo" (aigrip hash-password), for the reviewers of demo_run
DEMO_REVIEWER_HASH = "scrypt$16384$8$1$JgU0Fem60F2aDZqifwGnmA==$a7MQJd9LEGTyPGdDO4mXX/XuudlzkQn8ftA81edfAgo="


def copy_demo(target: Path, sources: list[str] | None = None, **overrides) -> Path:
    """Copy the demo to ``target`` with data_dir inside it; returns the config path."""
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("truth"))
    cfg_path = target / "aigrip.yaml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg["data_dir"] = "var"
    if sources is not None:
        cfg["sources"] = [s for s in cfg["sources"] if s["id"] in sources]
    cfg.update(overrides)
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cfg_path


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The demo, run once for the whole session with ``aigrip run`` (as of 2026-11-15); its config path."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    demo_reviewers = yaml.safe_load((DEMO / "aigrip.yaml").read_text(encoding="utf-8")).get("reviewers") or []
    reviewers = demo_reviewers + [{"username": u, "name": n, "password_hash": DEMO_REVIEWER_HASH}
                                  for u, n in (("privacy", "Petra de Privacyfunctionaris"), ("ciso", "Karim de CISO"))]
    cfg_path = copy_demo(tmp_path_factory.mktemp("demo_run") / "demo", reviewers=reviewers)
    res = CliRunner().invoke(app, ["run", "--config", str(cfg_path), "--as-of", "2026-11-15"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "Done" in res.output and "public site:" in res.output
    return cfg_path
