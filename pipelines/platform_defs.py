"""The asset graph of a platform of several tenants (``tenants.yaml``; docs/tenants.md).

The graph is the municipality graph built from the union of the tenants' sources, with:

* **shared assets**, unpartitioned, computed once for all tenants into the shared warehouse: one
  ``raw_<source_id>`` per shared peer source (the national register, other organisations' registers)
  and ``kb_products`` (the knowledge base), then ``shared_snapshot``, which publishes the shared
  warehouse's read-only snapshot;
* **tenant assets**, every other asset, partitioned by tenant (a ``StaticPartitionsDefinition`` of
  the tenant ids; the UI shows the tenants as partitions). ``tenant_peer_data`` copies the shared
  tables from the shared snapshot into the tenant's own warehouse; every tenant asset that reads
  shared data depends on it. The resource resolves the tenant from the run's partition key, so each
  partition reads and writes only its own data_dir.

A single ``aigrip.yaml`` never comes here: it keeps exactly the unpartitioned graph of
:func:`pipelines.definitions.build_assets`.
"""

from __future__ import annotations

from dagster import (
    AssetDep,
    AssetKey,
    AssetSelection,
    Definitions,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    in_process_executor,
)

from pipelines.defs._common import result
from pipelines.resources import AigripResource
from pipelines.tenants import Platform
from warehouse import publish_snapshot
from warehouse.shared import copy_shared

__all__ = ["SHARED_JOB", "TENANT_JOB", "TENANT_PEER_DATA", "SHARED_SNAPSHOT", "PlatformGraph",
           "build_platform_graph", "build_platform_definitions"]

SHARED_JOB = "shared_run"
TENANT_JOB = "tenant_run"
TENANT_PEER_DATA = "tenant_peer_data"
SHARED_SNAPSHOT = "shared_snapshot"


class PlatformGraph:
    """The platform's assets and checks, which keys are shared, and the tenants' partitions."""

    def __init__(self, assets: list, checks: list, shared_keys: list[AssetKey], tenant_keys: list[AssetKey],
                 partitions: StaticPartitionsDefinition) -> None:
        self.assets, self.checks = assets, checks
        self.shared_keys, self.tenant_keys, self.partitions = shared_keys, tenant_keys, partitions

    @property
    def shared_selection(self) -> AssetSelection:
        return AssetSelection.assets(*self.shared_keys)

    @property
    def tenant_selection(self) -> AssetSelection:
        return AssetSelection.assets(*self.tenant_keys)


def _shared_snapshot_asset(deps: list[AssetKey]):
    @asset(name=SHARED_SNAPSHOT, group_name="knowledge", deps=deps, kinds={"duckdb"},
           description="Publishes the shared warehouse (peer registers, knowledge base) as the read-only "
                       "snapshot that every tenant run copies from.")
    def _shared_snapshot(aigrip: AigripResource):
        path = publish_snapshot(aigrip.warehouse_path)
        return result(SHARED_SNAPSHOT, {"path": str(path)})

    return _shared_snapshot


def _tenant_peer_data_asset(partitions: StaticPartitionsDefinition, peer_ids: set[str]):
    @asset(name=TENANT_PEER_DATA, group_name="knowledge", partitions_def=partitions,
           deps=[AssetKey(SHARED_SNAPSHOT)], kinds={"duckdb"},
           description="The tenant's copy of the shared data (its peer registers and the knowledge base), "
                       "read from the shared snapshot into its own warehouse.")
    def _tenant_peer_data(aigrip: AigripResource):
        cfg = aigrip.config
        own = [s.id for s in cfg.enabled_sources if s.id in peer_ids]
        with aigrip.connect() as con:
            counts = copy_shared(con, aigrip.platform.shared_snapshot_path, own)
        return result(TENANT_PEER_DATA, {"tenant": aigrip.tenant_id, **counts})

    return _tenant_peer_data


def build_platform_graph(platform: Platform) -> PlatformGraph:
    """Shared assets unpartitioned, every other asset partitioned by tenant (see the module docstring)."""
    from pipelines.definitions import build_assets

    assets, checks = build_assets(platform.union_config())
    peer_ids = {s.id for s in platform.shared_sources}
    shared = {AssetKey(f"raw_{sid}") for sid in peer_ids} | {AssetKey("kb_products")}
    partitions = StaticPartitionsDefinition(platform.tenant_ids)
    out: list = []
    tenant_keys: list[AssetKey] = [AssetKey(TENANT_PEER_DATA)]
    for a in assets:
        if set(a.keys) <= shared:
            out.append(a)
            continue
        tenant_keys.extend(a.keys)

        def _partitioned(spec):
            deps = list(spec.deps)
            if any(d.asset_key in shared for d in deps):
                deps.append(AssetDep(TENANT_PEER_DATA))
            return spec.replace_attributes(partitions_def=partitions, deps=deps)

        out.append(a.map_asset_specs(_partitioned))
    shared_keys = sorted(shared, key=lambda k: k.to_user_string())
    out += [_shared_snapshot_asset(shared_keys), _tenant_peer_data_asset(partitions, peer_ids)]
    return PlatformGraph(out, checks, [*shared_keys, AssetKey(SHARED_SNAPSHOT)], tenant_keys, partitions)


def build_platform_definitions(platform: Platform, as_of: str = "") -> Definitions:
    """Definitions of a platform: its graph, a job for the shared run and a partitioned job per tenant run."""
    graph = build_platform_graph(platform)
    tenants_path = str(platform.path)
    shared_job = define_asset_job(SHARED_JOB, selection=graph.shared_selection, executor_def=in_process_executor,
                                  description="The shared run: peer registers and knowledge base, once for all tenants.")
    tenant_job = define_asset_job(TENANT_JOB, selection=graph.tenant_selection, partitions_def=graph.partitions,
                                  executor_def=in_process_executor,
                                  description="One tenant's discovery run (the partition is the tenant).")
    from pipelines.platform_automation import build_platform_schedules

    return Definitions(
        assets=graph.assets,
        asset_checks=graph.checks,
        jobs=[shared_job, tenant_job],
        schedules=build_platform_schedules(platform, shared_job, tenant_job),
        resources={"aigrip": AigripResource(config_path=tenants_path, tenants_path=tenants_path, as_of=as_of)},
        executor=in_process_executor,  # one DuckDB writer per warehouse: a run's steps one after the other
    )
