"""Dagster resources built from ``aigrip.yaml``."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import duckdb
from dagster import ConfigurableResource

from pipelines.config import AigripConfig, load_config
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
