"""The review queue over the published snapshot, and decisions written to the decision log.

Everything here reads the read-only snapshot (``warehouse.snapshot_connect(data_dir)``), never the
live warehouse, and writes only to the decision log. A decision that the last run has not applied
yet (its ``event_id`` is not in the snapshot's ``review_decisions``) is *pending*.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from review.labels import CLASS_ORDER
from transforms.errors import AigripError
from warehouse import snapshot_connect, table_exists
from warehouse.db import first_row
from warehouse.decision_log import append_decision, log_path, read_decisions

__all__ = [
    "ReviewError",
    "UnknownSystemError",
    "STATUS_FILTERS",
    "resolve_system_id",
    "pending_decisions",
    "list_queue",
    "queue_counts",
    "filter_options",
    "show_system",
    "decide",
]

STATUS_FILTERS: tuple[str, ...] = ("queue", "deferred", "candidate", "confirmed", "rejected", "retired", "all")
_MAX_HOPS = 100


class ReviewError(AigripError):
    """A review request that cannot be carried out (bad filter, bad target)."""


class UnknownSystemError(ReviewError):
    """The system id is not in the last published snapshot."""


def _plain(value: object) -> object:
    """Snapshot values as JSON-friendly Python values (dates as ISO text)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def resolve_system_id(con: duckdb.DuckDBPyConnection, system_id: str) -> str:
    """The current id of ``system_id``, following merged-away ids to their successor."""
    current = (system_id or "").strip().upper()
    has_registry = table_exists(con, "system_ids")
    for _ in range(_MAX_HOPS):
        if first_row(con, "SELECT 1 FROM systems WHERE system_id = ?", [current]):
            return current
        row = (
            first_row(con, "SELECT successor_id FROM system_ids WHERE system_id = ?", [current])
            if has_registry else None
        )
        if not row or not row[0]:
            break
        current = row[0]
    raise UnknownSystemError(
        f"system {system_id!r} is not in the last published snapshot; see 'aigrip review list' for the ids"
    )


def pending_decisions(con: duckdb.DuckDBPyConnection, data_dir: str | os.PathLike | None) -> list[dict]:
    """Logged decisions the snapshot does not contain yet (applied on the next run), in log order."""
    if data_dir is None:
        return []
    events = read_decisions(log_path(data_dir))
    if not events:
        return []
    applied = {r[0] for r in con.execute("SELECT event_id FROM review_decisions").fetchall()} if table_exists(
        con, "review_decisions") else set()
    return [e for e in events if e["event_id"] not in applied]


