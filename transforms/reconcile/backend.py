"""The Splink backend, passed in rather than hard-wired: DuckDB (the default) or Spark (local mode).

``splink_api("duckdb", con=con)`` wraps a DuckDB connection; ``splink_api("spark", spark=session)``
wraps a Spark session (``local_spark_session()`` starts one in local mode). Both take the same
settings from :mod:`transforms.reconcile.settings`. Spark is an optional extra (``aigrip[spark]``)
and needs a Java runtime; when either is missing the error is one readable line with the fix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import duckdb

from transforms.errors import AigripError

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "splink_api", "local_spark_session", "spark_available"]

BACKENDS = ("duckdb", "spark")
DEFAULT_BACKEND = "duckdb"
_SPARK_FIX = "install the extra with 'pip install -e \".[spark]\"' and a Java runtime (apt-get install openjdk-17-jre-headless)"


def spark_available() -> str | None:
    """None when Spark can run here, else the reason it cannot (one line)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (the optional extra aigrip[spark])"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime found (java not on PATH, JAVA_HOME not set)"
    return None


def local_spark_session(cores: int = 2, memory: str = "1g") -> Any:
    """A Spark session in local mode, sized for one machine; one readable error when unavailable."""
    missing = spark_available()
    if missing:
        raise AigripError(f"Spark backend unavailable: {missing}; {_SPARK_FIX}")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        # Splink's similarity functions (jaro_winkler …) for Spark SQL
        .config("spark.jars", similarity_jar_location())
        .appName("aigrip-national")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(cores * 2, 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # Splink breaks long query lineages with checkpoints: they need a folder (a temporary one here)
    if not session.sparkContext.getCheckpointDir():
        session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="aigrip-spark-"))
    return session


def splink_api(backend: str = DEFAULT_BACKEND, *, con: duckdb.DuckDBPyConnection | None = None,
               spark: Any = None) -> Any:
    """Splink's database API for ``backend`` ("duckdb" or "spark")."""
    if backend == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection=con if con is not None else ":memory:")
    if backend == "spark":
        from splink.backends.spark import SparkAPI

        session = spark if spark is not None else local_spark_session()
        return SparkAPI(spark_session=session, num_partitions_on_repartition=4)
    raise AigripError(f"unknown Splink backend '{backend}': choose one of {', '.join(BACKENDS)}")
