"""ingest: one asset per configured source, ``raw_<source_id>``; every input row accounted for."""

from __future__ import annotations

import dataclasses
import time
import traceback

from dagster import AssetCheckResult, AssetCheckSeverity, AssetExecutionContext, AssetKey, asset, asset_check

from connectors import LITERACY_TYPES, PEER_TYPES
from connectors.inbox import load_source_files
from connectors.limits import Limits, run_with_limits
from pipelines.config import AigripConfig, SourceConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.errors import AigripError
from transforms.privacy.erasure import erase_rows, erasure_targets
from transforms.privacy.pseudonyms import load_or_create_key
from warehouse.db import first_row
from warehouse.decision_log import log_path, read_decisions
from warehouse.literacy_store import store_literacy_rows
from warehouse.loaders import store_dpia_records, store_peer_entries, store_source_result
from warehouse.privacy import quarantine_retention, store_erasures, store_redactions

__all__ = ["build_ingest_assets", "raw_asset_key", "source_limits"]


def raw_asset_key(source_id: str) -> AssetKey:
    return AssetKey(f"raw_{source_id}")


def _load(context: AssetExecutionContext, source: SourceConfig, config: AigripConfig, limits: Limits):
    """Run the connector over the source's files (see connectors.inbox) within its limits; a failure
    becomes one readable line, never an exception. People get the data_dir's keyed person key."""
    try:
        spec = source.to_spec()
        if source.type == "survey":
            spec = dataclasses.replace(spec, options={**spec.options,
                                                      "pseudonym_key": load_or_create_key(config.data_dir)})
        if source.type == "training_register":
            spec = dataclasses.replace(spec, options={**spec.options, "pseudonym_dir": str(config.data_dir)})
        return run_with_limits(lambda: load_source_files(config.data_dir, spec), limits, source.id), None
    except AigripError as exc:
        return None, str(exc)
    except Exception as exc:  # a connector bug must not sink the run either
        context.log.error(traceback.format_exc())
        return None, f"source '{source.id}': unexpected {type(exc).__name__}: {exc} (see the run log)"


def _apply_tombstones(loaded, source_id: str, config: AigripConfig) -> tuple[dict[str, int], str | None]:
    """Rows named by an ``erase`` tombstone in the decision log are dropped before anything is stored.

    If the log cannot be read, the source is not loaded at all (an erased row must never come back)."""
    if loaded is None:
        return {}, None
    try:
        targets = erasure_targets(read_decisions(log_path(config.data_dir)))
    except AigripError as exc:
        return {}, f"source '{source_id}' not loaded: the decision log (erasure requests) cannot be read: {exc}"
    # rows_in is the file's own count and stays; an input row erased whole moves from loaded to
    # quarantined (a survey answer is one row however many systems it names)
    loaded.frame, loaded.quarantine, erased, unloaded = erase_rows(source_id, loaded.frame, loaded.quarantine, targets)
    loaded.rows_loaded -= unloaded
    return erased, None


def source_limits(config: AigripConfig, source: SourceConfig) -> Limits:
    """The global ``limits:`` overridden by the source's own."""
    return Limits.from_mapping(config.limits.model_dump(), source.limits.model_dump() if source.limits else None)


def _own_source(config: AigripConfig, source: SourceConfig) -> SourceConfig | None:
    """The run's own definition of the source (on a platform a tenant may define it differently or not at all)."""
    return next((s for s in config.enabled_sources if s.id == source.id), None)


def _make_ingest_asset(source: SourceConfig, limits: Limits):
    @asset(
        name=f"raw_{source.id}",
        group_name="ingest",
        description=f"Source '{source.id}' ({source.type}): rows loaded as-is; bad rows quarantined with a reason.",
        kinds={"duckdb"},
    )
    def _ingest(context, aigrip: AigripResource):
        own = _own_source(aigrip.config, source)
        if own is None:  # a platform: this tenant has no such source (the graph is the union of the tenants')
            return result(f"raw_{source.id}", {"rows_in": 0}, extra={
                "opmerking": f"{aigrip.config.organisation.name} heeft geen bron '{source.id}'; niets ingelezen"})
        start = time.perf_counter()
        loaded, error = _load(context, own, aigrip.config, limits if own is source else source_limits(aigrip.config, own))
        extra: dict = {}
        erased, problem = _apply_tombstones(loaded, source.id, aigrip.config)
        if problem:
            loaded, error = None, problem
        with aigrip.connect() as con:
            with quarantine_retention(con, source.id, aigrip.config.privacy.quarantine_retention_days):
                counts = store_source_result(con, source.id, own.type, loaded, error, time.perf_counter() - start)
            if loaded is not None:  # personal data: redaction counts (shown in the progress line) and erasures
                store_erasures(con, source.id, erased)
                store_redactions(con, source.id, loaded.redactions)
                if loaded.redactions:
                    counts["redacted"] = sum(loaded.redactions.values())
            if loaded is not None and own.type in PEER_TYPES:
                from transforms.publish.peers import content_hash

                extra = store_peer_entries(con, source.id, loaded.frame, content_hash(loaded.frame))
            elif own.type in PEER_TYPES:
                con.execute("DELETE FROM peer_register_entries WHERE source_id = ?", [source.id])
            if own.type == "dpia_register":
                store_dpia_records(con, source.id, loaded.frame if loaded is not None else None)
            if own.type in LITERACY_TYPES:
                store_literacy_rows(con, source.id, own.type, loaded.frame if loaded is not None else None)
        if error:
            context.log.warning(error)
        frame = loaded.frame if loaded is not None else None
        return result(f"raw_{source.id}", counts, frame, extra=extra)

    return _ingest


def _make_accounting_check(source: SourceConfig):
    @asset_check(asset=raw_asset_key(source.id), name="rows_accounted_for",
                 description="rows_in (counted from the input itself) == rows_loaded + rows_quarantined + "
                             "rows_filtered: no input row silently dropped.")
    def _check(aigrip: AigripResource) -> AssetCheckResult:
        if _own_source(aigrip.config, source) is None:
            return AssetCheckResult(passed=True, metadata={
                "opmerking": f"{aigrip.config.organisation.name} heeft geen bron '{source.id}'"})
        with aigrip.connect() as con:
            row = first_row(con,
                "SELECT rows_in, rows_loaded, rows_quarantined, coalesce(rows_filtered, 0), error "
                "FROM source_status WHERE source_id = ?",
                [source.id],
            )
        if row is None:
            return AssetCheckResult(passed=False, metadata={"problem": "no accounting row for this source"})
        rows_in, loaded, quarantined, filtered, error = row
        return AssetCheckResult(
            passed=bool(rows_in == loaded + quarantined + filtered),
            severity=AssetCheckSeverity.ERROR,
            metadata={"rows_in": rows_in, "rows_loaded": loaded, "rows_quarantined": quarantined,
                      "rows_filtered": filtered, "error": error or ""},
        )

    return _check


def build_ingest_assets(config: AigripConfig) -> tuple[list, list]:
    sources = config.enabled_sources
    return [_make_ingest_asset(s, source_limits(config, s)) for s in sources], [_make_accounting_check(s) for s in sources]
