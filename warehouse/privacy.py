"""Personal data in the warehouse: redaction counts per source and the quarantine's retention period.

Quarantined rows keep their (already redacted) raw text so the data team can fix the source, but
not for ever: after ``privacy.quarantine_retention_days`` (default 90) from the day a row was first
quarantined, its raw text is dropped and the row keeps only source, row reference and reason
(accounting stays whole). A row that is quarantined again on a later run keeps its first date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from warehouse.db import table_exists

__all__ = ["quarantine_retention", "DEFAULT_RETENTION_DAYS", "DROPPED_TEXT", "quarantine_first_seen", "keep_quarantine_dates",
           "drop_expired_raw_text", "store_redactions", "redaction_counts", "store_erasures"]

DEFAULT_RETENTION_DAYS = 90
DROPPED_TEXT = "(ruwe tekst verwijderd na de bewaartermijn)"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def quarantine_first_seen(con: duckdb.DuckDBPyConnection, source_id: str) -> list[tuple]:
    """(row_ref, reason, quarantined_at, raw_text_dropped_at) of the source's quarantined rows, before a reload."""
    return con.execute(
        "SELECT row_ref, reason, min(quarantined_at), min(raw_text_dropped_at) FROM quarantine "
        "WHERE source_id = ? GROUP BY row_ref, reason", [source_id]).fetchall()


def keep_quarantine_dates(con: duckdb.DuckDBPyConnection, source_id: str, before: list[tuple]) -> None:
    """After a reload: rows quarantined before (same row reference and reason) keep their first date."""
    if not before:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _q_before (row_ref VARCHAR, reason VARCHAR, first_at TIMESTAMP, "
                "dropped_at TIMESTAMP)")
    con.executemany("INSERT INTO _q_before VALUES (?, ?, ?, ?)", before)
    con.execute(
        "UPDATE quarantine q SET quarantined_at = b.first_at, raw_text_dropped_at = b.dropped_at FROM _q_before b "
        "WHERE q.source_id = ? AND q.row_ref IS NOT DISTINCT FROM b.row_ref AND q.reason IS NOT DISTINCT FROM b.reason",
        [source_id])
    con.execute("DROP TABLE _q_before")


def drop_expired_raw_text(con: duckdb.DuckDBPyConnection, days: int = DEFAULT_RETENTION_DAYS,
                          now: dt.datetime | None = None, source_id: str | None = None) -> int:
    """Drop the raw text of quarantined rows first seen more than ``days`` ago; returns how many."""
    now = now or _now()
    cutoff = now - dt.timedelta(days=days)
    where = "quarantined_at < ? AND (raw_text IS DISTINCT FROM ? OR raw_text_dropped_at IS NULL)"
    params: list = [cutoff, DROPPED_TEXT]
    if source_id is not None:
        where += " AND source_id = ?"
        params.append(source_id)
    n = int(con.execute(f"SELECT count(*) FROM quarantine WHERE {where}", params).fetchall()[0][0])
    if n:
        con.execute(f"UPDATE quarantine SET raw_text = ?, raw_text_dropped_at = coalesce(raw_text_dropped_at, ?) "
                    f"WHERE {where}", [DROPPED_TEXT, now, *params])
    return n


def store_redactions(con: duckdb.DuckDBPyConnection, source_id: str, counts: dict[str, int]) -> None:
    """Replace the source's redaction counts with this run's."""
    con.execute("DELETE FROM redactions WHERE source_id = ?", [source_id])
    rows = [(source_id, kind, int(n), _now()) for kind, n in sorted(counts.items()) if n]
    if rows:
        con.executemany("INSERT INTO redactions VALUES (?, ?, ?, ?)", rows)


def redaction_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """{source_id: {kind: n}} from the last runs (empty before migration 006)."""
    if not table_exists(con, "redactions"):
        return {}
    out: dict[str, dict[str, int]] = {}
    for sid, kind, n in con.execute("SELECT source_id, kind, n FROM redactions ORDER BY source_id, kind").fetchall():
        out.setdefault(sid, {})[kind] = int(n)
    return out


def store_erasures(con: duckdb.DuckDBPyConnection, source_id: str, counts: dict[str, int]) -> None:
    """Replace the source's erasure counts (rows removed per tombstone event) with this run's."""
    con.execute("DELETE FROM erasures WHERE source_id = ?", [source_id])
    rows = [(event_id, source_id, int(n), _now()) for event_id, n in sorted(counts.items())]
    if rows:
        con.executemany("INSERT INTO erasures VALUES (?, ?, ?, ?)", rows)


@contextmanager
def quarantine_retention(con: duckdb.DuckDBPyConnection, source_id: str,
                         days: int = DEFAULT_RETENTION_DAYS) -> Iterator[None]:
    """Around a reload of a source's quarantine: rows quarantined before keep their first date, and raw
    text older than ``days`` is dropped afterwards."""
    before = quarantine_first_seen(con, source_id)
    yield
    keep_quarantine_dates(con, source_id, before)
    drop_expired_raw_text(con, days, source_id=source_id)
