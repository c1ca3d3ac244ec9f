"""Shared CSV/XLSX reading for the file connectors.

:func:`open_table` turns a CSV or XLSX file into a DuckDB temp table ``raw`` of VARCHAR columns
(``c0`` … ``cN``) plus ``_ord`` (data-row ordinal for CSV, sheet row number for XLSX), after:

* encoding detection (UTF-8 with/without BOM as is; UTF-16 and cp1252 are transcoded to UTF-8 in
  a streaming pass, since DuckDB reads UTF-8 only);
* separator sniffing (``;`` ``,`` tab) and header-row detection below title lines;
* header mapping: ``spec.columns`` (field → header as in the file) or the connector's aliases;
* CSV rows DuckDB cannot parse (too many/few fields, an unclosed quote) become quarantine rows
  with their line number and raw text; blank lines are not rows.

Typed parsing of amounts and dates is done in SQL by the connectors with :func:`amount_sql` and
:func:`date_sql`. XLSX numbers are rendered with a decimal comma and dates as ``jjjj-mm-dd`` so the
same SQL applies to both formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from connectors.base import SourceSpec
from transforms.errors import ConfigError, SourceFormatError
from transforms.text import fold

__all__ = ["Table", "open_table", "finish_scan", "amount_sql", "amount_clean_sql", "amount_value_sql", "date_sql", "kvk_sql", "text_sql", "TRIM_CHARS", "fold_header"]

_SEPARATORS = (";", ",", "\t")
_HEAD_LINES = 40
_CHUNK = 8 << 20
_REJECT_REASONS = {
    "MISSING COLUMNS": "te weinig velden",
    "TOO MANY COLUMNS": "te veel velden",
    "UNQUOTED VALUE": "aanhalingsteken niet afgesloten",
    "INVALID UNICODE": "ongeldige tekens",
    "LINE SIZE OVER MAXIMUM": "regel te lang",
}


@dataclass
class Table:
    """A source file loaded into the DuckDB temp table ``raw``."""

    fields: dict[str, str]  # field -> column name (c0…)
    header: list[str]  # header cells as in the file
    kind: str  # "csv" or "xlsx"
    separator: str = ";"
    quarantine: list[dict] = field(default_factory=list)  # rows rejected while reading
    notes: list[str] = field(default_factory=list)
    # lazy CSV (open_table(lazy=True)): the query reads the file itself, no temp table
    source: str = "raw"  # FROM item of the rows
    params: dict = field(default_factory=dict)  # named parameters ``source`` needs
    blank_sql: str = "false"  # SQL: the row is blank (lazy CSV only; otherwise already removed)
    header_sql: str = "false"  # SQL: the row repeats the header (lazy CSV only)
    scan: dict | None = None  # lazy CSV: path, width, skip, tmpdir, tag

    def ref(self, ordinal: int) -> str:
        """Readable reference of a row by its ``_ord``."""
        return f"rij {ordinal}" if self.kind == "xlsx" else f"gegevensrij {ordinal}"


def fold_header(text: object) -> str:
    """Folded header text for matching: lower, no accents, trimmed, no trailing colon."""
    return fold(text).strip().rstrip(":").strip()


def _matches(header: str, pattern: str) -> bool:
    if pattern.startswith("~"):
        key = pattern[1:]
        words = header.replace("(", " ").replace(")", " ").replace("?", " ").replace(",", " ").split()
        return key in words if len(key) <= 3 else key in header
    return header == pattern


def _map_header(cells: list[str], aliases: dict[str, tuple[str, ...]], columns: dict[str, str]) -> dict[str, int]:
    """Assign header cells to fields: explicit ``columns`` first, then aliases in priority order."""
    folded = [fold_header(c) for c in cells]
    taken: dict[int, str] = {}
    out: dict[str, int] = {}
    for fld, header in columns.items():
        want = fold_header(header)
        for i, h in enumerate(folded):
            if h == want and i not in taken:
                out[fld], taken[i] = i, fld
                break
    for fld, patterns in aliases.items():
        if fld in out or fld in columns:
            continue
        for pattern in patterns:
            hit = next((i for i, h in enumerate(folded) if h and i not in taken and _matches(h, pattern)), None)
            if hit is not None:
                out[fld], taken[hit] = hit, fld
                break
    return out


def _choose_header(rows: list[list[str]], aliases, columns) -> tuple[int, dict[str, int]]:
    best = (-1, {})
    for i, cells in enumerate(rows):
        mapping = _map_header(cells, aliases, columns)
        if len(mapping) > len(best[1]):
            best = (i, mapping)
    return best


def _check_header(spec: SourceSpec, mapping: dict[str, int], required: tuple[str, ...], seen: list[str]) -> None:
    missing_cfg = [f"{f}='{h}'" for f, h in spec.columns.items() if f not in mapping]
    if missing_cfg:
        raise ConfigError(
            f"source '{spec.id}': columns {', '.join(missing_cfg)} not found in the header of {spec.path} "
            f"(found: {', '.join(seen[:12])}); fix the columns map in aigrip.yaml"
        )
    missing = [f for f in required if f not in mapping]
    if len(mapping) < 2 or missing:
        raise SourceFormatError(
            f"no header row with the expected columns in {spec.path} (missing: {', '.join(missing) or 'most fields'}; "
            f"first line read: {' | '.join(seen[:8]) or 'nothing'}); add a columns map to the source in aigrip.yaml",
            spec.id,
        )


# --------------------------------------------------------------------------- encoding


def _detect_encoding(path: Path, spec: SourceSpec) -> str:
    with open(path, "rb") as fh:
        head = fh.read(65536)
        if not head.strip():
            raise SourceFormatError(f"{path} is empty; export the file again", spec.id)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            raise SourceFormatError(
                f"{path} is not a text CSV (binary content); save it as CSV or XLSX", spec.id
            )
        fh.seek(0)
        if not _is_utf8(fh):
            return "cp1252"
    return "utf-8"


def _is_utf8(fh) -> bool:
    """True when the binary stream ``fh`` is valid UTF-8 (pyarrow's validator: ~10× Python's decoder).

    Each block ends on a character boundary, so no multi-byte sequence is split between two.
    """
    rest = b""
    while chunk := fh.read(_CHUNK):
        data = rest + chunk
        cut = len(data)
        while cut > 0 and data[cut - 1] & 0xC0 == 0x80 and len(data) - cut < 3:
            cut -= 1
        if cut > 0 and data[cut - 1] >= 0xC0:
            cut -= 1
        block, rest = data[:cut], data[cut:]
        if not block.isascii() and not _valid_utf8(block):
            return False
    return not rest or _valid_utf8(rest)


def _valid_utf8(data: bytes) -> bool:
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    array = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def transcode_to_utf8(src: Path, dst: Path, encoding: str) -> None:
    """Stream ``src`` in ``encoding`` into ``dst`` as UTF-8 (undefined cp1252 bytes → U+FFFD)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(_CHUNK):
            fout.write(decoder.decode(chunk).encode("utf-8"))
        fout.write(decoder.decode(b"", final=True).encode("utf-8"))


