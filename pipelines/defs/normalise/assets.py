"""normalise: ``mentions``, one row per source record in a common shape."""

from __future__ import annotations

import pandas as pd
from dagster import AssetKey, asset

from connectors import MENTION_TYPES
from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.normalise.mentions import to_mentions
from warehouse import read_table, replace_table, table_exists
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
        frames, per_source = [], {}
        own = [s for s in aigrip.config.enabled_sources if s.type in MENTION_TYPES]  # a platform: the tenant's own
        with aigrip.connect() as con:
            for s in own:
                raw = raw_table_name(s.id)
                if not table_exists(con, raw):
                    per_source[s.id] = 0
                    continue
                m = to_mentions(s.type, s.id, read_table(con, raw), org)
                per_source[s.id] = len(m)
                frames.append(m)
            df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["source_key"])
            later = 0
            if aigrip.known_then and aigrip.as_of and "record_date" in df.columns:  # a history run: what was known then
                dated = pd.to_datetime(df["record_date"], errors="coerce")
                keep = dated.isna() | (dated <= pd.Timestamp(aigrip.as_of_date))
                later = int((~keep).sum())
                df = df[keep].reset_index(drop=True)
            n = replace_table(con, "mentions", df)
        extra = {"dated_after_as_of": later} if later else {}
        return result("mentions", {"mentions": n} | extra | {f"from_{k}": v for k, v in per_source.items()}, df,
                      ["source_key", "title", "vendor", "department"])

    return [mentions]