def _pending_by_system(con: duckdb.DuckDBPyConnection, pending: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    keyed = [e for e in pending if not e.get("system_id") and e.get("source_keys")]
    owner: dict[str, str] = {}
    if keyed:
        keys = sorted({k for e in keyed for k in e["source_keys"]})
        owner = dict(con.execute(
            "SELECT source_key, any_value(system_id) FROM provenance WHERE list_contains(?, source_key) GROUP BY 1",
            [keys]).fetchall())
    for e in pending:
        ids = {e["system_id"]} if e.get("system_id") else {owner[k] for k in e.get("source_keys") or [] if k in owner}
        for sid in ids:
            out.setdefault(sid, []).append(e)
    return out


_CLASS_RANK = "CASE c.ai_act_class " + " ".join(
    f"WHEN '{code}' THEN {i}" for i, code in enumerate(CLASS_ORDER)) + f" ELSE {len(CLASS_ORDER)} END"

_QUEUE_SQL = f"""
WITH prov AS (
    SELECT p.system_id,
           list(DISTINCT p.source_key ORDER BY p.source_key) AS source_keys,
           list(DISTINCT m.source_id ORDER BY m.source_id) FILTER (WHERE m.source_id IS NOT NULL) AS source_ids
    FROM provenance p LEFT JOIN mentions m ON m.source_key = p.source_key
    GROUP BY p.system_id
)
SELECT s.system_id, s.name, s.status, s.ai_score, c.ai_act_class, coalesce(prov.source_keys, []) AS source_keys,
       coalesce(prov.source_ids, []) AS source_ids, s.source_types, s.n_sources, s.department, s.vendor,
       s.first_seen, s.last_seen, s.defer_until, s.conflicts, c.publication_category, c.dpia_required,
       c.dpia_status, c.iama_recommended, c.needs_review, s.decided_by, s.decided_at,
       {{impact_cols}}
FROM systems s
LEFT JOIN classifications c ON c.system_id = s.system_id
LEFT JOIN prov ON prov.system_id = s.system_id
{{impact_join}}
WHERE {{where}}
ORDER BY {{impact_order}}{_CLASS_RANK}, s.ai_score DESC NULLS LAST, s.first_seen ASC NULLS LAST, s.system_id
"""
# quick wins first: the impact rank (system_impact, written by the monitor stage) leads when the snapshot has it
_WITH_IMPACT = {"impact_cols": "i.impact_rank, i.impact_score, i.impact_reason",
                "impact_join": "LEFT JOIN system_impact i ON i.system_id = s.system_id",
                "impact_order": "i.impact_rank ASC NULLS LAST, "}
_NO_IMPACT = {"impact_cols": "NULL AS impact_rank, NULL AS impact_score, NULL AS impact_reason",
              "impact_join": "", "impact_order": ""}


def _status_condition(status: str | None, today: date) -> tuple[str, list]:
    status = (status or "queue").strip().lower()
    if status not in STATUS_FILTERS:
        raise ReviewError(f"unknown status filter {status!r}; use one of {', '.join(STATUS_FILTERS)}")
    if status == "queue":
        return "s.status = 'candidate' AND (s.defer_until IS NULL OR s.defer_until <= ?)", [today]
    if status == "deferred":
        return "s.status = 'candidate' AND s.defer_until > ?", [today]
    if status == "all":
        return "TRUE", []
    return "s.status = ?", [status]


def list_queue(
    con: duckdb.DuckDBPyConnection,
    *,
    status: str | None = None,
    department: str | None = None,
    source: str | None = None,
    ai_act_class: str | None = None,
    data_dir: str | os.PathLike | None = None,
    today: date | None = None,
) -> list[dict]:
    """Systems to review, largest impact first (see transforms.monitor.impact; each row's impact_reason
    says why), then AI-Act class, ai_score desc and oldest first.

    ``status``: None/"queue" = candidates not deferred past ``today``; "deferred"; "all"; or a
    system status (candidate, confirmed, rejected, retired). ``source`` matches a source id or a
    source type. With ``data_dir`` each row's ``pending`` holds the newest pending decision.
    """
    where, params = _status_condition(status, today or date.today())
    if department:
        where += " AND s.department = ?"
        params.append(department)
    if ai_act_class:
        where += " AND c.ai_act_class = ?"
        params.append(ai_act_class)
    if source:
        where += (" AND (list_contains(coalesce(s.source_types, []), ?) OR EXISTS (SELECT 1 FROM provenance p"
                  " JOIN mentions m ON m.source_key = p.source_key WHERE p.system_id = s.system_id"
                  " AND (m.source_id = ? OR m.source_type = ?)))")
        params += [source, source, source]
    impact = _WITH_IMPACT if table_exists(con, "system_impact") else _NO_IMPACT
    rows = _rows(con, _QUEUE_SQL.format(where=where, **impact), params)
    pending = _pending_by_system(con, pending_decisions(con, data_dir))
    for row in rows:
        mine = pending.get(row["system_id"], [])
        row["pending"] = mine[-1] if mine else None
        row["pending_count"] = len(mine)
    return rows


def queue_counts(con: duckdb.DuckDBPyConnection, today: date | None = None) -> dict[str, int]:
    """How many systems each status filter shows (the queue, deferred, each status, all)."""
    today = today or date.today()
    row = first_row(con,
        """SELECT count(*) FILTER (WHERE status = 'candidate' AND (defer_until IS NULL OR defer_until <= ?)),
                  count(*) FILTER (WHERE status = 'candidate' AND defer_until > ?),
                  count(*) FILTER (WHERE status = 'candidate'), count(*) FILTER (WHERE status = 'confirmed'),
                  count(*) FILTER (WHERE status = 'rejected'), count(*) FILTER (WHERE status = 'retired'),
                  count(*)
           FROM systems""",
        [today, today],
    )
    return dict(zip(STATUS_FILTERS, (int(v or 0) for v in row), strict=True))


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values the queue can be filtered on: departments, sources (ids and types), AI-Act classes."""
    departments = [r[0] for r in con.execute(
        "SELECT DISTINCT department FROM systems WHERE department IS NOT NULL AND department <> '' ORDER BY 1"
    ).fetchall()]
    sources = [r[0] for r in con.execute(
        """SELECT DISTINCT v FROM (SELECT m.source_id AS v FROM provenance p JOIN mentions m ON m.source_key = p.source_key
                                   UNION SELECT m.source_type FROM provenance p JOIN mentions m ON m.source_key = p.source_key)
           WHERE v IS NOT NULL ORDER BY 1"""
    ).fetchall()]
    present = {r[0] for r in con.execute("SELECT DISTINCT ai_act_class FROM classifications").fetchall()}
    classes = [c for c in CLASS_ORDER if c in present] + sorted(c for c in present - set(CLASS_ORDER) if c)
    return {"departments": departments, "sources": sources, "classes": classes}


def _split(text: object) -> list[str]:
    if not text:
        return []
    parts = str(text).replace("\n", "; ").split("; ")
    return [p.strip() for p in parts if p.strip()]


def show_system(con: duckdb.DuckDBPyConnection, system_id: str, data_dir: str | os.PathLike | None = None) -> dict:
    """Everything a reviewer needs about one system: source records with their signals and why they
    were joined, the classification with reasons, conflicts, resembling systems kept apart (``links``:
    the near misses of reconciliation, with why they matched and why they are apart), decisions
    (applied and pending).

    A merged-away id is followed to its successor (``requested_id`` keeps what was asked).
    """
    current = resolve_system_id(con, system_id)
    system = _rows(con, "SELECT * FROM systems WHERE system_id = ?", [current])[0]
    try:
        fields = json.loads(system.get("fields_json") or "{}")
    except ValueError:
        fields = {}
    sources = _rows(con, """
        SELECT p.source_key, m.source_id, m.source_type, m.title, m.description, m.vendor, m.vendor_kvk, m.product,
               m.department, m.amount_eur, m.record_date, m.url, m.cpv_codes, p.match_probability, p.match_reason,
               c.ai_score, c.reasons, c.kind, c.kind_reason
        FROM provenance p LEFT JOIN mentions m ON m.source_key = p.source_key
        LEFT JOIN candidates c ON c.source_key = p.source_key
        WHERE p.system_id = ? ORDER BY p.match_probability DESC NULLS LAST, p.source_key""", [current])
    keys = [s["source_key"] for s in sources]
    signals = _rows(con, """SELECT source_key, kind, detail, weight, reason FROM signals
                            WHERE list_contains(?, source_key) ORDER BY weight DESC NULLS LAST, kind""", [keys])
    for src in sources:
        src["signals"] = [s for s in signals if s["source_key"] == src["source_key"]]
        src["reasons_list"] = _split(src.get("reasons"))
    classification = _rows(con, "SELECT * FROM classifications WHERE system_id = ?", [current])
    merged_from = [r[0] for r in con.execute(
        "SELECT system_id FROM system_ids WHERE successor_id = ? ORDER BY 1", [current]).fetchall()
    ] if table_exists(con, "system_ids") else []
    decisions = _rows(con, """SELECT * FROM review_decisions
        WHERE system_id = ? OR "into" = ? OR list_has_any(coalesce(source_keys, []), ?) ORDER BY "at" """,
                      [current, current, keys])
    kb = _rows(con, "SELECT product_id, name, vendor, org_count, organisations, categories FROM kb_products"
                    " WHERE product_id = ?", [system.get("kb_product_id")]) if system.get("kb_product_id") else []
    pending = _pending_by_system(con, pending_decisions(con, data_dir)).get(current, [])
    links = _rows(con, """
        SELECT l.other_id, l.source_key, l.other_source_key, l.match_probability, l.match_reason, l.why_apart,
               l.n_links, s.name AS other_name, s.status AS other_status, s.department AS other_department,
               coalesce(ma.title, l.source_key) AS source_title,
               coalesce(mb.title, l.other_source_key) AS other_source_title
        FROM system_links l JOIN systems s ON s.system_id = l.other_id
        LEFT JOIN mentions ma ON ma.source_key = l.source_key
        LEFT JOIN mentions mb ON mb.source_key = l.other_source_key
        WHERE l.system_id = ? ORDER BY l.match_probability DESC, l.other_id""", [current]) \
        if table_exists(con, "system_links") else []
    return {
        "system_id": current,
        "requested_id": system_id,
        "system": system,
        "fields": fields if isinstance(fields, dict) else {},
        "sources": sources,
        "classification": classification[0] if classification else None,
        "conflicts": _split(system.get("conflicts")),
        "merged_from": merged_from,
        "links": links,
        "kb_product": kb[0] if kb else None,
        "decisions": decisions,
        "pending": pending,
    }


def decide(
    data_dir: str | os.PathLike,
    system_id: str | None,
    action: str,
    reviewer: str,
    reason: str | None = None,
    into: str | None = None,
    fields: dict | None = None,
    source_keys: list[str] | None = None,
    event_id: str | None = None,
    seen: str | None = None,
) -> dict:
    """Check a decision against the snapshot and append it to the decision log; returns the stored event.
    ``seen`` records the latest decision the reviewer saw for the system ("" for none).

    Merged-away ids (``system_id`` and ``into``) are followed to their successor; split source keys
    must belong to the system; ``event_id`` makes a retried submission idempotent.
    """
    keys = [k.strip() for k in source_keys or [] if k and k.strip()]
    with snapshot_connect(data_dir) as con:
        current = resolve_system_id(con, system_id) if system_id else None
        target = resolve_system_id(con, into) if into else None
        if target is not None and target == current:
            raise ReviewError(f"{system_id} and {into} are already the same system ({current})")
        if keys:
            if current:
                sql, params = "SELECT source_key FROM provenance WHERE system_id = ?", [current]
            else:
                sql, params = "SELECT source_key FROM mentions", []
            known = {r[0] for r in con.execute(sql, params).fetchall()}
            unknown = [k for k in keys if k not in known]
            if unknown:
                where = f"system {current}" if current else "the last published snapshot"
                raise ReviewError(f"source record(s) {', '.join(unknown)} are not in {where}; check the keys")
    event = {"event_id": event_id, "reviewer": reviewer, "action": action, "system_id": current,
             "source_keys": keys or None, "into": target, "fields": fields or None, "reason": reason}
    if seen is not None:
        event["seen"] = seen
    return append_decision(log_path(Path(data_dir)), event)
