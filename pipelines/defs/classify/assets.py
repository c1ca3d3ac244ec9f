"""classify: per system the AI-Act class, DPIA, IAMA and publication category, each with its reason."""

from __future__ import annotations

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.classify.systems import classify_systems, match_dpia
from warehouse import read_table, replace_table
from warehouse.db import fetch_df

__all__ = ["build_classify_assets", "SYSTEM_TEXTS_SQL"]

# All titles and descriptions behind each system, for the rules to read.
SYSTEM_TEXTS_SQL = """
SELECT p.system_id,
       string_agg(concat_ws(' ', m.title, m.description, m.product, m.vendor, m.department), ' | '
                  ORDER BY m.source_key) AS text
FROM provenance p JOIN mentions m USING (source_key)
GROUP BY p.system_id
"""


def build_classify_assets(config: AigripConfig) -> list:
    dpia_deps = [f"raw_{s.id}" for s in config.enabled_sources if s.type == "dpia_register"]

    @asset(group_name="classify", deps=["systems", *dpia_deps], kinds={"duckdb"},
           description="EU AI Act class, DPIA required, IAMA recommended and register category per system, with reasons; "
                       "joined with the DPIA register for the actual status.")
    def classifications(aigrip: AigripResource):
        with aigrip.connect() as con:
            systems = read_table(con, "systems")
            texts = fetch_df(con, SYSTEM_TEXTS_SQL)
            cls = classify_systems(systems, texts, aigrip.as_of_date)
            dpia = match_dpia(systems, read_table(con, "dpia_records"))
            if len(dpia):
                cls = cls.merge(dpia, on="system_id", how="left")
            n = replace_table(con, "classifications", cls)
        counts = {"classified": n}
        if n:
            counts |= {f"class_{k}": int(v) for k, v in cls["ai_act_class"].value_counts().items()}
        return result("classifications", counts, cls, ["system_id", "ai_act_class", "publication_category", "ai_act_reason"])

    return [classifications]
