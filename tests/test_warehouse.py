"""Warehouse: migrations, table writes by column name, the atomic read-only snapshot."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from transforms.errors import WarehouseError
from warehouse import connect, publish_snapshot, replace_table, snapshot_connect
from warehouse.db import migrations


def test_migrations_apply_once_and_record_version(tmp_path):
    path = tmp_path / "w.duckdb"
    with connect(path):
        pass
    with connect(path) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()]
    assert versions == [m[0] for m in migrations()]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    with pytest.raises(WarehouseError, match="newer"):
        with connect(path):
            pass


def test_replace_table_matches_columns_by_name(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        replace_table(con, "candidates", pd.DataFrame({"reasons": ["r"], "source_key": ["a:1"], "ai_score": [0.9]}))
        assert con.execute("SELECT source_key, ai_score, reasons FROM candidates").fetchall() == [("a:1", 0.9, "r")]
        replace_table(con, "candidates", pd.DataFrame({"source_key": ["b:2"]}))
        assert con.execute("SELECT count(*) FROM candidates").fetchone()[0] == 1
        with pytest.raises(duckdb.Error):
            replace_table(con, "candidates", pd.DataFrame({"source_key": ["c"], "no_such_column": [1]}))
        assert con.execute("SELECT source_key FROM candidates").fetchall() == [("b:2",)], "failed write rolled back"


def test_replace_table_rejects_unsafe_names(tmp_path):
    with connect(tmp_path / "w.duckdb") as con, pytest.raises(WarehouseError):
        replace_table(con, "mentions; DROP TABLE runs", pd.DataFrame())


def test_snapshot_is_readable_while_the_warehouse_is_being_written(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as con:
        replace_table(con, "mentions", pd.DataFrame({"source_key": ["a:1", "a:2"]}))
        replace_table(con, "raw_big", pd.DataFrame({"x": range(10)}), create=True)
    publish_snapshot(path)
    with connect(path) as writer:  # a run holds the warehouse
        writer.execute("DELETE FROM mentions")
        with snapshot_connect(tmp_path) as reader:
            assert reader.execute("SELECT count(*) FROM mentions").fetchone()[0] == 2
            tables = {r[0] for r in reader.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            assert "raw_big" not in tables, "raw source tables stay out of the snapshot"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary snapshot left behind"


def test_reading_before_any_run_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="aigrip run"):
        with snapshot_connect(tmp_path):
            pass
