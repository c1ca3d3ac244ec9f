"""Reading confirmed systems and writing publish outputs; shared by the assets and the CLI.

Only published entries (publication state gepubliceerd, the approved version) leave this module
(docs/contracts.md §9, §13).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Iterator

import duckdb

from pipelines.config import AigripConfig
from transforms.privacy.public_text import PUBLIC_SYSTEMS_SQL
from transforms.publish.site import render_site

__all__ = ["org_info", "confirmed_systems", "published_entries", "published_system_ids", "write_site", "write_files"]


def org_info(config: AigripConfig) -> dict:
    o = config.organisation
    return {"name": o.name, "code": o.code, "contact_email": o.contact_email, "website": o.website,
            "inhabitants": o.inhabitants}


def _records(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def published_system_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Ids of the systems whose entry is public (see :func:`published_entries`)."""
    return {sid for sid, _ in published_entries(con)}


def confirmed_systems(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[dict, dict]]:
    """(system, classification) for every confirmed system, by system_id.

    The description is the public one (:data:`transforms.privacy.public_text.PUBLIC_SYSTEMS_SQL`): an
    editor's, or one a vetted source gave; a system whose only description is a survey answer has none.
    """
    systems = _records(con.execute(PUBLIC_SYSTEMS_SQL + " WHERE status = 'confirmed' ORDER BY system_id"))
    cls = {r["system_id"]: r for r in _records(con.execute("SELECT * FROM classifications"))}
    for s in systems:
        yield s, cls.get(s["system_id"], {})


def published_entries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict]]:
    """(system_id, national entry) of every published entry: the version an approver published (an
    entry edited since stays public in its published version; withdrawn entries are not public)."""
    rows = con.execute(
        "SELECT system_id, published_entry_json FROM register_states "
        "WHERE published_entry_json IS NOT NULL AND state <> 'gedepubliceerd' ORDER BY system_id"
    ).fetchall()
    return [(sid, json.loads(js)) for sid, js in rows]


def write_files(files: dict[str, str | bytes], out_dir: Path) -> int:
    """Write a set of files into ``out_dir`` atomically (build beside it, then swap)."""
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel, content in files.items():
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    old = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return len(files)


def write_site(con: duckdb.DuckDBPyConnection, config: AigripConfig, out_dir: Path) -> int:
    """Render the public site into ``out_dir``; additions, changes and withdrawals since the last build
    are appended to ``data_dir/publish/site_changes.jsonl`` (the site's "Wat is er veranderd")."""
    from pipelines.site_history import record_changes

    entries = published_entries(con)
    now = dt.datetime.now().replace(microsecond=0)
    departments = dict(con.execute("SELECT system_id, department FROM systems").fetchall())
    meta = {sid: {"department": departments.get(sid)} for sid, _ in entries}
    changes = record_changes(config.data_dir, entries, now)
    files = render_site(entries, org_info(config), generated_at=now, title=config.publish.site_title,
                        meta=meta, changes=changes, site_url=config.publish.site_url)
    write_files(files, out_dir)
    return sum(1 for k in files if k.endswith(".html"))
