"""normalise: ``mentions``, one row per source record in a common shape."""

from __future__ import annotations

import pandas as pd
from dagster import AssetKey, asset

from connectors import MENTION_TYPES
from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.defs.normalise.chunks import raw_chunks, write_chunks
from pipelines.resources import AigripResource
from transforms.normalise.mentions import to_mentions
from warehouse import table_exists
from warehouse.loaders import raw_table_name

__all__ = ["build_normalise_assets"]


def build_normalise_assets(config: AigripConfig) -> list:
    mention_sources = [s for s in config.enabled_sources if s.type in MENTION_TYPES]

    @asset(
        group_name="normalise",
        deps=[AssetKey(raw_table_name(s.id)) for s in mention_sources],
        description="One row per source record (ledger line, tender, application, survey answer) in a common shape.",
        kinds={"duckdb"},
    )
    def mentions(aigrip: AigripResource):
        org = aigrip.config.organisation.name
        per_source, later, shown = {}, [0], []

        def mention_chunks(con):
            own = [s for s in aigrip.config.enabled_sources if s.type in MENTION_TYPES]  # a platform: the tenant's own
            for s in own:
                raw = raw_table_name(s.id)
                per_source[s.id] = 0
                if not table_exists(con, raw):
                    continue
                for chunk in raw_chunks(con, raw):  # row by row, so a big ledger goes in chunks
                    m = to_mentions(s.type, s.id, chunk, org)
                    per_source[s.id] += len(m)
                    if aigrip.known_then and aigrip.as_of and "record_date" in m.columns:  # a history run: what was known then
                        dated = pd.to_datetime(m["record_date"], errors="coerce")
                        keep = dated.isna() | (dated <= pd.Timestamp(aigrip.as_of_date))
                        later[0] += int((~keep).sum())
                        m = m[keep].reset_index(drop=True)
                    yield m

        with aigrip.connect() as con:
            n = write_chunks(con, "mentions", mention_chunks(con),
                             each=lambda m: shown.append(m.head(10)) if len(shown) < 1 and len(m) else None)
        later = later[0]
        df = shown[0] if shown else pd.DataFrame(columns=["source_key"])
        extra = {"dated_after_as_of": later} if later else {}
        return result("mentions", {"mentions": n} | extra | {f"from_{k}": v for k, v in per_source.items()}, df,
                      ["source_key", "title", "vendor", "department"])

    return [mentions]
