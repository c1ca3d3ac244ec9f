"""Spend ledger (crediteurenadministratie) connector: CSV or XLSX → one row per ledger line.

A CSV file is parsed in one DuckDB pass: ``read_csv`` (with rejects) feeds a single query that
parses amounts (``amount_value_sql``), dates (``date_sql``) and KvK numbers and, only for the few
rows whose amount or date did not parse (which includes blank rows and repeated header rows),
works out whether to skip or quarantine them with a Dutch reason and the raw text. The result is
fetched once through Arrow; text values are trimmed (spaces and no-break spaces) with Arrow
kernels, the loaded/quarantined split is an Arrow filter and only the output columns are turned
into pandas (default string dtype). A line whose amount (``n.v.t.``) or date (``31-02-2025``)
cannot be parsed is quarantined with its reason, a repeated header row as ``kopregel herhaald``;
lines DuckDB cannot split (too many/few fields, an unclosed quote) are quarantined with their line
number and raw text. Speed: ``python -m bench ingest``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from connectors._tabular import (
    TRIM_CHARS,
    amount_value_sql,
    date_sql,
    finish_scan,
    kvk_sql,
    open_table,
    text_sql,
)
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

_TEXT_FIELDS = ("invoice", "supplier", "description", "department")  # trimmed in Arrow
_KEY_FIELDS = ("supplier", "supplier_kvk", "description", "amount", "date", "department")  # row key without invoice


def _col(table, fld: str) -> str:
    return table.fields.get(fld, "NULL")


def load(spec: SourceSpec) -> ConnectorResult:
    """Read a ledger file; see the module docstring. Raises SourceFormatError / ConfigError."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        with open_table(con, spec, ALIASES, required=("supplier",), lazy=True) as table:
            gate = _gate(con, table)
            rows = _scan(con, table, gate)
            while not finish_scan(con, table):  # a quote never closed: file repaired, read again
                rows = _scan(con, table, gate)
        return _split(con, rows, table)
    finally:
        con.close()


def _gate(con, table) -> str:
    """SQL condition selecting every row that may need a closer look (skip or quarantine).

    Only a row whose amount or date did not parse can have a bad amount or date; a blank row has
    neither; a repeated header row has neither when its header cell does not parse. When no mapped
    column proves that, every row is looked at."""
    parsers = {"amount": amount_value_sql, "date": date_sql}
    mapped = [f for f in parsers if f in table.fields]
    if not mapped:
        return "true" if table.scan is not None else "false"
    terms = " OR ".join(f"{f} IS NULL" for f in mapped)
    if table.scan is None:  # blank and header rows are already gone
        return terms

    def header_fails(fld: str) -> bool:
        cell = table.header[int(table.fields[fld][1:])]
        sql = f"SELECT {parsers[fld]('h')} IS NULL FROM (SELECT ?::VARCHAR AS h)"
        return bool(con.execute(sql, [cell]).fetchall()[0][0])

    return terms if any(header_fails(f) for f in mapped) else "true"


def _scan(con, table, gate: str) -> pa.Table:
    """One SQL pass: parsed values for every row; flags, reasons and raw text only where ``gate``.

    A query without ORDER BY keeps file order (DuckDB preserves insertion order).
    """
    c = {f: _col(table, f) for f in ALIASES}
    text = {f: text_sql(c[f]) for f in ALIASES}
    cols = ", ".join(f"c{i}" for i in range(len(table.header)))
    raw_text = "concat_ws($sep, " + ", ".join(f"coalesce(c{i}, '')" for i in range(len(table.header))) + ")"
    amount_bad = f"({text['amount']} IS NOT NULL AND amount IS NULL)"
    date_bad = f"({text['date']} IS NOT NULL AND date IS NULL)"
    reason = (
        f"CASE WHEN {table.header_sql} THEN 'kopregel herhaald' WHEN {amount_bad} OR {date_bad} THEN concat_ws('; ', "
        f"CASE WHEN {amount_bad} THEN 'bedrag ''' || {text['amount']} || ''' is geen geldig bedrag' END, "
        f"CASE WHEN {date_bad} THEN 'datum ''' || {text['date']} || ''' bestaat niet of heeft een onbekend formaat' END) END"
    )
    inv = c["invoice"]
    # the row key is the invoice number; a row whose invoice may be blank gets a hash of its texts
    key_gate = "true" if inv == "NULL" else f"{inv} IS NULL OR ascii({inv}) IN (0, 32, 160)"
    key = f"left(sha1(concat_ws('|', {', '.join(text[f] for f in _KEY_FIELDS)})), 12)"
    ordinal = "_ord, " if table.scan is None else ""
    sql = f"""
        WITH parsed AS (
            SELECT {ordinal}{inv} AS invoice, {c['supplier']} AS supplier, {c['supplier_kvk']} AS supplier_kvk,
                   {c['description']} AS description, {amount_value_sql(c['amount'])} AS amount,
                   {date_sql(c['date'])} AS date, {c['department']} AS department, {cols}
            FROM {table.source}),
        flagged AS (
            SELECT *, CASE WHEN {gate} THEN {table.blank_sql} END AS _blank,
                   CASE WHEN {gate} THEN {reason} END AS reason,
                   CASE WHEN {key_gate} THEN {key} END AS _key
            FROM parsed)
        SELECT {ordinal}invoice, supplier, supplier_kvk, description, amount, CAST(date AS TIMESTAMP) AS date,
               department, _blank, reason, _key, CASE WHEN reason IS NOT NULL THEN {raw_text} END AS raw_text
        FROM flagged"""
    params = {"sep": table.separator, **table.params}
    return con.sql(sql, params=params).to_arrow_table()


