"""The national picture: every national-register entry and this municipality's own published entries
reconciled into national products with Splink, on DuckDB (default) or Spark (local mode).

:mod:`records` — the entries in one shape, with matching features and capped blocking columns;
:mod:`products` — Splink linkage on the chosen backend, clusters and the ``national_products`` rows.
"""

from transforms.national.products import (
    EDGE_COLUMNS,
    PRODUCT_COLUMNS,
    link_records,
    national_clusters,
    national_products,
    products_json,
)
from transforms.national.records import national_records, prepare_records

__all__ = ["EDGE_COLUMNS", "PRODUCT_COLUMNS", "link_records", "national_clusters", "national_products",
           "national_records", "prepare_records", "products_json"]
