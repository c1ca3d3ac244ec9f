"""Dagster resources built from ``aigrip.yaml``."""

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
from pipelines.runlock import run_lock
from warehouse import connect

__all__ = ["AigripResource"]


@lru_cache(maxsize=8)
def _cached_config(path: str, mtime: float) -> AigripConfig:
    return load_config(path)


class AigripResource(ConfigurableResource):
    """The configured municipality: its config file, the warehouse, and the run's reference date."""

    config_path: str
    as_of: str = ""  # ISO date (YYYY-MM-DD) the run reports on; empty means today
    known_then: bool = False  # a history run: only source records dated and decisions taken up to as_of
    lock_wait_minutes: float = 0.0  # how long a run waits for another run of this data_dir to finish
    _lock: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Every run, however started (CLI, Dagster UI, schedule), holds the data_dir's run lock
        (pipelines.runlock; shared with ``aigrip run``, which took it already)."""
        stack = ExitStack()
        stack.enter_context(run_lock(self.config.data_dir, wait=self.lock_wait_minutes * 60, poll=5.0))
        self._lock = stack

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def config(self) -> AigripConfig:
        p = Path(self.config_path)
        return _cached_config(str(p.resolve()), p.stat().st_mtime if p.exists() else 0.0)

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()

    @property
    def period(self) -> str:
        return self.as_of_date.strftime("%Y-%m")

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.config.warehouse_path) as con:
            yield con