def _trim(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text values without leading/trailing spaces and no-break spaces; empty → null."""
    if values.null_count == len(values):
        return values.cast(pa.string())
    trimmed = pc.utf8_trim(values, TRIM_CHARS)
    empty = pc.equal(pc.binary_length(trimmed), 0)
    if not pc.any(empty).as_py():
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


_KVK_FAST = r"^\d{1,8}$"


def _kvk(con, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """KvK numbers as 8-digit text: plain digits padded with Arrow kernels; the rest (spaces, dots,
    anything else) through :func:`kvk_sql` in DuckDB, only for those values."""
    values = values.cast(pa.string())
    plain = pc.match_substring_regex(values, _KVK_FAST)
    out = pc.if_else(plain, pc.ascii_lpad(values, 8, "0"), pa.scalar(None, pa.string()))
    other = pc.and_(pc.is_valid(values), pc.invert(plain)).combine_chunks()
    if not pc.any(other).as_py():
        return out
    con.register("_ledger_kvk", pa.table({"v": values.filter(other)}))
    try:
        fixed = con.sql(f"SELECT {kvk_sql('v')} FROM _ledger_kvk").to_arrow_table().column(0).combine_chunks()
    finally:
        con.unregister("_ledger_kvk")
    return pc.replace_with_mask(out.combine_chunks(), other, fixed.cast(pa.string()))


def _split(con, rows: pa.Table, table) -> ConnectorResult:
    """Loaded rows (repeated refs numbered) and quarantined rows; blank rows are no rows.

    The text trims run on a second thread while this one normalises KvK numbers (Arrow and DuckDB
    release the GIL)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        trims = {f: pool.submit(_trim, rows[f]) for f in _TEXT_FIELDS}
        kvk = _kvk(con, rows["supplier_kvk"])
        text = {f: job.result() for f, job in trims.items()}
    ref = pc.coalesce(text["invoice"], rows["_key"])
    skip = pc.fill_null(rows["_blank"], False)
    drop = pc.or_(pc.is_valid(rows["reason"]), skip)
    bad = pc.and_(drop, pc.invert(skip))
    rejected = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    if pc.any(bad).as_py():
        ordinals = rows["_ord"] if table.scan is None else pa.array(np.arange(1, rows.num_rows + 1, dtype="int64"))
        bad_rows = pa.table({"ord": ordinals, "invoice": text["invoice"], "reason": rows["reason"], "raw_text": rows["raw_text"]})
        rejected = _rejected(bad_rows.filter(bad), table)
    frame = pa.table({
        "row_ref": ref, "invoice": text["invoice"], "supplier": text["supplier"], "supplier_kvk": kvk,
        "description": text["description"], "amount": rows["amount"], "date": rows["date"], "department": text["department"],
    })
    del rows, text, ref, kvk
    if pc.any(drop).as_py():
        frame = frame.filter(pc.invert(drop))
    frame = frame.set_column(0, "row_ref", _number_repeats(con, frame["row_ref"]))
    frame = frame.to_pandas(self_destruct=True)  # frees Arrow buffers as columns convert
    quarantine = pd.concat(
        [pd.DataFrame(table.quarantine, columns=QUARANTINE_COLUMNS).astype(object), rejected.astype(object)],
        ignore_index=True,
    )
    return ConnectorResult(frame=frame, quarantine=quarantine, notes=table.notes)


def _rejected(bad: pa.Table, table) -> pd.DataFrame:
    """Quarantine rows of the rows whose amount/date failed or that repeat the header."""
    frame = bad.to_pandas()
    prefix = table.ref(0).removesuffix("0")  # "gegevensrij " (CSV) or "rij " (XLSX)
    invoice = (" (factuur " + frame["invoice"] + ")").where(
        frame["invoice"].notna() & (frame["reason"] != "kopregel herhaald"), ""
    )
    return pd.DataFrame({
        "row_ref": prefix + frame["ord"].astype(str) + invoice, "reason": frame["reason"], "raw_text": frame["raw_text"],
    })


def _number_repeats(con, refs: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Second and later occurrences of a ref get '-2', '-3', … in file order.

    Candidates are found on the refs' 64-bit hashes (DuckDB hashes the Arrow column on all cores;
    sorting a million integers is cheap); only those few are compared as text.
    """
    con.register("_ledger_refs", pa.table({"ref": refs}))
    try:
        hashes = np.asarray(con.sql("SELECT hash(ref) FROM _ledger_refs").to_arrow_table().column(0).combine_chunks())
    finally:
        con.unregister("_ledger_refs")
    h = np.sort(hashes)
    repeated = h[1:][h[1:] == h[:-1]]
    if not len(repeated):
        return refs
    candidates = np.flatnonzero(np.isin(hashes, repeated))
    codes = np.asarray(pc.dictionary_encode(refs.take(candidates).combine_chunks()).indices)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    occurrence = np.empty(len(order), dtype="int64")
    occurrence[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    later = candidates[occurrence > 1]
    if not len(later):
        return refs
    flat = refs.combine_chunks()
    numbers = pc.cast(pa.array(occurrence[occurrence > 1]), pa.string())
    renamed = pc.binary_join_element_wise(flat.take(later), numbers, "-")
    mask = np.zeros(len(flat), dtype=bool)
    mask[later] = True
    return pc.replace_with_mask(flat, pa.array(mask), renamed)