# --------------------------------------------------------------------------- CSV


def _sniff(lines: list[str], aliases, columns) -> tuple[str, int, dict[str, int], list[str]]:
    best = (";", -1, {}, [])
    for sep in _SEPARATORS:
        rows = [next(csv.reader([ln], delimiter=sep), []) if ln.strip() else [] for ln in lines]
        idx, mapping = _choose_header(rows, aliases, columns)
        if idx >= 0 and len(mapping) > len(best[2]):
            best = (sep, idx, mapping, rows[idx])
    if best[1] < 0:
        first = next((ln for ln in lines if ln.strip()), "")
        best = (";", -1, {}, first.split(";"))
    return best


def _repair_quotes(path: Path, sep: str, width: int, skip: int) -> list[tuple[int, str]]:
    """Blank out lines that open a quote which never closes properly; returns (line, text).

    A line with an odd number of quotes may start a legitimate multi-line field; it is accepted
    when the joined record (≤ 50 lines) parses as exactly one row of ``width`` fields.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    bad: list[tuple[int, str]] = []
    i = skip
    while i < len(lines):
        if lines[i].count('"') % 2 == 0:
            i += 1
            continue
        j, quotes = i, lines[i].count('"')
        while quotes % 2 and j + 1 < len(lines) and j - i < 50:
            j += 1
            quotes += lines[j].count('"')
        record = "\n".join(lines[i : j + 1])
        try:
            parsed = list(csv.reader(io.StringIO(record), delimiter=sep, strict=True))
        except csv.Error:
            parsed = []
        if quotes % 2 == 0 and len(parsed) == 1 and len(parsed[0]) == width:
            i = j + 1
            continue
        bad.append((i + 1, lines[i].rstrip("\r")))
        lines[i] = "\r" if lines[i].endswith("\r") else ""
        i += 1
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines))
    return bad


def _read_csv_sql(path: Path, sep: str, width: int, skip: int, tag: str, named: bool = False) -> str:
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    args = "$csv_path, delim=$csv_sep" if named else "?, delim=?"
    return (
        f"SELECT * FROM read_csv({args}, quote='\"', escape='\"', header=false, skip={int(skip)}, "
        f"columns={cols}, auto_detect=false, strict_mode=true, null_padding=false, "
        f"store_rejects=true, rejects_table='rej_{tag}', rejects_scan='scan_{tag}')"
    )


def _load_csv(con, spec, path, aliases, required, tmpdir: Path, lazy: bool = False) -> Table:
    encoding = _detect_encoding(path, spec)
    if encoding != "utf-8":
        target = tmpdir / "utf8.csv"
        transcode_to_utf8(path, target, encoding)
        path = target
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = fh.read(1 << 20).split("\n")[:_HEAD_LINES]
    sep, idx, mapping, cells = _sniff(head, aliases, spec.columns)
    _check_header(spec, mapping, required, cells)
    width = len(cells)
    table = Table(fields={f: f"c{i}" for f, i in mapping.items()}, header=cells, kind="csv", separator=sep)
    if encoding != "utf-8":
        table.notes.append(f"read as {encoding}, transcoded to UTF-8")
    skip = idx + 1
    if lazy:
        table.scan = {"path": path, "width": width, "skip": skip, "tmpdir": tmpdir, "tag": "a"}
        _lazy_source(table)
        return table
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS {_read_csv_sql(path, sep, width, skip, 'a')}", [str(path), sep])
    unclosed = con.execute("SELECT count(*) FROM rej_a WHERE error_type = 'UNQUOTED VALUE'").fetchall()[0][0]
    tag = "a"
    bad_quotes: list[tuple[int, str]] = []
    if unclosed:
        if path.parent != tmpdir:
            copy = tmpdir / "repaired.csv"
            copy.write_bytes(path.read_bytes())
            path = copy
        bad_quotes = _repair_quotes(path, sep, width, skip)
        tag = "b"
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS {_read_csv_sql(path, sep, width, skip, tag)}", [str(path), sep])
    # rows keep file order (insertion order is preserved), so rowid + 1 is the data-row ordinal
    # without the cost of a row_number() window over the whole file
    con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT rowid + 1 AS _ord, * FROM raw_rows")
    _collect_rejects(con, table, tag, width, bad_quotes)
    return table


def _lazy_source(table: Table) -> None:
    scan = table.scan
    sep, names = table.separator, [f"c{i}" for i in range(scan["width"])]
    table.source = f"({_read_csv_sql(scan['path'], sep, scan['width'], scan['skip'], scan['tag'], named=True)})"
    table.params = {"csv_path": str(scan["path"]), "csv_sep": sep}
    # CASE WHEN evaluates its AND chain as a filter (stops at the first false term); a bare AND in
    # a SELECT list evaluates every term for every row, which made these two flags cost a second read
    table.blank_sql = "CASE WHEN " + " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in names) + " THEN true ELSE false END"
    checks = [(f"c{i}", h.strip().lower()) for i, h in enumerate(table.header) if h]
    cond = " AND ".join(f"lower(trim({c})) = $hdr{i}" for i, (c, _) in enumerate(checks))
    table.header_sql = f"CASE WHEN {cond} THEN true ELSE false END" if checks else "false"
    table.params |= {f"hdr{i}": h for i, (_, h) in enumerate(checks)}


def finish_scan(con: duckdb.DuckDBPyConnection, table: Table) -> bool:
    """After a query over a lazy CSV ``table.source``: collect the rows DuckDB rejected into
    ``table.quarantine`` and return True; or, when a quote opened and never closed, repair a copy
    of the file, point ``table.source`` at it and return False: the caller runs its query again."""
    scan = table.scan
    if scan is None:
        return True
    unclosed = con.execute(f"SELECT count(*) FROM rej_{scan['tag']} WHERE error_type = 'UNQUOTED VALUE'").fetchall()[0][0]
    if unclosed and scan["tag"] == "a":
        path = scan["path"]
        if path.parent != scan["tmpdir"]:
            copy = scan["tmpdir"] / "repaired.csv"
            copy.write_bytes(path.read_bytes())
            path = copy
        scan |= {"path": path, "tag": "b", "bad_quotes": _repair_quotes(path, table.separator, scan["width"], scan["skip"])}
        _lazy_source(table)
        return False
    _collect_rejects(con, table, scan["tag"], scan["width"], scan.get("bad_quotes", []))
    return True


def _collect_rejects(con, table: Table, tag: str, width: int, bad_quotes: list[tuple[int, str]]) -> None:
    sep = table.separator
    rejects = con.execute(
        f"SELECT line, string_agg(DISTINCT error_type, ',') AS kinds, any_value(trim(csv_line, chr(10) || chr(13))) AS text "
        f"FROM rej_{tag} GROUP BY line ORDER BY line"
    ).fetchall()
    for line, text in bad_quotes:
        table.quarantine.append({"row_ref": f"regel {line}", "reason": _REJECT_REASONS["UNQUOTED VALUE"], "raw_text": text})
    for line, kinds, text in rejects:
        reason = "; ".join(_REJECT_REASONS.get(k, k.lower()) for k in kinds.split(","))
        if "velden" in reason:
            found = len(next(csv.reader([text or ""], delimiter=sep), []))
            reason += f" (verwacht {width}, gevonden {found})"
        table.quarantine.append({"row_ref": f"regel {line}", "reason": reason, "raw_text": text or ""})


# --------------------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    return str(value)


def _load_xlsx(con, spec, path, aliases, required, sheet_hints: tuple[str, ...]) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as fh:
        magic = fh.read(8)
    if not magic:
        raise SourceFormatError(f"{path} is empty; export the file again", spec.id)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceFormatError(
            f"{path} is password-protected or an old .xls file; save it without a password as .xlsx", spec.id
        )
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SourceFormatError(
            f"{path} is not a readable XLSX file ({type(exc).__name__}); open it in Excel and save it again as .xlsx",
            spec.id,
        ) from None
    try:
        wanted = spec.options.get("sheet")
        if wanted and wanted not in wb.sheetnames:
            raise ConfigError(
                f"source '{spec.id}': sheet '{wanted}' not in {path} (sheets: {', '.join(wb.sheetnames)}); fix 'sheet' in aigrip.yaml"
            )
        order = [wanted] if wanted else [s for s in sheet_hints if s in wb.sheetnames] + list(wb.sheetnames)
        best = None
        for name in dict.fromkeys(order):
            rows = [[_cell_text(v) for v in r] for r in wb[name].iter_rows(values_only=True)]
            head = [[c or "" for c in r] for r in rows[:_HEAD_LINES]]
            idx, mapping = _choose_header(head, aliases, spec.columns)
            if best is None or len(mapping) > len(best[2]):
                best = (name, idx, mapping, rows)
            if len(mapping) >= 2 and all(f in mapping for f in required):
                break
    finally:
        wb.close()
    name, idx, mapping, rows = best
    cells = [c or "" for c in rows[idx]] if idx >= 0 else [c or "" for c in (rows[0] if rows else [])]
    _check_header(spec, mapping, required, cells)
    while cells and not cells[-1]:
        cells.pop()
    width = max(len(cells), max(mapping.values()) + 1)
    data = {f"c{i}": [] for i in range(width)}
    ords: list[int] = []
    for n, r in enumerate(rows[idx + 1 :], start=idx + 2):
        if not any(r):
            continue
        ords.append(n)
        for i in range(width):
            data[f"c{i}"].append(r[i] if i < len(r) else None)
    frame = pd.DataFrame({"_ord": pd.Series(ords, dtype="int64"), **{k: pd.Series(v, dtype="object") for k, v in data.items()}})
    con.register("_xlsx_rows", frame)
    casts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(width))
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT CAST(_ord AS BIGINT) AS _ord, {casts} FROM _xlsx_rows")
    con.unregister("_xlsx_rows")
    table = Table(fields={f: f"c{i}" for f, i in mapping.items()}, header=cells[:width], kind="xlsx")
    table.notes.append(f"sheet '{name}'")
    return table


# --------------------------------------------------------------------------- entry point


@contextmanager
def open_table(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    aliases: dict[str, tuple[str, ...]],
    *,
    required: tuple[str, ...] = (),
    sheet_hints: tuple[str, ...] = (),
    lazy: bool = False,
) -> Iterator[Table]:
    """Load ``spec.path`` into temp table ``raw`` of ``con``; yields the :class:`Table` description.

    Blank rows and rows repeating the header are removed from ``raw`` here; repeated headers are
    added to ``Table.quarantine`` (they count as input rows).

    With ``lazy=True`` a CSV file is not copied into ``raw``: ``Table.source``/``Table.params`` read
    it with ``read_csv`` inside the caller's one query (rows in file order, no ``_ord``: the
    ordinal is the position), ``Table.blank_sql``/``header_sql`` flag the rows to skip or quarantine,
    and the caller must call :func:`finish_scan` after the query. XLSX files still fill ``raw``.
    """
    path = spec.path
    if path is None:
        raise ConfigError(f"source '{spec.id}': no path given; add path: to the source in aigrip.yaml")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"source '{spec.id}': file {path} not found; fix path: in aigrip.yaml")
    with tempfile.TemporaryDirectory(prefix="aigrip-") as tmp:
        with open(path, "rb") as fh:
            magic = fh.read(4)
        is_xlsx = path.suffix.lower() in {".xlsx", ".xlsm", ".xls"} or magic == b"PK\x03\x04"
        if is_xlsx:
            table = _load_xlsx(con, spec, path, aliases, required, sheet_hints)
        else:
            table = _load_csv(con, spec, path, aliases, required, Path(tmp), lazy=lazy)
        if table.scan is None:
            _drop_blank_and_headers(con, table)
        yield table
    if table.kind == "csv":
        con.execute("DROP VIEW IF EXISTS raw")
        con.execute("DROP TABLE IF EXISTS raw_rows")
    else:
        con.execute("DROP TABLE IF EXISTS raw")


def _drop_blank_and_headers(con, table: Table) -> None:
    cols = [c for c in con.execute("SELECT * FROM raw LIMIT 0").description]
    names = [c[0] for c in cols if c[0] != "_ord"]
    not_blank = " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in names) or "true"
    base = "raw_rows" if table.kind == "csv" else "raw"
    con.execute(f"DELETE FROM {base} WHERE NOT ({not_blank})")
    checks = [
        (f"c{i}", h) for i, h in enumerate(table.header) if h and f"c{i}" in names
    ]
    if not checks:
        return
    cond = " AND ".join(f"lower(trim({c})) = ?" for c, _ in checks)
    params = [h.strip().lower() for _, h in checks]
    repeated = con.execute(f"SELECT _ord, concat_ws(?, {', '.join(names)}) FROM raw WHERE {cond} ORDER BY _ord", [table.separator, *params]).fetchall()
    if repeated:
        con.execute(f"DELETE FROM {base} WHERE {cond}", params)
        for ordinal, text in repeated:
            table.quarantine.append({"row_ref": table.ref(ordinal), "reason": "kopregel herhaald", "raw_text": text})


# --------------------------------------------------------------------------- SQL snippets


def amount_clean_sql(col: str) -> str:
    """SQL: an amount text without currency signs and spaces (the input of :func:`amount_sql`)."""
    return f"regexp_replace(coalesce({col}, ''), '[€\\s\\x{{00a0}}]|EUR', '', 'g')"


def amount_sql(s: str) -> str:
    """SQL DOUBLE of a cleaned amount column ``s`` (see :func:`amount_clean_sql`): ``1.234,56``,
    ``-1.234,56``, ``1234.56``, ``1.234,56-``, ``(12,50)``; NULL when unparseable. Evaluate it over
    a subquery that computes the cleaned text once."""
    neg = f"((starts_with({s}, '(') AND ends_with({s}, ')')) OR (ends_with({s}, '-') AND length({s}) > 1) OR starts_with({s}, '-'))"
    core = f"trim({s}, '()-+')"
    dutch = f"replace(replace({core}, '.', ''), ',', '.')"
    value = (
        f"CASE WHEN {core} = '' THEN NULL "
        f"WHEN contains({core}, ',') AND (NOT contains({core}, '.') OR strpos({core}, ',') > strpos({core}, '.')) THEN try_cast({dutch} AS DOUBLE) "
        f"WHEN NOT contains({core}, ',') AND NOT contains({core}, '.') THEN try_cast({core} AS DOUBLE) "
        f"WHEN regexp_full_match({core}, '\\d{{1,3}}(\\.\\d{{3}})+') THEN try_cast(replace({core}, '.', '') AS DOUBLE) "
        f"WHEN regexp_full_match({core}, '[\\d.]+') THEN try_cast({core} AS DOUBLE) "
        f"WHEN regexp_full_match({core}, '\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') THEN try_cast(replace({core}, ',', '') AS DOUBLE) "
        "ELSE NULL END"
    )
    return f"(({value}) * CASE WHEN {neg} THEN -1 ELSE 1 END)"


_AMOUNT_FAST = r"-?\d[\d.]*,\d+"


def amount_value_sql(col: str) -> str:
    """SQL DOUBLE of a raw amount text ``col``: the usual ``1.234,56`` / ``-12,50`` by a fast path,
    everything else through :func:`amount_clean_sql` and :func:`amount_sql` (same results)."""
    slow = amount_sql(amount_clean_sql(col))
    return (
        f"CASE WHEN regexp_full_match({col}, '{_AMOUNT_FAST}') "
        f"THEN try_cast(replace(replace({col}, '.', ''), ',', '.') AS DOUBLE) ELSE {slow} END"
    )


_DATE_FORMATS = "['%d-%m-%Y', '%Y-%m-%d', '%d/%m/%Y', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%Y-%m-%dT%H:%M:%S', '%d-%m-%y']"


def date_sql(col: str) -> str:
    """SQL DATE of ``dd-mm-jjjj``, ``jjjj-mm-dd``, ``dd/mm/jjjj`` or an Excel serial; NULL otherwise.

    A plain ``dd-mm-jjjj`` (the usual export) is parsed with its one format; only other texts go
    through the serial check and the list of formats (same results, a third of the work)."""
    t = f"trim({col})"
    general = (
        f"CASE WHEN regexp_full_match({t}, '\\d{{5}}([.,]0+)?') "
        f"THEN DATE '1899-12-30' + CAST(regexp_extract({t}, '^\\d+') AS INTEGER) "
        f"ELSE CAST(try_strptime({t}, {_DATE_FORMATS}) AS DATE) END"
    )
    return (
        f"CASE WHEN regexp_full_match({col}, '\\d\\d-\\d\\d-\\d{{4}}') "
        f"THEN CAST(try_strptime({col}, '%d-%m-%Y') AS DATE) ELSE {general} END"
    )


TRIM_CHARS = " \u00a0"  # trimmed from the edges of text values: space and no-break space


def text_sql(col: str) -> str:
    """SQL: ``col`` without leading/trailing spaces and no-break spaces (:data:`TRIM_CHARS`), NULL
    when nothing is left. The same rule as ``pyarrow.compute.utf8_trim(values, TRIM_CHARS)``."""
    return f"nullif(trim(CAST({col} AS VARCHAR), ' \u00a0'), '')"


def kvk_sql(col: str) -> str:
    """SQL KvK number as 8-digit text (leading zeros restored) or NULL."""
    d = f"regexp_replace(coalesce({col}, ''), '[\\s.]', '', 'g')"
    general = f"CASE WHEN regexp_full_match({d}, '\\d{{1,8}}') THEN lpad({d}, 8, '0') ELSE NULL END"
    return f"CASE WHEN regexp_full_match({col}, '\\d{{1,8}}') THEN lpad({col}, 8, '0') ELSE {general} END"
