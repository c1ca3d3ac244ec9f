"""publish: register entries (publication standard 1.0) of confirmed systems, and the public site."""

from __future__ import annotations

import json

import pandas as pd
from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.publishing import confirmed_systems, org_info, write_site
from pipelines.resources import AigripResource
from transforms.publish.register import to_national_entry, validate_entry
from warehouse import replace_table

__all__ = ["build_publish_assets"]


def build_publish_assets(config: AigripConfig) -> list:
    @asset(group_name="publish", deps=["classifications"], kinds={"duckdb"},
           description="One national-register entry (publication standard 1.0) per confirmed system, validated.")
    def register_entries(aigrip: AigripResource):
        org = org_info(aigrip.config)
        rows = []
        with aigrip.connect() as con:
            for system, cls in confirmed_systems(con):
                entry = to_national_entry(system, cls, org)
                problems = validate_entry(entry)
                rows.append({"system_id": system["system_id"], "entry_json": json.dumps(entry, ensure_ascii=False),
                             "problems": "; ".join(problems) or None})
            df = pd.DataFrame(rows, columns=["system_id", "entry_json", "problems"])
            n = replace_table(con, "register_entries", df)
        invalid = int(df["problems"].notna().sum()) if n else 0
        return result("register_entries", {"register_entries": n, "invalid_entries": invalid}, df,
                      ["system_id", "problems"])

    @asset(group_name="publish", deps=["register_entries"],
           description="The public algorithm register as a static site: an index and one page per confirmed system.")
    def public_site(aigrip: AigripResource):
        with aigrip.connect() as con:
            pages = write_site(con, aigrip.config, aigrip.config.data_dir / "site")
        return result("public_site", {"pages": pages, "path": str(aigrip.config.data_dir / "site" / "index.html")})

    from pipelines.defs.publish.drift import register_drift

    return [register_entries, public_site, register_drift]
