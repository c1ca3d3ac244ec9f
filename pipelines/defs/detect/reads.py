"""What the detect assets read from ``mentions``: only the columns detection uses, and ``raw_json``
only of the sources whose raw fields it reads (survey answers, application portfolio). At 1M ledger
lines this halves the read and the memory of the stage; the transforms see the same values."""

from __future__ import annotations

import duckdb
import pandas as pd

from transforms.detect.peer_model import OWN_BULK_SOURCES
from transforms.detect.sources import RAW_SOURCES
from warehouse.db import fetch_df

__all__ = ["detect_mentions", "bulk_mentions", "candidate_mentions", "peer_entries", "peer_model_inputs_key"]

# what the peer model reads of a peer registration (transforms.detect.peer_model.peer_documents)
PEER_MODEL_COLUMNS = ("name", "description_short", "goal", "description", "organisation")
_COLUMNS = ("source_key", "source_id", "source_type", "title", "description", "vendor", "vendor_norm",
            "vendor_kvk", "product")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                       " AND table_schema = current_schema()", [table]).fetchall()
    return {r[0] for r in rows}


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return _columns(con, "mentions")


def _peer_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The quoted peer fields the model reads that the table has."""
    have = _columns(con, "peer_register_entries")
    return [f'"{c}"' for c in PEER_MODEL_COLUMNS if c in have]


def detect_mentions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The mentions as detection reads them (rowid order, like ``read_table``)."""
    have = _present(con)
    cols = [f'"{c}"' for c in _COLUMNS if c in have]
    if "cpv_codes" in have:  # an empty list gives no CPV signal, like NULL; NULL converts faster
        cols.append('CASE WHEN len("cpv_codes") > 0 THEN "cpv_codes" END AS "cpv_codes"')
    if "raw_json" in have:
        marks = ", ".join("?" for _ in RAW_SOURCES)
        cols.append(f'CASE WHEN "source_type" IN ({marks}) THEN "raw_json" END AS "raw_json"')
    return fetch_df(con, f"SELECT {', '.join(cols)} FROM mentions", list(RAW_SOURCES) if "raw_json" in have else [])


def bulk_mentions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The distinct (title, product, description) of the municipality's bulk sources, with their
    ``source_type``: all ``transforms.detect.own_texts`` needs, without reading every row."""
    have = _present(con)
    cols = [f'"{c}"' for c in ("title", "product", "description") if c in have]
    if "source_type" not in have or not cols:
        return pd.DataFrame()
    marks = ", ".join("?" for _ in OWN_BULK_SOURCES)
    return fetch_df(con, f"SELECT DISTINCT source_type, {', '.join(cols)} FROM mentions WHERE source_type IN ({marks})",
                       list(OWN_BULK_SOURCES))


def candidate_mentions(con: duckdb.DuckDBPyConnection, keys: list[str]) -> pd.DataFrame:
    """The mentions of the given source keys (for the kind guess of the candidates)."""
    if not keys:
        return fetch_df(con, "SELECT * FROM mentions LIMIT 0")
    con.register("_candidate_keys", pd.DataFrame({"k": pd.Series(keys, dtype="object")}))
    try:
        return fetch_df(con, "SELECT m.* FROM mentions m SEMI JOIN _candidate_keys c ON m.source_key = c.k"
                           " ORDER BY m.rowid")
    finally:
        con.unregister("_candidate_keys")


def peer_entries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The peer registrations with the fields the peer model reads (not the 100 MB of raw JSON)."""
    cols = _peer_columns(con)
    if not cols:
        return None
    return fetch_df(con, f"SELECT {', '.join(cols)} FROM peer_register_entries")


def peer_model_inputs_key(con: duckdb.DuckDBPyConnection) -> tuple:
    """A cheap fingerprint of everything the peer model is fitted on (the peers' fields and the own
    bulk texts), summed row hashes computed in DuckDB: equal inputs give an equal key, so the
    candidates asset reuses the model the signals asset fitted without reading the inputs again."""
    key: list = []
    cols = _peer_columns(con)
    if cols:
        key += con.execute(f"SELECT count(*), sum(hash({', '.join(cols)})) FROM peer_register_entries").fetchall()[0]
    have = _present(con)
    cols = [f'"{c}"' for c in ("title", "product", "description") if c in have]
    if "source_type" in have and cols:
        marks = ", ".join("?" for _ in OWN_BULK_SOURCES)
        key += con.execute(f"SELECT count(*), sum(hash(source_type, {', '.join(cols)})) FROM mentions"
                           f" WHERE source_type IN ({marks})", list(OWN_BULK_SOURCES)).fetchall()[0]
    return tuple(key)
