"""``aigrip status``: counts per stage from the last published snapshot (keys fixed by docs/contracts.md §8)."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.table import Table

from pipelines.config import AigripConfig
from warehouse import SNAPSHOT_NAME, snapshot_connect, table_exists
from warehouse.db import first_row
from warehouse.privacy import redaction_counts

__all__ = ["collect_status", "render_status"]

_STATUSES = ("candidate", "confirmed", "rejected", "retired")


def _empty(config: AigripConfig) -> dict:
    return {
        "organisation": config.organisation.name,
        "last_run": None,
        "sources": {s.id: {"type": s.type, "rows_in": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_filtered": 0,
                           "error": None, "redacted": {}} for s in config.enabled_sources},
        "mentions": 0, "peer_register_entries": 0, "peer_organisations": 0, "kb_products": 0,
        "candidates": 0, "systems": {s: 0 for s in _STATUSES}, "review_queue": 0, "decisions": 0,
    }


def collect_status(config: AigripConfig, as_of: dt.date | None = None) -> dict:
    """The status object; all zeros (last_run null) before the first run."""
    st = _empty(config)
    if not (config.data_dir / SNAPSHOT_NAME).exists():
        return st
    as_of = as_of or dt.date.today()
    with snapshot_connect(config.data_dir) as con:
        row = first_row(con, "SELECT max(finished_at) FROM runs")
        st["last_run"] = row[0].isoformat() + "Z" if row and row[0] else None
        filtered = "coalesce(rows_filtered, 0)" if _has_column(con, "source_status", "rows_filtered") else "0"
        for sid, typ, rin, rl, rq, rf, err in con.execute(
            f"SELECT source_id, type, rows_in, rows_loaded, rows_quarantined, {filtered}, error FROM source_status"
        ).fetchall():
            if sid in st["sources"]:
                st["sources"][sid] = {"type": typ, "rows_in": int(rin), "rows_loaded": int(rl),
                                      "rows_quarantined": int(rq), "rows_filtered": int(rf), "error": err}
        redacted = redaction_counts(con)  # personal data redacted on ingest, by kind
        for sid, src in st["sources"].items():
            src["redacted"] = redacted.get(sid, {})
        one = lambda sql, p=None: int(con.execute(sql, p or []).fetchall()[0][0])  # noqa: E731
        st["mentions"] = one("SELECT count(*) FROM mentions")
        st["peer_register_entries"] = one("SELECT count(*) FROM peer_register_entries")
        st["peer_organisations"] = one(
            "SELECT count(DISTINCT coalesce(org_code, organisation)) FROM peer_register_entries")
        st["kb_products"] = one("SELECT count(*) FROM kb_products")
        st["candidates"] = one("SELECT count(*) FROM candidates")
        for s, n in con.execute("SELECT status, count(*) FROM systems GROUP BY status").fetchall():
            if s in st["systems"]:
                st["systems"][s] = int(n)
        st["review_queue"] = one(
            "SELECT count(*) FROM systems WHERE status = 'candidate' AND (defer_until IS NULL OR defer_until <= ?)",
            [as_of])
        st["decisions"] = one("SELECT count(*) FROM review_decisions") if table_exists(con, "review_decisions") else 0
    return st


def _has_column(con, table: str, column: str) -> bool:
    """A snapshot published before migration 007 has no rows_filtered column."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?", [table, column]
    ).fetchall()[0][0])


def render_status(st: dict, console: Console) -> None:
    console.print(f"[bold]{st['organisation']}[/] — last run: {st['last_run'] or 'never'}", highlight=False)
    t = Table("source", "type", "rows in", "loaded", "quarantined", "error")
    for sid, s in st["sources"].items():
        t.add_row(sid, s["type"], str(s["rows_in"]), str(s["rows_loaded"]), str(s["rows_quarantined"]), s["error"] or "")
    console.print(t)
    redacted = {sid: sum(s.get("redacted", {}).values()) for sid, s in st["sources"].items()}
    if any(redacted.values()):
        console.print("personal data redacted: " + ", ".join(f"{sid} {n}" for sid, n in redacted.items() if n),
                      highlight=False)
    for sid, s in st["sources"].items():  # below the table, so that it stays narrow
        if s["rows_filtered"]:
            console.print(f"{sid}: {s['rows_filtered']} rows of other buyers filtered out (counted in rows in)",
                          highlight=False)
    sy = st["systems"]
    console.print(
        f"mentions {st['mentions']} · candidates {st['candidates']} · systems: {sy['candidate']} candidate, "
        f"{sy['confirmed']} confirmed, {sy['rejected']} rejected, {sy['retired']} retired · review queue "
        f"{st['review_queue']} · decisions {st['decisions']}", highlight=False)
    console.print(f"peers: {st['peer_register_entries']} register entries from {st['peer_organisations']} organisations · "
                  f"knowledge base {st['kb_products']} products", highlight=False)
