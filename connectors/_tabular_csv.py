"""CSV side of :func:`connectors._tabular.open_table`: encoding detection and transcoding, separator
and header sniffing, DuckDB ``read_csv`` with rejects (eager into ``raw_rows`` or lazy inside the
caller's query), repair of quotes that never close, and quarantine rows for every line DuckDB
could not split.

* UTF-8 with/without BOM is read as is; UTF-16 and cp1252 are transcoded to UTF-8 in a streaming
  pass, since DuckDB reads UTF-8 only;
* separators ``;`` ``,`` tab are tried and the header row may sit below title lines;
* rows DuckDB cannot parse (too many/few fields, an unclosed quote) become quarantine rows with
  their line number and raw text; blank lines are not rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from connectors import limits
from connectors._csv_lines import (
    MAX_LINE_BYTES,
    QuoteState,
    blank_lines,
    newline_stats,
    normalise_newlines,
    record_at,
    scan_lines,
)
from connectors._tabular_header import HEAD_LINES, Table, check_header, choose_header
from connectors.base import SourceSpec
from transforms.errors import SourceFormatError

__all__ = ["load_csv", "finish_scan", "transcode_to_utf8", "detect_encoding"]

_SEPARATORS = (";", ",", "\t")
# the header sniff parses the first lines with Python's csv module, whose default field limit
# (131,072 characters) would fail a whole source over one long cell
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_CHUNK = 8 << 20
_REJECT_REASONS = {
    "MISSING COLUMNS": "te weinig velden",
    "TOO MANY COLUMNS": "te veel velden",
    "UNQUOTED VALUE": "aanhalingsteken niet afgesloten",
    "INVALID UNICODE": "ongeldige tekens",
    "LINE SIZE OVER MAXIMUM": "regel te lang",
}


# --------------------------------------------------------------------------- encoding


def detect_encoding(path: Path, spec: SourceSpec) -> str:
    """'utf-8' (with or without BOM), 'utf-16' or 'cp1252'; SourceFormatError for empty or binary files."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
        if not head.strip():
            raise SourceFormatError(f"{path} is empty; export the file again", spec.id)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        # a stray NUL in a cell is data (the row loads); many NULs mean a binary file or UTF-16 without BOM
        if head.count(b"\x00") > max(8, len(head) // 100):
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


def _cells(line: str, sep: str) -> list[str]:
    """The fields of one line for the header sniff (a stray carriage return is no header)."""
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return line.split(sep)


def _sniff(lines: list[str], aliases, columns) -> tuple[str, int, dict[str, int], list[str]]:
    best = (";", -1, {}, [])
    for sep in _SEPARATORS:
        rows = [_cells(ln, sep) if ln.strip() else [] for ln in lines]
        idx, mapping = choose_header(rows, aliases, columns)
        if idx >= 0 and len(mapping) > len(best[2]):
            best = (sep, idx, mapping, rows[idx])
    if best[1] < 0:
        first = next((ln for ln in lines if ln.strip()), "")
        best = (";", -1, {}, first.split(";"))
    return best


def _repair_quotes(path: Path, sep: str, width: int, skip: int) -> list[tuple[int, str]]:
    """Blank out lines that open a quote which never closes properly; returns (line, text).

    A line that leaves a quoted field open (:class:`QuoteState`: DuckDB's rules, not a count of
    quotes) may start a legitimate multi-line field; it is accepted when the quote closes within
    50 lines, the joined record parses as exactly one record and none of its continuation lines is
    a whole row of ``width`` fields by itself (a stray quote must not swallow later rows); a record
    with too few or too many fields is then quarantined by DuckDB as one row.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    quotes = QuoteState(sep)
    bad: list[tuple[int, str]] = []
    i = skip
    while i < len(lines):
        if not quotes.ends_open(lines[i]):
            i += 1
            continue
        j, still_open = i, True
        while still_open and j + 1 < len(lines) and j - i < 50:
            j += 1
            still_open = quotes.ends_open(lines[j], open_at_start=True)
        record = "\n".join(lines[i : j + 1])
        try:
            parsed = list(csv.reader(io.StringIO(record), delimiter=sep, strict=True))
        except csv.Error:
            parsed = []
        if not still_open and len(parsed) == 1 and not any(
            _whole_row(line, sep, width, quotes) for line in lines[i + 1 : j]
        ):
            i = j + 1
            continue
        bad.append((i + 1, lines[i].rstrip("\r")))
        lines[i] = "\r" if lines[i].endswith("\r") else ""
        i += 1
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines))
    return bad


def _whole_row(line: str, sep: str, width: int, quotes: QuoteState) -> bool:
    """True when ``line`` alone parses as a row of ``width`` fields (with no quote left open)."""
    if line.count(sep) < width - 1 or quotes.ends_open(line):
        return False
    try:
        return len(next(csv.reader([line], delimiter=sep, strict=True), [])) == width
    except csv.Error:
        return False


def _read_csv_sql(path: Path, sep: str, width: int, skip: int, tag: str, named: bool = False) -> str:
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    args = "$csv_path, delim=$csv_sep" if named else "?, delim=?"
    return (
        f"SELECT * FROM read_csv({args}, quote='\"', escape='\"', header=false, skip={int(skip)}, "
        f"max_line_size={max(MAX_LINE_BYTES, int(limits.current().max_cell_kb * 1024)) + 16}, "
        f"columns={cols}, auto_detect=false, strict_mode=true, null_padding=false, "
        f"store_rejects=true, rejects_table='rej_{tag}', rejects_scan='scan_{tag}')"
    )


def load_csv(con, spec, path, aliases, required, tmpdir: Path, lazy: bool = False) -> Table:
    """Read CSV ``path`` into temp view ``raw`` of ``con`` (or, ``lazy``, describe the scan); see the module docstring."""
    encoding = detect_encoding(path, spec)
    if encoding != "utf-8":
        target = tmpdir / "utf8.csv"
        transcode_to_utf8(path, target, encoding)
        path = target
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = fh.read(1 << 20).split("\n")[:HEAD_LINES]
    sep, idx, mapping, cells = _sniff(head, aliases, spec.columns)
    check_header(spec, mapping, required, cells)
    width = len(cells)
    table = Table(fields={f: f"c{i}" for f, i in mapping.items()}, header=cells, kind="csv", separator=sep)
    if encoding != "utf-8":
        table.notes.append(f"read as {encoding}, transcoded to UTF-8")
    skip = idx + 1
    path = _check_lines(spec, path, table, skip, tmpdir)
    if lazy:
        table.scan = {"path": path, "width": width, "skip": skip, "tmpdir": tmpdir, "tag": "a"}
        _lazy_source(table)
        return table
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS {_read_csv_sql(path, sep, width, skip, 'a')}", [str(path), sep])
    unclosed = con.execute("SELECT count(*) FROM rej_a WHERE error_type = 'UNQUOTED VALUE'").fetchall()[0][0]
    tag = "a"
    bad_quotes: list[tuple[int, str]] = []
    if unclosed or _multiline(con, "raw_rows", width):
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
    _collect_rejects(con, table, tag, width, bad_quotes, rows_sql="raw_rows", path=path)
    names = [f"c{i}" for i in range(width)]
    rows = con.sql("SELECT * FROM raw_rows").to_arrow_table()
    blank = " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in names)
    n_blank = con.execute(f"SELECT count(*) FROM raw_rows WHERE {blank}").fetchall()[0][0]
    table.data_rows = table.rows_in(*newline_stats([rows[c] for c in names]), blank=n_blank)
    return table


def _multiline(con, name: str, width: int) -> bool:
    """True when a value of ``name`` spans lines (a quote may have swallowed later rows)."""
    cond = " OR ".join(f"contains(c{i}, chr(10))" for i in range(width))
    return bool(con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {name} WHERE {cond} LIMIT 1)").fetchall()[0][0])


def _check_lines(spec: SourceSpec, path: Path, table: Table, skip: int, tmpdir: Path) -> Path:
    """Count the physical lines (``table.lines``); mixed line breaks are made uniform and lines
    over DuckDB's line limit (which it would drop without a word) are quarantined, both in a copy
    under ``tmpdir``. Returns the path to read."""
    lim = limits.current()
    max_line = int(lim.max_cell_kb * 1024)
    scan = scan_lines(path, skip, max_line)
    if scan.mixed_newlines:
        target = tmpdir / "newlines.csv"
        normalise_newlines(path, target)
        path = target
        scan = scan_lines(path, skip, max_line)
    if scan.non_empty > lim.max_rows:
        raise limits.SourceLimitError(
            f"{spec.path} has {scan.non_empty:,} lines, more than the limit of {lim.max_rows:,} rows; split the file or "
            "raise limits.max_rows in aigrip.yaml".replace(",", "."), spec.id)
    limits.check_deadline("reading the CSV file")
    table.lines = scan
    if scan.long_lines:
        if path.parent != tmpdir:
            copy = tmpdir / "long-lines.csv"
            copy.write_bytes(path.read_bytes())
            path = copy
        starts = blank_lines(path, {n for n, _ in scan.long_lines})
        limit = f"{max_line:,}".replace(",", ".")
        for n, size in scan.long_lines:
            table.quarantine.append({
                "row_ref": f"regel {n}", "raw_text": starts.get(n, ""),
                "reason": f"regel te lang ({size:,} bytes; hoogstens {limit})".replace(",", "."),
            })
    return path


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


def finish_scan(con: duckdb.DuckDBPyConnection, table: Table, multiline: bool = False, rows=None) -> bool:
    """After a query over a lazy CSV ``table.source``: collect the rows DuckDB rejected into
    ``table.quarantine`` and return True; or, when a quote opened and never closed or a value
    spans lines (``multiline``: the caller saw a line break inside a value, where a stray quote
    may have swallowed later rows), repair a copy of the file, point ``table.source`` at it and
    return False: the caller runs its query again. ``rows`` (an Arrow table of the rows read)
    lets a spurious reject of a row DuckDB also returned be recognised."""
    scan = table.scan
    if scan is None:
        return True
    unclosed = con.execute(f"SELECT count(*) FROM rej_{scan['tag']} WHERE error_type = 'UNQUOTED VALUE'").fetchall()[0][0]
    if (unclosed or multiline) and scan["tag"] == "a":
        path = scan["path"]
        if path.parent != scan["tmpdir"]:
            copy = scan["tmpdir"] / "repaired.csv"
            copy.write_bytes(path.read_bytes())
            path = copy
        scan |= {"path": path, "tag": "b", "bad_quotes": _repair_quotes(path, table.separator, scan["width"], scan["skip"])}
        _lazy_source(table)
        return False
    if rows is not None:
        con.register("_scan_rows", rows)
    try:
        _collect_rejects(con, table, scan["tag"], scan["width"], scan.get("bad_quotes", []),
                         rows_sql="_scan_rows" if rows is not None else None, path=scan["path"])
    finally:
        if rows is not None:
            con.unregister("_scan_rows")
    return True


def _also_read(con, rows_sql: str | None, text: str, sep: str, width: int) -> bool:
    """True when DuckDB rejected a record that is well-formed and that it also returned (DuckDB
    1.x logs such spurious 'unterminated quote' errors for some multi-line records)."""
    if rows_sql is None or not text:
        return False
    try:
        parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True))
    except csv.Error:
        return False
    if len(parsed) != 1 or len(parsed[0]) != width:
        return False
    cond = " AND ".join(f"coalesce(c{i}, '') = ?" for i in range(width))
    return bool(con.execute(f"SELECT count(*) FROM {rows_sql} WHERE {cond}", parsed[0]).fetchall()[0][0])


def _collect_rejects(con, table: Table, tag: str, width: int, bad_quotes: list[tuple[int, str]],
                     rows_sql: str | None = None, path: Path | None = None) -> None:
    sep = table.separator
    rejects = con.execute(
        f"SELECT line, string_agg(DISTINCT error_type, ',') AS kinds, any_value(trim(csv_line, chr(10) || chr(13))) AS text, "
        f"min(line_byte_position) AS pos FROM rej_{tag} GROUP BY line ORDER BY line"
    ).fetchall()
    for line, text in bad_quotes:
        table.quarantine.append({"row_ref": f"regel {line}", "reason": _REJECT_REASONS["UNQUOTED VALUE"], "raw_text": text})
    breaks = empty = 0
    for line, kinds, text, pos in rejects:
        if kinds == "UNQUOTED VALUE" and _also_read(con, rows_sql, text, sep, width):
            continue
        # the record as in the file: DuckDB shortens csv_line of long records, line breaks included
        # DuckDB shortens csv_line to 10,000 bytes (not characters: 3,334 for a line of euro signs)
        maybe_long = text and ('"' in text or len(text.encode("utf-8", "replace")) >= 4000)
        record = record_at(path, pos, text, sep) if path is not None and maybe_long else text
        if record and "\n" in record:
            bare = record.replace("\r", "")
            breaks += bare.count("\n")
            empty += bare.count("\n") - len(re.findall("\n+", bare))
        reason = "; ".join(_REJECT_REASONS.get(k, k.lower()) for k in kinds.split(","))
        if "velden" in reason:
            found = len(_cells(text or "", sep))
            reason += f" (verwacht {width}, gevonden {found})"
        table.quarantine.append({"row_ref": f"regel {line}", "reason": reason, "raw_text": text or ""})
    table.reject_breaks = (breaks, empty)
