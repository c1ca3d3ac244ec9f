"""publish: drift between our own entries in the national register and the inventory."""

from __future__ import annotations

from dagster import asset

from pipelines.defs._common import result
from pipelines.drift import compute_drift
from pipelines.resources import AigripResource
from warehouse import replace_table

__all__ = ["register_drift"]


@asset(group_name="publish", deps=["register_entries", "kb_products"], kinds={"duckdb"},
       description="Our own entries in the national register against the inventory: only in the register, "
                   "not published, fields that differ.")
def register_drift(aigrip: AigripResource):
    with aigrip.connect() as con:
        df = compute_drift(con, aigrip.config)
        n = replace_table(con, "register_drift", df)
    counts = {"register_drift": n} | {k: int((df["kind"] == k).sum()) for k in
                                      ("alleen_in_register", "niet_gepubliceerd", "verschil")}
    return result("register_drift", counts, df, ["kind", "system_id", "lars", "name", "field", "reason"])
