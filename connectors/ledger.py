"""Spend ledger (crediteurenadministratie) connector: CSV or XLSX → one row per ledger line.

A CSV file is parsed in one DuckDB pass: ``read_csv`` (with rejects) feeds a single query that
trims, parses amounts (``amount_value_sql``), dates (``date_sql``) and KvK numbers, computes the
row key and, for the rows to quarantine, the Dutch reason and raw text; the result is fetched once
through Arrow into pandas' default string dtype. A line whose amount (``n.v.t.``) or date
(``31-02-2025``) cannot be parsed is quarantined with its reason, a repeated header row as
``kopregel herhaald``; lines DuckDB cannot split (too many/few fields, an unclosed quote) are
quarantined with their line number and raw text. Speed: ``python -m bench ingest``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa  # noqa: F401  (the type of _scan's result)

from connectors._tabular import amount_value_sql, date_sql, finish_scan, kvk_sql, open_table, text_sql
from connectors.base import QUARANTINE_COLUMNS, ConnectorResult, SourceSpec

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
    con.execute("SET enable_progress_bar = false")
    try:
        with open_table(con, spec, ALIASES, required=("supplier",), lazy=True) as table:
            rows = _scan(con, table)
            while not finish_scan(con, table):  # a quote never closed: file repaired, read again
                rows = _scan(con, table)
        frame = rows.to_pandas(self_destruct=True)  # frees Arrow buffers as columns convert
        del rows
        return _split(frame, table)
    finally:
        con.close()


_AMOUNT_BAD = "(amount_text IS NOT NULL AND amount IS NULL)"
_DATE_BAD = "(date_text IS NOT NULL AND date IS NULL)"
_REASON = (
    "concat_ws('; ', "
    f"CASE WHEN {_AMOUNT_BAD} THEN 'bedrag ''' || amount_text || ''' is geen geldig bedrag' END, "
    f"CASE WHEN {_DATE_BAD} THEN 'datum ''' || date_text || ''' bestaat niet of heeft een onbekend formaat' END)"
)


def _scan(con, table) -> pa.Table:
    """One SQL pass over the rows parses every row and flags the ones to quarantine (``reason``).

    Fetched once through Arrow (pandas' default string dtype, no Python object per value); a
    query without ORDER BY keeps file order (DuckDB preserves insertion order).
    """
    c = {f: _col(table, f) for f in ALIASES}
    text = {f: text_sql(c[f]) for f in ALIASES}
    cols = [f"c{i}" for i in range(len(table.header))]
    hash_src = ", ".join(text[f] for f in ("supplier", "supplier_kvk", "description", "amount", "date", "department"))
    raw_text = f"concat_ws($sep, {', '.join(f'coalesce({col}, {chr(39)}{chr(39)})' for col in cols)})"
    ordinal = "_ord" if table.scan is None else "NULL::BIGINT"
    sql = f"""
        WITH parsed AS (
            SELECT {ordinal} AS _ord, {table.blank_sql} AS _blank, {table.header_sql} AS _header,
                   {text['invoice']} AS invoice, {text['supplier']} AS supplier,
                   {kvk_sql(c['supplier_kvk'])} AS supplier_kvk, {text['description']} AS description,
                   {text['amount']} AS amount_text, {amount_value_sql(c['amount'])} AS amount,
                   {text['date']} AS date_text, {date_sql(c['date'])} AS date, {text['department']} AS department,
                   coalesce({text['invoice']}, left(sha1(concat_ws('|', {hash_src})), 12)) AS ref,
                   {', '.join(cols)}
            FROM {table.source})
        SELECT _ord, _blank, hash(ref) AS _hash, ref AS row_ref, invoice, supplier, supplier_kvk, description, amount,
               CAST(date AS TIMESTAMP) AS date, department,
               CASE WHEN _header THEN 'kopregel herhaald'
                    WHEN {_AMOUNT_BAD} OR {_DATE_BAD} THEN {_REASON} END AS reason,
               CASE WHEN _header OR {_AMOUNT_BAD} OR {_DATE_BAD} THEN {raw_text} END AS raw_text
        FROM parsed"""
    return con.sql(sql, params={"sep": table.separator, **table.params}).to_arrow_table()


def _split(frame: pd.DataFrame, table) -> ConnectorResult:
    """Loaded rows (repeated refs numbered) and quarantined rows; blank rows are no rows."""
    if table.scan is not None:  # lazy CSV: the ordinal is the position among the rows read
        frame["_ord"] = np.arange(1, len(frame) + 1, dtype="int64")
    blank = frame["_blank"].fillna(False).astype(bool)
    bad = frame["reason"].notna() & ~blank
    rejected = frame.loc[bad]
    prefix = table.ref(0).removesuffix("0")  # "gegevensrij " (CSV) or "rij " (XLSX)
    invoice = (" (factuur " + rejected["invoice"] + ")").where(
        rejected["invoice"].notna() & (rejected["reason"] != "kopregel herhaald"), ""
    )
    rejected = pd.DataFrame({
        "row_ref": prefix + rejected["_ord"].astype(str) + invoice,
        "reason": rejected["reason"], "raw_text": rejected["raw_text"],
    })
    if bad.any() or blank.any():
        frame = frame.loc[~bad & ~blank].reset_index(drop=True)
    frame["row_ref"] = _number_repeats(frame["row_ref"], frame["_hash"])
    frame = frame[FRAME_COLUMNS]
    quarantine = pd.concat(
        [pd.DataFrame(table.quarantine, columns=QUARANTINE_COLUMNS).astype(object), rejected.astype(object)],
        ignore_index=True,
    )
    return ConnectorResult(frame=frame, quarantine=quarantine, notes=table.notes)


def _number_repeats(refs: pd.Series, hashes: pd.Series) -> pd.Series:
    """Second and later occurrences of a ref get '-2', '-3', … in file order.

    Candidates are found on the refs' 64-bit hashes (sorting a million integers is far cheaper
    than hashing a million strings again); only those few are compared as text.
    """
    h = np.sort(hashes.to_numpy())
    repeated = h[1:][h[1:] == h[:-1]]
    if not len(repeated):
        return refs
    candidates = np.isin(hashes.to_numpy(), repeated)
    sub = refs[candidates]
    sub = sub[sub.duplicated(keep=False)]
    if sub.empty:
        return refs
    n = sub.groupby(sub, sort=False).cumcount() + 1
    later = n.index[n > 1]
    out = refs.copy()
    out.loc[later] = sub.loc[later] + "-" + n.loc[later].astype(str)
    return out
