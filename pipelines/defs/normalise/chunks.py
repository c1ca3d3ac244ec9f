"""The ``mentions`` table written source by source and, for a big source, chunk by chunk.

``to_mentions`` works row by row, so a raw table of a million ledger lines can be turned into
mentions 200,000 rows at a time: the whole table is never held twice (raw frame and mentions with
their raw JSON at once), which kept a 1M-line run above 3 GB. All chunks are written in one
transaction, in the order of the raw tables, so readers see the old or the new table, never half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pandas as pd

from warehouse import read_table
from warehouse.db import fetch_df

__all__ = ["raw_chunks", "write_chunks", "CHUNK_ROWS"]

CHUNK_ROWS = 200_000


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
    """Replace table ``name`` with the concatenation of ``chunks`` (matched by column name), in one
    transaction; ``each(chunk)`` sees every chunk after it is written. Returns the row count."""
    view = f"_incoming_{name}"
    total = 0
    con.execute("BEGIN")
    try:
        con.execute(f'DELETE FROM "{name}"')
        for chunk in chunks:
            if each is not None:
                each(chunk)
            if chunk is None or not len(chunk.columns) or chunk.empty:
                continue
            con.register(view, chunk)
            try:
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM "{view}"')
            finally:
                con.unregister(view)
            total += len(chunk)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return total
