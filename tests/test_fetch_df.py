"""``warehouse.db.fetch_df``: the frame ``.df()`` gives (values and dtypes), fetched through Arrow."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from warehouse.db import fetch_df

QUERIES = [
    "SELECT 'a' AS s UNION ALL SELECT NULL",
    "SELECT NULL::VARCHAR AS s",
    "SELECT 'a'::VARCHAR AS s WHERE false",
    "SELECT true AS b UNION ALL SELECT NULL",
    "SELECT true AS b UNION ALL SELECT false",
    "SELECT DATE '2026-12-06' AS d UNION ALL SELECT NULL",
    "SELECT TIMESTAMP '2026-12-06 10:00' AS t, TIMESTAMPTZ '2026-12-06 10:00+01' AS tz",
    "SELECT 1::INTEGER AS i UNION ALL SELECT NULL",
    "SELECT 1::BIGINT AS i, 1.5 AS dec, 2.5::DOUBLE AS f, 1::HUGEINT AS h",
    "SELECT ['a', 'b'] AS l UNION ALL SELECT NULL",
    "SELECT [1, 2] AS l, {'a': 1} AS st, INTERVAL 1 DAY AS iv",
    "SELECT 'x' AS a, 1 AS b, 'y' AS c, DATE '2026-01-01' AS d",
    "SELECT 'één' AS a, 'x' AS a",  # a repeated column name keeps its place
]


@pytest.mark.parametrize("sql", QUERIES)
def test_same_frame_as_df(sql):
    con = duckdb.connect()
    pd.testing.assert_frame_equal(fetch_df(con, sql), con.execute(sql).df(), check_exact=True)


def test_parameters_and_an_unread_result():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT range AS i, 'r' || range AS s FROM range(10)")
    con.execute("SELECT * FROM t").fetchone()  # an unread result, as .df() would allow
    got = fetch_df(con, "SELECT s FROM t WHERE i >= ? AND i < ? ORDER BY i", [2, 4])
    assert got["s"].tolist() == ["r2", "r3"]
    con.execute("BEGIN")
    con.execute("DELETE FROM t WHERE i < 5")
    assert len(fetch_df(con, "SELECT * FROM t")) == 5  # inside the transaction
    con.execute("ROLLBACK")
    assert len(fetch_df(con, "SELECT * FROM t")) == 10
