"""A tenant's copy of the platform's shared data (docs/tenants.md).

On a platform of several municipalities the peer registers (the national register, other
organisations' registers) are read once, into the shared warehouse, and the knowledge base is built
there once. The shared run ends by publishing the shared snapshot (``<platform data_dir>/snapshot.duckdb``,
written to a temporary file and renamed into place). Every tenant run then copies what it needs from
that snapshot into its own warehouse with :func:`copy_shared`, so everything downstream (detection,
drift, status, the review app, the report) reads its own warehouse exactly as for a single
municipality, and the tenant never opens the shared warehouse for writing.

The copy is public data only (published register entries and what is derived from them); nothing of
a tenant flows back into the shared warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from transforms.errors import WarehouseError
from warehouse.db import table_exists

__all__ = ["SHARED_TABLES", "SOURCE_TABLES", "copy_shared"]

# whole tables: what the peer sources and the knowledge base produce
SHARED_TABLES = ("peer_register_entries", "peer_snapshots", "peer_entry_history", "kb_products", "kb_kinds")
# per-source bookkeeping: only the rows of the shared sources the tenant itself configures
SOURCE_TABLES = ("source_status", "quarantine")
_PER_SOURCE = ("peer_register_entries", "peer_snapshots")


def _columns(con: duckdb.DuckDBPyConnection, schema_db: str, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND "
                       "table_name = ? ORDER BY ordinal_position", [schema_db, table]).fetchall()
    return [r[0] for r in rows]


def copy_shared(con: duckdb.DuckDBPyConnection, snapshot: str | os.PathLike, source_ids: list[str]) -> dict[str, int]:
    """Replace the tenant's shared tables by those of the shared snapshot (read-only), in one transaction.

    Peer entries and snapshots (and the rows of ``source_status`` and ``quarantine``) are limited to
    ``source_ids``, the shared sources this tenant configures; the entry history and the knowledge base
    are copied whole (built once from every shared source).
    Returns the rows copied per table. A missing snapshot is one readable line."""
    snapshot = Path(snapshot)
    if not snapshot.exists():
        raise WarehouseError(f"no shared snapshot at {snapshot}: the platform's shared run (peer registers and "
                             "knowledge base) must run first; use 'aigrip run --config tenants.yaml --tenant ID'")
    con.execute("ATTACH ? AS shared_src (READ_ONLY)", [str(snapshot)])
    counts: dict[str, int] = {}
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            for table in (*SHARED_TABLES, *SOURCE_TABLES):
                if not table_exists(con, table):
                    continue
                have = _columns(con, "shared_src", table)
                if not have:
                    continue
                cols = [c for c in _columns(con, _current_db(con), table) if c in have]
                names = ", ".join(f'"{c}"' for c in cols)
                scoped = table in SOURCE_TABLES or table in _PER_SOURCE
                where = " WHERE source_id IN (SELECT unnest(?::VARCHAR[]))" if scoped else ""
                params = [source_ids] if scoped else []
                if scoped:
                    con.execute(f"DELETE FROM {table} WHERE source_id IN (SELECT unnest(?::VARCHAR[]))", [source_ids])
                else:
                    con.execute(f"DELETE FROM {table}")
                con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM shared_src.main.{table}{where}", params)
                counts[table] = con.execute(f"SELECT count(*) FROM shared_src.main.{table}{where}", params).fetchall()[0][0]
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute("DETACH shared_src")
    return counts


def _current_db(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchall()[0][0]
