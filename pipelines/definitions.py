"""The one Dagster definitions root (``workspace.yaml`` loads this module).

The asset graph depends on the configured sources (one ``raw_<source_id>`` asset each), so it is
built from ``aigrip.yaml``: ``$AIGRIP_CONFIG`` when set (``aigrip ui`` sets it), else ``./aigrip.yaml``.
``$AIGRIP_CONFIG`` may also name a platform's ``tenants.yaml``: then every municipality-specific asset
is partitioned by tenant (pipelines.platform_defs, docs/tenants.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import Definitions, definitions, in_process_executor

from pipelines.config import DEFAULT_CONFIG, load_config
from pipelines.defs.classify.assets import build_classify_assets
from pipelines.defs.detect.assets import build_detect_assets
from pipelines.defs.ingest.assets import build_ingest_assets
from pipelines.defs.knowledge.assets import build_knowledge_assets
from pipelines.defs.monitor.assets import build_monitor_assets
from pipelines.defs.normalise.assets import build_normalise_assets
from pipelines.defs.obligations.assets import build_obligations_assets
from pipelines.defs.publish.assets import build_publish_assets
from pipelines.defs.reconcile.assets import build_reconcile_assets
from pipelines.defs.schedules import build_automation
from pipelines.resources import AigripResource

__all__ = ["build_definitions", "build_assets", "defs"]


def build_assets(config) -> tuple[list, list]:
    ingest, ingest_checks = build_ingest_assets(config)
    reconcile, reconcile_checks = build_reconcile_assets(config)
    assets = [
        *ingest,
        *build_normalise_assets(config),
        *build_knowledge_assets(config),
        *build_detect_assets(config),
        *reconcile,
        *build_classify_assets(config),
        *build_obligations_assets(config),
        *build_publish_assets(config),
        *build_monitor_assets(config),
    ]
    return assets, [*ingest_checks, *reconcile_checks]


def build_definitions(config_path: str | os.PathLike, as_of: str = "") -> Definitions:
    """The graph of one aigrip.yaml (unpartitioned), or of a tenants.yaml (partitioned by tenant)."""
    from pipelines.tenants import is_tenants_file

    config_path = str(Path(config_path).resolve())
    if is_tenants_file(config_path):
        from pipelines.platform_defs import build_platform_definitions
        from pipelines.tenants import load_platform

        return build_platform_definitions(load_platform(config_path), as_of)
    config = load_config(config_path)
    assets, checks = build_assets(config)
    jobs, schedules, sensors = build_automation(config, config_path)
    return Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=jobs,
        schedules=schedules,
        sensors=sensors,
        resources={"aigrip": AigripResource(config_path=config_path, as_of=as_of)},
        executor=in_process_executor,  # one DuckDB writer: steps run one after the other (see schedules.py)
    )


@definitions
def defs() -> Definitions:
    """Loaded lazily by Dagster tools, so importing this module never needs a config file."""
    return build_definitions(os.environ.get("AIGRIP_CONFIG") or DEFAULT_CONFIG)
