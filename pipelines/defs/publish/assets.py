"""publish: register entries (publication standard 1.0) of confirmed systems, and the public site."""

from __future__ import annotations

from dagster import asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.publishing import org_info, write_site
from pipelines.register_step import update_register
from pipelines.resources import AigripResource

__all__ = ["build_publish_assets"]


def build_publish_assets(config: AigripConfig) -> list:
    @asset(group_name="publish", deps=["classifications"], kinds={"duckdb"},
           description="One national-register entry (publication standard 1.0) per confirmed system, validated; "
                       "its versions and publication state (concept, vrijgegeven, gepubliceerd, gedepubliceerd).")
    def register_entries(aigrip: AigripResource):
        with aigrip.connect() as con:
            df, counts = update_register(con, org_info(aigrip.config))
        return result("register_entries", counts, df, ["system_id", "problems"])

    @asset(group_name="publish", deps=["register_entries"],
           description="The public algorithm register as a static site: an index and one page per confirmed system.")
    def public_site(aigrip: AigripResource):
        with aigrip.connect() as con:
            pages = write_site(con, aigrip.config, aigrip.config.data_dir / "site")
        return result("public_site", {"pages": pages, "path": str(aigrip.config.data_dir / "site" / "index.html")})

    from pipelines.defs.publish.drift import register_drift

    return [register_entries, public_site, register_drift]
