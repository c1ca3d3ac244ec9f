"""``aigrip erase``: remove a person's data (or one source row) on request, with a tombstone.

1. An ``erase`` decision is appended to the decision log (the tombstone: who asked it be done, when,
   which person key or source key — never the person's name or address). The log is append-only and
   is not rewritten; earlier decisions keep naming source keys, which hold no personal data.
2. A whole run follows: every source is re-read and the ingest drops the erased rows before anything
   is stored (transforms/privacy/erasure.py), so the warehouse, the snapshot, the site and the report
   are rebuilt without them. Every later run does the same, so a source file that still holds the
   person never brings them back.
3. Exports written before under ``data_dir/export/<format>`` and the reports of earlier periods under
   ``data_dir/reports/`` are written again from the new snapshot.

A person is named by their person key (16 hex, as in ``respondent_hash``) or by the e-mail address or
name they used in the survey, which is turned into the key here and not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import AigripConfig
from transforms.errors import AigripError
from transforms.privacy.erasure import ERASE_ACTION, is_person_key
from transforms.privacy.pseudonyms import load_or_create_key, person_key
from warehouse.decision_log import append_decision, log_path

__all__ = ["ErasureOutcome", "erase"]


@dataclass
class ErasureOutcome:
    event_id: str
    applied: bool
    rows_removed: int = 0
    message: str = ""
    rewritten: list[Path] = field(default_factory=list)


def _tombstone(cfg: AigripConfig, person: str | None, source_row: str | None, reviewer: str,
               reason: str | None) -> dict:
    if bool(person) == bool(source_row):
        raise AigripError("give exactly one of --person (a person key, e-mail address or name) or --source-row KEY")
    event: dict = {"action": ERASE_ACTION, "reviewer": reviewer, "reason": reason or "verwijderverzoek"}
    if person:
        value = person.strip()
        key = value if is_person_key(value) else person_key(value, load_or_create_key(cfg.data_dir))
        event["fields"] = {"person_key": key}
    else:
        if ":" not in source_row.strip(":"):
            raise AigripError(f"--source-row '{source_row}' is not a source key; use <source_id>:<row>, "
                              "as in provenance.csv or 'aigrip review show'")
        event["source_keys"] = [source_row.strip()]
    return append_decision(log_path(cfg.data_dir), event)


def _rewrite_outputs(cfg: AigripConfig) -> list[Path]:
    """Exports already written, and the reports of every period, again from the new snapshot."""
    from pipelines.exports import EXPORTERS, run_export
    from pipelines.reporting import available_periods, write_report
    from warehouse import snapshot_connect

    written: list[Path] = []
    export_dir = cfg.data_dir / "export"
    for fmt in EXPORTERS:
        if (export_dir / fmt).exists():
            written += run_export(cfg, fmt)
    reports = cfg.data_dir / "reports"
    if reports.exists():
        with snapshot_connect(cfg.data_dir) as con:
            for period in available_periods(con):
                if (reports / period).exists():
                    written.append(write_report(con, cfg, period))
    return written


def erase(cfg: AigripConfig, *, person: str | None = None, source_row: str | None = None, reviewer: str,
          reason: str | None = None, as_of: str = "") -> ErasureOutcome:
    """Record the tombstone, then apply it now with a whole run and rewrite the outputs."""
    from pipelines.runner import run_pipeline
    from warehouse import snapshot_connect

    event = _tombstone(cfg, person, source_row, reviewer, reason)
    outcome = ErasureOutcome(event_id=event["event_id"], applied=False)
    try:
        run = run_pipeline(cfg, as_of=as_of)
    except AigripError as exc:
        run, outcome.message = None, str(exc)
    if run is None or not run.success:
        outcome.message = (f"tombstone {event['event_id']} saved, but the run to apply it failed "
                           f"({outcome.message or run.error}); the next run applies it")
        return outcome
    with snapshot_connect(cfg.data_dir) as con:
        row = con.execute("SELECT coalesce(sum(rows_removed), 0) FROM erasures WHERE event_id = ?",
                          [event["event_id"]]).fetchall()
    outcome.rows_removed = int(row[0][0])
    outcome.rewritten = _rewrite_outputs(cfg)
    outcome.applied = True
    outcome.message = (f"erased: {outcome.rows_removed} source row(s) removed from the warehouse, snapshot, site "
                       f"and report; {len(outcome.rewritten)} output file(s) rewritten; tombstone "
                       f"{event['event_id']} in the decision log keeps them out of every later run")
    return outcome
