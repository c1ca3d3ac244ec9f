"""The DuckDB warehouse: schema migrations, short-lived connections, table writes, snapshots."""

from warehouse.db import (
    SNAPSHOT_NAME,
    WAREHOUSE_NAME,
    connect,
    publish_snapshot,
    read_table,
    replace_table,
    snapshot_connect,
    table_exists,
)

__all__ = [
    "SNAPSHOT_NAME",
    "WAREHOUSE_NAME",
    "connect",
    "publish_snapshot",
    "read_table",
    "replace_table",
    "snapshot_connect",
    "table_exists",
]
