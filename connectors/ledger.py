"""Spend ledger (crediteurenadministratie) connector: CSV or XLSX → one row per ledger line.

Reading and parsing happen in DuckDB (``read_csv`` with rejects, ``try_strptime``, ``try_cast``):
a line whose amount (``n.v.t.``) or date (``31-02-2025``) cannot be parsed is quarantined with a
Dutch reason; lines DuckDB cannot split (too many/few fields, an unclosed quote) are quarantined
with their line number and raw text.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from connectors._tabular import amount_clean_sql, amount_sql, date_sql, kvk_sql, open_table
from connectors.base import ConnectorResult, SourceSpec

__all__ = ["load", "ALIASES", "FRAME_COLUMNS"]

FRAME_COLUMNS = ["row_ref", "invoice", "supplier", "supplier_kvk", "description", "amount", "date", "department"]

ALIASES: dict[str, tuple[str, ...]] = {
    "invoice": ("factuurnummer", "boekstuk", "boekstuknummer", "factuurnr", "factuurnr.", "documentnummer", "transactienummer"),
    "supplier": ("crediteurnaam", "crediteur", "leverancier", "leveranciersnaam", "naam crediteur", "naam leverancier", "relatienaam", "relatie"),
    "supplier_kvk": ("kvk-nummer", "kvk", "kvknummer", "kvk nummer", "kvk-nr", "kvk nr", "kvk-nr."),
    "description": ("factuuromschrijving", "omschrijving", "boekingsomschrijving", "factuurregel", "omschrijving factuur", "regelomschrijving"),
    "amount": ("bedrag incl. btw", "bedrag", "bedrag excl. btw", "bedrag incl btw", "bedrag excl btw", "bedrag (eur)", "factuurbedrag", "bedrag in euro"),
    "date": ("boekdatum", "factuurdatum", "datum", "betaaldatum", "boekingsdatum"),
    "department": ("kostenplaats", "afdeling", "kostenplaats omschrijving", "budgethouder", "organisatieonderdeel"),
}


def _col(table, fld: str) -> str:
    return table.fields.get(fld, "NULL")


def load(spec: SourceSpec) -> ConnectorResult:
    """Read a ledger file; see the module docstring. Raises SourceFormatError / ConfigError."""
    con = duckdb.connect()
    try:
        with open_table(con, spec, ALIASES, required=("supplier",)) as table:
            return _parse(con, table)
    finally:
        con.close()


def _parse(con, table) -> ConnectorResult:
    c = {f: _col(table, f) for f in ALIASES}
    text = {f: f"nullif(trim({c[f]}), '')" for f in ALIASES}
    cols = [f"c{i}" for i in range(len(table.header))]
    hash_src = f"concat_ws('|', {text['supplier']}, {text['supplier_kvk']}, {text['description']}, {text['amount']}, {text['date']}, {text['department']})"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE parsed AS
        SELECT _ord,
               {text['invoice']} AS invoice, {text['supplier']} AS supplier, {kvk_sql(c['supplier_kvk'])} AS supplier_kvk,
               {text['description']} AS description, {text['amount']} AS amount_text, {amount_sql('_amt')} AS amount,
               {text['date']} AS date_text, {date_sql(c['date'])} AS date, {text['department']} AS department,
               coalesce({text['invoice']}, left(sha1({hash_src}), 12)) AS ref
        FROM (SELECT *, {amount_clean_sql(c['amount'])} AS _amt FROM raw)"""
    )
    bad = "(amount_text IS NOT NULL AND amount IS NULL) OR (date_text IS NOT NULL AND date IS NULL)"
    frame = con.execute(
        f"""SELECT ref
                   || CASE WHEN row_number() OVER w > 1 THEN '-' || row_number() OVER w ELSE '' END AS row_ref,
                   invoice, supplier, supplier_kvk, description, amount, CAST(date AS TIMESTAMP) AS date, department
            FROM parsed WHERE NOT ({bad})
            WINDOW w AS (PARTITION BY ref ORDER BY _ord)
            ORDER BY _ord"""
    ).df()
    rejected = con.execute(
        f"""SELECT p._ord, p.invoice,
                   concat_ws('; ',
                     CASE WHEN amount_text IS NOT NULL AND amount IS NULL THEN 'bedrag ''' || amount_text || ''' is geen geldig bedrag' END,
                     CASE WHEN date_text IS NOT NULL AND date IS NULL THEN 'datum ''' || date_text || ''' bestaat niet of heeft een onbekend formaat' END) AS reason,
                   concat_ws(?, {', '.join(f'coalesce({c}, {chr(39)}{chr(39)})' for c in cols)}) AS raw_text
            FROM parsed p JOIN raw r USING (_ord) WHERE {bad} ORDER BY p._ord""",
        [table.separator],
    ).fetchall()
    rows = list(table.quarantine)
    for ordinal, invoice, reason, raw in rejected:
        ref = f"{table.ref(ordinal)} (factuur {invoice})" if invoice else table.ref(ordinal)
        rows.append({"row_ref": ref, "reason": reason, "raw_text": raw})
    quarantine = pd.DataFrame(rows, columns=["row_ref", "reason", "raw_text"]).astype(object)
    for col in ("row_ref", "invoice", "supplier", "supplier_kvk", "description", "department"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["amount"] = frame["amount"].astype("float64")
    frame["date"] = pd.to_datetime(frame["date"])
    return ConnectorResult(frame=frame[FRAME_COLUMNS], quarantine=quarantine, notes=table.notes)
