"""Connections, migrations, table writes and the read-only snapshot.

One process writes the warehouse file at a time (DuckDB's rule). Everything that may run beside a
discovery run reads the published snapshot instead (docs/contracts.md §5): :func:`publish_snapshot` copies
the tables readers need into a temporary file and renames it into place.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from transforms.errors import WarehouseError
from warehouse.diskerrors import describe_message, describe_os_error

__all__ = [
    "WAREHOUSE_NAME",
    "SNAPSHOT_NAME",
    "connect",
    "snapshot_connect",
    "replace_table",
    "read_table",
    "fetch_df",
    "table_exists",
    "publish_snapshot",
    "migrations",
    "first_row",
]

WAREHOUSE_NAME = "warehouse.duckdb"
SNAPSHOT_NAME = "snapshot.duckdb"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Tables not copied to the snapshot: raw source tables are large and readers never need them.
_SNAPSHOT_SKIP = re.compile(r"^raw_")


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, or None. Fetches everything, so no unfinished result is left open
    on the connection (DuckDB 2.0 refuses ``register`` and friends while one is)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file, in order."""
    out = []
    folder = resources.files("warehouse") / "migrations"
    for entry in folder.iterdir():
        m = re.match(r"^(\d+)_.*\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    row = first_row(con, "SELECT coalesce(max(version), 0) FROM schema_version")
    current = int(row[0]) if row else 0
    known = migrations()
    if known and current > known[-1][0]:
        raise WarehouseError(
            f"warehouse schema version {current} is newer than this aigrip ({known[-1][0]}); upgrade aigrip"
        )
    for version, name, sql in known:
        if version <= current:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


@contextmanager
def connect(path: str | os.PathLike, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; write connections bring the schema up to date first."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run 'aigrip run' first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(describe_os_error(exc, path.parent, "create the folder")) from None
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0]
        # name the real cause: a read-only or full disk is not "in use by another process"
        line = describe_message(first, path, "open")
        raise WarehouseError(line or f"cannot open {path}: {first}") from None
    try:
        if not read_only:
            _migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def snapshot_connect(data_dir: str | os.PathLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection to the last published snapshot (safe beside a running discovery run)."""
    path = Path(data_dir) / SNAPSHOT_NAME
    if not path.exists():
        raise WarehouseError(f"no published snapshot in {data_dir}: run 'aigrip run' first")
    with connect(path, read_only=True) as con:
        yield con


def _check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise WarehouseError(f"invalid table name {name!r}")
    return name


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = first_row(con,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
        [name],
    )
    return bool(row and row[0])


def replace_table(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame, create: bool = False) -> int:
    """Replace a table's rows with ``df`` in one transaction; returns the row count.

    Columns are matched by name (``INSERT … BY NAME``): a column the table lacks is an error, a
    column the frame lacks is NULL. With ``create=True`` the table is (re)created from the frame's
    own shape (used for ``raw_<source_id>`` tables).
    """
    _check_ident(name)
    view = f"_incoming_{name}"
    con.register(view, df)
    try:
        con.execute("BEGIN")
        try:
            if create:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
            else:
                con.execute(f"DELETE FROM {name}")
                if len(df.columns):
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister(view)
    return len(df)


def read_table(con: duckdb.DuckDBPyConnection, name: str, where: str = "", params: list | None = None) -> pd.DataFrame:
    """All rows of a table as a DataFrame; ``where`` is a fixed SQL fragment with ``?`` parameters."""
    _check_ident(name)
    sql = f"SELECT * FROM {name}" + (f" WHERE {where}" if where else "")
    return fetch_df(con, sql, params)


_TEXT_TYPES = (pa.string(), pa.large_string(), pa.string_view())


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """``con.execute(sql, params).df()``, the same columns, values and dtypes, about five times faster
    on text: DuckDB's ``.df()`` builds a Python string per value and pandas then packs them into its
    Arrow-backed ``str`` columns, while text fetched as Arrow goes to pandas without that round trip.
    Other columns (dates, nullable integers, lists, decimals) keep DuckDB's own conversion, so the
    frame equals what ``.df()`` gives (an all-NULL text column stays ``object`` with ``None``)."""
    con.complete()  # like .df(): an earlier execute()'s unread result gives way
    table = con.sql(sql, params=params or None).to_arrow_table()
    if len(set(table.schema.names)) < table.num_columns:  # .df() renames repeated names (a, a_1)
        return con.from_arrow(table).df()
    text = [i for i, f in enumerate(table.schema) if f.type in _TEXT_TYPES]
    other = [i for i, f in enumerate(table.schema) if f.type not in _TEXT_TYPES]
    columns: dict[int, pd.Series] = {}
    if other:
        rest = con.from_arrow(table.select(other)).df()
        for j, i in enumerate(other):
            columns[i] = rest.iloc[:, j]
    for i in text:
        col = table.column(i)
        if col.null_count == len(col):  # .df() gives object (None) for a column without any text
            columns[i] = pd.Series([None] * len(col), dtype="object")
        else:
            columns[i] = col.to_pandas()
    return pd.DataFrame({name: columns[i].reset_index(drop=True) for i, name in enumerate(table.schema.names)})


def publish_snapshot(warehouse_path: str | os.PathLike) -> Path:
    """Copy the readers' tables into ``snapshot.duckdb`` beside the warehouse, atomically."""
    warehouse_path = Path(warehouse_path)
    final = warehouse_path.with_name(SNAPSHOT_NAME)
    tmp = warehouse_path.with_name(f".{SNAPSHOT_NAME}.{os.getpid()}.tmp")
    leftovers = (tmp, tmp.with_name(tmp.name + ".wal"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        _copy_snapshot(warehouse_path, tmp)
        os.replace(tmp, final)
    except (duckdb.Error, OSError) as exc:
        # no half-written snapshot or temp file is left; the previous snapshot stays in place
        for leftover in leftovers:
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        line = describe_os_error(exc, final, "publish the snapshot") if isinstance(exc, OSError) else (
            describe_message(text, final, "publish the snapshot"))
        raise WarehouseError(line or f"cannot publish the snapshot {final}: {text}") from None
    return final


def _copy_snapshot(warehouse_path: Path, tmp: Path) -> None:
    with connect(warehouse_path) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()"
            ).fetchall()
        ]
        con.execute("ATTACH ? AS snap", [str(tmp)])
        try:
            for t in tables:
                if _SNAPSHOT_SKIP.match(t) or not _IDENT.match(t):
                    continue
                con.execute(f"CREATE TABLE snap.{t} AS SELECT * FROM main.{t}")
        finally:
            con.execute("DETACH snap")
