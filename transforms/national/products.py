"""National products: register entries of all organisations linked by Splink (DuckDB or Spark, the
same national settings) and grouped into products — which organisations use a product, who registers
it in the national register, and whose own published entry is missing there.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from transforms.national.records import prepare_records
from transforms.reconcile.backend import DEFAULT_BACKEND, splink_api
from transforms.reconcile.cluster import connected_components, relabel_by_smallest
from transforms.reconcile.settings import NATIONAL_LABELS, NATIONAL_THRESHOLD, national_settings_creator

__all__ = ["EDGE_COLUMNS", "PRODUCT_COLUMNS", "link_records", "national_clusters", "national_products", "products_json"]

EDGE_COLUMNS = ["unique_id_l", "unique_id_r", "match_probability", "gamma_name", "gamma_provider",
                "gamma_description", "gamma_organisation"]
PRODUCT_COLUMNS = ["product_id", "product", "provider", "organisations", "organisation_count", "entry_count",
                   "registered_by", "not_registered_by", "example_names", "entry_keys", "reason"]
_EXAMPLES = 5


def link_records(records: pd.DataFrame, backend: str = DEFAULT_BACKEND, *, con: Any = None, spark: Any = None,
                 threshold: float = NATIONAL_THRESHOLD) -> pd.DataFrame:
    """Scored pairs of records (index = ``unique_id``) at or above ``threshold``, from Splink on
    ``backend``; the same settings and fixed m/u on either backend."""
    if len(records) < 2:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "match_probability" else "int64")
                             for c in EDGE_COLUMNS})
    from splink import Linker

    frame = prepare_records(records)
    if backend == "spark":
        session = spark
        if session is None:
            from transforms.reconcile.backend import local_spark_session

            session = local_spark_session()
        table = session.createDataFrame(_spark_ready(frame), schema=_spark_schema())
        db_api = splink_api("spark", spark=session)
    else:
        table = frame
        db_api = splink_api("duckdb", con=con.cursor() if con is not None else None)
    sdf = db_api.register(table)
    settings = national_settings_creator()
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    # only the edge columns leave the backend: the retained matching columns (both records' word
    # lists) would cost ~5 KB per pair as Python objects, over 10 GB at 1M records
    edges = linker.misc.query_sql(f"SELECT {', '.join(EDGE_COLUMNS)} FROM {predictions.physical_name}", output_type="pandas")
    linker.table_management.delete_tables_created_by_splink_from_db()
    if edges.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "match_probability" else "int64")
                             for c in EDGE_COLUMNS})
    edges = edges[EDGE_COLUMNS].copy()
    for c in EDGE_COLUMNS:
        edges[c] = edges[c].astype("float64" if c == "match_probability" else "int64")
    lo = np.minimum(edges["unique_id_l"], edges["unique_id_r"])
    hi = np.maximum(edges["unique_id_l"], edges["unique_id_r"])
    edges["unique_id_l"], edges["unique_id_r"] = lo, hi
    return edges.sort_values(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


def _spark_ready(frame: pd.DataFrame) -> list[tuple]:
    cols = [f.name for f in _spark_schema().fields]
    return [tuple(None if (not isinstance(v, list) and pd.isna(v)) else (int(v) if c == "unique_id" else v)
                  for c, v in zip(cols, row, strict=True)) for row in frame[cols].itertuples(index=False)]


def _spark_schema():
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    text = ["name_norm", "name_key", "provider_norm", "org_key", "blk_name", "blk_provider"]
    lists = ["name_words", "desc_words", "blk_name_words"]
    return StructType([StructField("unique_id", LongType(), False)]
                      + [StructField(c, StringType(), True) for c in text]
                      + [StructField(c, ArrayType(StringType()), True) for c in lists])


def national_clusters(n: int, edges: pd.DataFrame) -> np.ndarray:
    """Product label per record (the smallest member index): connected components of the pairs."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    labels = connected_components(n, edges["unique_id_l"].to_numpy(), edges["unique_id_r"].to_numpy())
    return relabel_by_smallest(labels)


def _pair_reason(row: Any) -> list[str]:
    out = []
    for comparison, labels in NATIONAL_LABELS.items():
        text = labels.get(int(getattr(row, f"gamma_{comparison}")))
        if text:
            out.append(text)
    return out


def _most_common(values: list[Any]) -> Any:
    values = [v for v in values if isinstance(v, str) and v.strip()]
    if not values:
        return None
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], str(v)))[0]


def national_products(records: pd.DataFrame, edges: pd.DataFrame, labels: np.ndarray | None = None,
                      *, min_organisations: int = 1) -> pd.DataFrame:
    """One row per national product (a cluster of register entries), with its organisations, who
    registers it nationally, whose own published entry is missing there, example names and the
    reason (how many entries, and the comparison outcomes that joined them)."""
    n = len(records)
    if labels is None:
        labels = national_clusters(n, edges)
    reasons: dict[int, Counter] = {}
    for row in edges.itertuples(index=False):
        reasons.setdefault(int(labels[int(row.unique_id_l)]), Counter()).update(_pair_reason(row))
    rows = []
    df = records.reset_index(drop=True).assign(_label=labels)
    for label, group in df.groupby("_label", sort=True):
        orgs = sorted({o for o in group["organisation"] if o})
        if len(orgs) < min_organisations:
            continue
        national = group[~group["own"]]
        registered = sorted({o for o in national["organisation"] if o})
        own = group[group["own"]]
        missing = sorted({o for o in own["organisation"] if o} - set(registered))
        names = Counter(n for n in group["name"] if n)
        examples = sorted(names, key=lambda v: (-names[v], v))[:_EXAMPLES]
        keys = sorted(group["record_key"].astype(str))
        how = reasons.get(int(label), Counter())
        why = (f"{len(group)} registratie{'s' if len(group) != 1 else ''} van {len(orgs)} "
               f"organisatie{'s' if len(orgs) != 1 else ''}"
               + (": " + ", ".join(f"{t} ({c}×)" for t, c in sorted(how.items(), key=lambda kv: (-kv[1], kv[0])))
                  if how else ": één registratie, geen gelijkende registraties gevonden"))
        if missing:
            why += f"; gepubliceerd door {', '.join(missing)} maar niet in het landelijk register gevonden"
        rows.append({
            "product_id": "NP-" + hashlib.sha1(keys[0].encode("utf-8")).hexdigest()[:10],
            "product": examples[0] if examples else None,
            "provider": _most_common(list(group["provider"])),
            "organisations": orgs, "organisation_count": len(orgs), "entry_count": int(len(group)),
            "registered_by": registered, "not_registered_by": missing,
            "example_names": examples, "entry_keys": keys, "reason": why,
        })
    out = pd.DataFrame(rows, columns=PRODUCT_COLUMNS)
    if out.empty:
        return out
    return out.sort_values(["organisation_count", "entry_count", "product"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def products_json(products: pd.DataFrame) -> list[dict]:
    """The products as plain JSON-ready dicts (lists stay lists)."""
    return json.loads(products.to_json(orient="records", force_ascii=False))
