"""Spend ledger (crediteurenadministratie) connector: CSV or XLSX → one row per ledger line.

Reading and parsing happen in DuckDB (``read_csv`` with rejects, ``try_strptime``, ``try_cast``):
a line whose amount (``n.v.t.``) or date (``31-02-2025``) cannot be parsed is quarantined with a
Dutch reason; lines DuckDB cannot split (too many/few fields, an unclosed quote) are quarantined
with their line number and raw text.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from connectors._tabular import amount_value_sql, date_sql, kvk_sql, open_table
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
    try:
        with open_table(con, spec, ALIASES, required=("supplier",)) as table:
            return _parse(con, table)
    finally:
        con.close()


_AMOUNT_BAD = "(amount_text IS NOT NULL AND amount IS NULL)"
_DATE_BAD = "(date_text IS NOT NULL AND date IS NULL)"
_REASON = (
    "concat_ws('; ', "
    f"CASE WHEN {_AMOUNT_BAD} THEN 'bedrag ''' || amount_text || ''' is geen geldig bedrag' END, "
    f"CASE WHEN {_DATE_BAD} THEN 'datum ''' || date_text || ''' bestaat niet of heeft een onbekend formaat' END)"
)


def _parse(con, table) -> ConnectorResult:
    """One SQL pass over ``raw`` parses every row and gives the unparseable ones their reason.

    The result is fetched once through Arrow (pandas' default string dtype, no Python object per
    value); the rejected rows are split off in pandas and repeated refs are numbered there.
    """
    c = {f: _col(table, f) for f in ALIASES}
    text = {f: f"nullif(trim({c[f]}), '')" for f in ALIASES}
    cols = [f"c{i}" for i in range(len(table.header))]
    hash_src = ", ".join(text[f] for f in ("supplier", "supplier_kvk", "description", "amount", "date", "department"))
    raw_text = f"concat_ws($sep, {', '.join(f'coalesce({col}, {chr(39)}{chr(39)})' for col in cols)})"
    sql = f"""
        WITH parsed AS (
            SELECT _ord, {text['invoice']} AS invoice, {text['supplier']} AS supplier,
                   {kvk_sql(c['supplier_kvk'])} AS supplier_kvk, {text['description']} AS description,
                   {text['amount']} AS amount_text, {amount_value_sql(c['amount'])} AS amount,
                   {text['date']} AS date_text, {date_sql(c['date'])} AS date, {text['department']} AS department,
                   coalesce({text['invoice']}, left(sha1(concat_ws('|', {hash_src})), 12)) AS ref,
                   {', '.join(cols)}
            FROM raw)
        SELECT ref AS row_ref, invoice, supplier, supplier_kvk, description, amount,
               CAST(date AS TIMESTAMP) AS date, department,
               CASE WHEN {_AMOUNT_BAD} OR {_DATE_BAD} THEN {_REASON} END AS reason,
               CASE WHEN {_AMOUNT_BAD} OR {_DATE_BAD}
                    THEN $prefix || _ord || coalesce(' (factuur ' || invoice || ')', '') END AS bad_ref,
               CASE WHEN {_AMOUNT_BAD} OR {_DATE_BAD} THEN {raw_text} END AS raw_text
        FROM parsed"""
    prefix = table.ref(0).removesuffix("0")  # "gegevensrij " (CSV) or "rij " (XLSX)
    # a table scan without ORDER BY keeps file order (DuckDB preserves insertion order)
    frame = con.execute(sql, {"sep": table.separator, "prefix": prefix}).to_arrow_table().to_pandas()
    bad = frame["reason"].notna()
    rejected = frame.loc[bad, ["bad_ref", "reason", "raw_text"]].set_axis(QUARANTINE_COLUMNS, axis=1)
    frame = frame.loc[~bad, FRAME_COLUMNS].reset_index(drop=True) if bad.any() else frame[FRAME_COLUMNS]
    frame["row_ref"] = _number_repeats(frame["row_ref"])
    quarantine = pd.concat(
        [pd.DataFrame(table.quarantine, columns=QUARANTINE_COLUMNS).astype(object), rejected.astype(object)],
        ignore_index=True,
    )
    return ConnectorResult(frame=frame, quarantine=quarantine, notes=table.notes)


def _number_repeats(refs: pd.Series) -> pd.Series:
    """Second and later occurrences of a ref get '-2', '-3', … (only repeated refs are grouped)."""
    repeated = refs.duplicated(keep=False)
    if not repeated.any():
        return refs
    sub = refs[repeated]
    n = sub.groupby(sub, sort=False).cumcount() + 1
    later = n.index[n > 1]
    out = refs.copy()
    out.loc[later] = sub.loc[later] + "-" + n.loc[later].astype(str)
    return out
