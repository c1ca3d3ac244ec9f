"""The ``mentions`` table written source by source and, for a big source, chunk by chunk.

``to_mentions`` works row by row, so a raw table of a million ledger lines can be turned into
mentions 200,000 rows at a time: the whole table is never held twice (raw frame and mentions with
their raw JSON at once), which kept a 1M-line run above 3 GB. The chunks go into a staging copy of
the table, in the order of the raw tables, which replaces the table in one transaction, so readers
see the old or the new table, never half (``write_chunks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import duckdb
import pandas as pd

from transforms.errors import WarehouseError
from warehouse import read_table
from warehouse.db import fetch_df, first_row

__all__ = ["raw_chunks", "write_chunks", "CHUNK_ROWS"]

CHUNK_ROWS = 200_000
_CREATE = re.compile(r'^\s*CREATE\s+TABLE\s+(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)\s*\(', re.IGNORECASE)


def raw_chunks(con: duckdb.DuckDBPyConnection, table: str, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """A raw table in chunks of ``rows`` rows, in table order (one chunk when it is small)."""
    n, top = con.execute(f'SELECT count(*), coalesce(max(rowid) + 1, 0) FROM "{table}"').fetchone()
    if n <= rows:
        yield read_table(con, table)
        return
    for start in range(0, top, rows):  # rowid ranges: a table with deleted rows has gaps, no overlap
        yield fetch_df(con, f'SELECT * FROM "{table}" WHERE rowid >= ? AND rowid < ? ORDER BY rowid',
                          [start, start + rows])


def write_chunks(con: duckdb.DuckDBPyConnection, name: str, chunks: Iterator[pd.DataFrame],
                 each: Callable[[pd.DataFrame], None] | None = None) -> int:
    """Replace table ``name`` with the concatenation of ``chunks`` (matched by column name);
    ``each(chunk)`` sees every chunk after it is written. Returns the row count.

    Each chunk is committed into a staging copy of the table (same definition, keys included), and
    the copy takes the table's place in one transaction at the end: readers see the old or the new
    table, never half, and a failing chunk leaves the old table as it was. Committing chunk by chunk
    lets DuckDB release each chunk (it keeps a transaction's appended rows, and the frames they came
    from, until the commit: half a gigabyte at a million mentions), and the swap costs no row-by-row
    delete of the old table (17 s for a million keyed rows on a second run).
    """
    stage, view = f"_incoming_{name}", f"_chunk_{name}"
    row = first_row(con, "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = current_schema()",
                    [name])
    if row is None:
        raise WarehouseError(f"no table {name} to write")
    ddl, n = _CREATE.subn(f'CREATE TABLE "{stage}" (', row[0], count=1)
    if n != 1:
        raise WarehouseError(f"cannot read the definition of table {name}")
    total = 0
    con.execute(f'DROP TABLE IF EXISTS "{stage}"')  # left by a run that stopped half-way
    con.execute(ddl)
    try:
        for chunk in chunks:
            if each is not None:
                each(chunk)
            if chunk is None or not len(chunk.columns) or chunk.empty:
                continue
            con.register(view, chunk)
            try:
                con.execute(f'INSERT INTO "{stage}" BY NAME SELECT * FROM "{view}"')
            finally:
                con.unregister(view)
            total += len(chunk)
        con.execute("BEGIN")
        try:
            con.execute(f'DROP TABLE "{name}"')
            con.execute(f'ALTER TABLE "{stage}" RENAME TO "{name}"')
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    except Exception:
        con.execute(f'DROP TABLE IF EXISTS "{stage}"')
        raise
    return total
