"""The national picture, shared by the ``national_products`` asset and ``aigrip national``: read the
peer register entries and this municipality's published entries, reconcile them on the configured
Splink backend, write ``national_products``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import duckdb
import pandas as pd

from pipelines.config import AigripConfig
from pipelines.publishing import org_info, published_entries
from transforms.national import link_records, national_clusters, national_products, national_records
from transforms.reconcile.backend import local_spark_session
from transforms.reconcile.settings import NATIONAL_THRESHOLD
from warehouse import read_table, replace_table

__all__ = ["compute_national", "national_summary"]


def compute_national(con: duckdb.DuckDBPyConnection, config: AigripConfig, *,
                     backend: str | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Build and store ``national_products``; returns the products and the run's counts."""
    settings = config.national
    backend = backend or settings.backend
    peers = read_table(con, "peer_register_entries")
    own = [entry for _sid, entry in published_entries(con)]
    records = national_records(peers, own, org_info(config))
    started = time.perf_counter()
    spark = local_spark_session(settings.spark_cores, settings.spark_memory) if backend == "spark" else None
    threshold = settings.threshold if settings.threshold is not None else NATIONAL_THRESHOLD
    edges = link_records(records, backend, con=con, spark=spark, threshold=threshold)
    labels = national_clusters(len(records), edges)
    products = national_products(records, edges, labels)
    products["backend"] = backend
    products["computed_at"] = dt.datetime.now().replace(microsecond=0)
    replace_table(con, "national_products", products)
    counts = {
        "national_records": len(records), "own_published_entries": len(own),
        "peer_organisations": int(records.loc[~records["own"], "org_key"].nunique()) if len(records) else 0,
        "national_pairs": len(edges), "national_products": len(products),
        "shared_products": int((products["organisation_count"] >= 2).sum()) if len(products) else 0,
        "own_not_registered": int(products["not_registered_by"].map(len).gt(0).sum()) if len(products) else 0,
        "backend": backend, "seconds": round(time.perf_counter() - started, 2),
    }
    return products, counts


def national_summary(products: pd.DataFrame, limit: int = 20) -> list[dict]:
    """The products shared by most organisations, for the CLI and the asset's preview."""
    keep = ["product_id", "product", "provider", "organisation_count", "entry_count", "organisations",
            "registered_by", "not_registered_by", "example_names", "reason"]
    out = []
    for row in products.head(limit)[keep].to_dict(orient="records"):
        out.append({k: (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else v) for k, v in row.items()})
    return out
