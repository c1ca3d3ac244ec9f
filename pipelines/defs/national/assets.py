"""national: ``national_products``, the national picture (docs/national.md)."""

from __future__ import annotations

from dagster import AssetKey, asset

from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.national import compute_national
from pipelines.resources import AigripResource

__all__ = ["build_national_assets"]


def build_national_assets(config: AigripConfig) -> list:
    @asset(
        group_name="national",
        deps=[AssetKey("kb_products"), AssetKey("register_entries")],
        description="National-register entries and this municipality's published entries reconciled into "
                    "national products (Splink on DuckDB or Spark); for the platform operator only.",
        kinds={"duckdb"},
    )
    def national_products(aigrip: AigripResource):
        with aigrip.connect() as con:
            products, counts = compute_national(con, aigrip.config)
        return result("national_products", counts, products,
                      ["product", "organisation_count", "entry_count", "registered_by", "not_registered_by"])

    return [national_products]
