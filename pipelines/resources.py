"""Dagster resources built from ``aigrip.yaml`` (or, on a platform of several tenants, ``tenants.yaml``).

On a platform (``tenants_path`` set) the resource is the run's tenant: the partition key of the run
(``dagster/partition``) names it, and ``config``, ``connect()`` and the run lock are that tenant's own
(its aigrip.yaml, warehouse and data_dir). A run without a partition is the platform's shared run: the
peer sources and the knowledge base, written to the shared warehouse (docs/tenants.md).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from pipelines.config import AigripConfig, load_config
from pipelines.gc_tuning import collected_rarely
from pipelines.runlock import run_lock
from warehouse import connect

__all__ = ["AigripResource"]


@lru_cache(maxsize=8)
def _cached_config(path: str, mtime: float) -> AigripConfig:
    return load_config(path)


@lru_cache(maxsize=4)
def _cached_platform(path: str, mtime: float):
    from pipelines.tenants import load_platform

    return load_platform(path, check_files=False)


class AigripResource(ConfigurableResource):
    """The configured municipality: its config file, the warehouse, and the run's reference date."""

    config_path: str
    as_of: str = ""  # ISO date (YYYY-MM-DD) the run reports on; empty means today
    known_then: bool = False  # a history run: only source records dated and decisions taken up to as_of
    lock_wait_minutes: float = 0.0  # how long a run waits for another run of this data_dir to finish
    tenants_path: str = ""  # a platform's tenants.yaml: the tenant is the run's partition key
    tenant: str = ""  # the tenant when the run has no partition key (e.g. a script materialising one asset)
    _lock: ExitStack | None = PrivateAttr(default=None)
    _tenant: str = PrivateAttr(default="")

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Every run, however started (CLI, Dagster UI, schedule), holds the data_dir's run lock
        (pipelines.runlock; shared with ``aigrip run``, which took it already). On a platform the run's
        partition key names the tenant whose data_dir this run reads and writes."""
        if self.tenants_path:
            run = getattr(context, "dagster_run", None)
            key = (run.tags.get("dagster/partition") if run is not None else None) or self.tenant
            self._tenant = self.platform.tenant(key).id if key else ""
        stack = ExitStack()
        stack.enter_context(run_lock(self.config.data_dir, wait=self.lock_wait_minutes * 60, poll=5.0))
        stack.enter_context(collected_rarely())  # pipelines.gc_tuning: 7 s less collecting at 1M lines
        self._lock = stack

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def platform(self):
        """The platform of tenants (only when ``tenants_path`` is set)."""
        p = Path(self.tenants_path)
        return _cached_platform(str(p.resolve()), p.stat().st_mtime if p.exists() else 0.0)

    @property
    def tenant_id(self) -> str:
        """The run's tenant ('' for a single aigrip.yaml and for the platform's shared run)."""
        return self._tenant or (self.tenant if self.tenants_path else "")

    @property
    def config(self) -> AigripConfig:
        if self.tenants_path:
            tenant = self.tenant_id
            return self.platform.tenant(tenant).config if tenant else self.platform.shared_config()
        p = Path(self.config_path)
        return _cached_config(str(p.resolve()), p.stat().st_mtime if p.exists() else 0.0)

    @property
    def warehouse_path(self) -> Path:
        """The tenant's warehouse, or on a platform's shared run the shared warehouse."""
        if self.tenants_path and not self.tenant_id:
            return self.platform.shared_warehouse_path
        return self.config.warehouse_path

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()

    @property
    def period(self) -> str:
        return self.as_of_date.strftime("%Y-%m")

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.warehouse_path) as con:
            yield con
