"""Physical-line accounting for CSV files, independent of the CSV parser.

A CSV reader can lose rows without saying so: DuckDB's ``read_csv`` drops a line longer than its
``max_line_size`` without a reject, and a quote opened in one line and closed many lines later
turns the lines between into one multi-line field. So the number of rows a file holds is counted
here from its bytes, not from what the parser returned:

    rows = non-empty physical lines after the header
           + empty lines inside multi-line fields − line breaks inside fields − blank rows

:func:`scan_lines` counts the lines (one vectorised pass, ~0.1 s per 100 MB) and finds lines
over the line limit; :func:`newline_stats` counts the line breaks inside the values the parser
returned; :func:`record_at` finds the whole record of a rejected line (DuckDB shortens its text),
by :class:`QuoteState`, which tells whether a line leaves a quoted field open by DuckDB's rules;
:func:`normalise_newlines` and :func:`blank_lines` write a corrected copy when needed. What counts
as a data row is defined in docs/security.md ("What a data row of a CSV file is").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["LineScan", "scan_lines", "newline_stats", "normalise_newlines", "blank_lines", "MAX_LINE_BYTES",
           "QuoteState", "record_at"]

MAX_LINE_BYTES = 2_097_152  # DuckDB's read_csv max_line_size: a longer line is dropped without a reject
_CHUNK = 16 << 20


@dataclass
class LineScan:
    """Counts of the physical lines after the first ``skip`` lines of a file."""

    lines: int = 0  # physical lines (a last line without line break counts when not empty)
    empty: int = 0  # lines with nothing (or only a carriage return) on them
    long_lines: list[tuple[int, int]] = field(default_factory=list)  # (1-based line number, bytes)
    mixed_newlines: bool = False  # both CRLF and bare LF/CR line breaks: DuckDB cannot read it as is

    @property
    def non_empty(self) -> int:
        return self.lines - self.empty


def scan_lines(path: Path, skip: int, max_line: int = MAX_LINE_BYTES) -> LineScan:
    """Count the lines of ``path`` after its first ``skip`` lines (see :class:`LineScan`)."""
    scan = LineScan()
    line_no = 0  # lines completed so far
    start = 0  # byte offset where the current line starts
    offset = 0
    prev_last = -1  # last byte of the previous chunk
    crlf = lf = cr = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10)
            lf += len(nl)
            cr += chunk.count(b"\r")  # memchr speed; only the counts of CR are needed
            if len(nl):
                before = np.empty(len(nl), dtype=np.int64)
                before[1:] = arr[nl[1:] - 1]
                before[0] = arr[nl[0] - 1] if nl[0] > 0 else prev_last
                crlf += int(np.count_nonzero(before == 13)) if cr else 0
                ends = nl + offset  # absolute positions of the line breaks
                starts = np.empty(len(ends), dtype=np.int64)
                starts[0] = start
                starts[1:] = ends[:-1] + 1
                lengths = ends - starts  # bytes before the LF
                numbers = np.arange(line_no + 1, line_no + 1 + len(ends))
                counted = numbers > skip
                empty = (lengths == 0) | ((lengths == 1) & (before == 13))
                scan.lines += int(np.count_nonzero(counted))
                scan.empty += int(np.count_nonzero(counted & empty))
                for i in np.flatnonzero(counted & (lengths > max_line)):
                    scan.long_lines.append((int(numbers[i]), int(lengths[i])))
                line_no += len(ends)
                start = int(ends[-1]) + 1
            offset += len(chunk)
            prev_last = int(arr[-1])
    if offset > start:  # a last line without a line break
        line_no += 1
        if line_no > skip:
            scan.lines += 1
            if offset - start == 1 and prev_last == 13:
                scan.empty += 1
            elif offset - start > max_line:
                scan.long_lines.append((line_no, offset - start))
    scan.mixed_newlines = bool(crlf and (crlf != lf or cr != crlf)) or bool(cr and not crlf)
    return scan


def newline_stats(columns: list[pa.ChunkedArray | pa.Array]) -> tuple[int, int]:
    """(line breaks, empty lines) inside the values of ``columns`` (text arrays of parsed rows).

    An empty line inside a value is a line break directly followed by another; carriage returns
    are ignored, as in :func:`scan_lines`."""
    breaks = empty_inside = 0
    for col in columns:
        if col.null_count == len(col):
            continue
        col = col.cast(pa.string())
        n = pc.sum(pc.count_substring(col, "\n")).as_py() or 0
        if not n:
            continue
        breaks += n
        bare = pc.replace_substring(col, "\r", "")
        runs = pc.sum(pc.count_substring_regex(bare, "\n+")).as_py() or 0
        empty_inside += n - runs
    return int(breaks), int(empty_inside)


def normalise_newlines(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with every CRLF and lone CR turned into LF."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        carry = b""
        while chunk := fin.read(_CHUNK):
            data = carry + chunk
            carry = b""
            if data.endswith(b"\r"):
                data, carry = data[:-1], b"\r"
            fout.write(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        if carry:
            fout.write(b"\n")


def blank_lines(path: Path, numbers: set[int], keep: int = 200) -> dict[int, str]:
    """Empty the lines ``numbers`` (1-based) of ``path`` in place, keeping their line breaks;
    returns the first ``keep`` characters of each emptied line (for the quarantine)."""
    tmp = path.with_suffix(path.suffix + ".part")
    starts: dict[int, str] = {}
    with open(path, "rb") as fin, open(tmp, "wb") as fout:
        for n, line in enumerate(fin, start=1):
            if n in numbers:
                starts[n] = line[: keep * 4].decode("utf-8", "replace")[:keep] + " …"
                fout.write(b"\n" if line.endswith(b"\n") else b"")
            else:
                fout.write(line)
    tmp.replace(path)
    return starts


class QuoteState:
    """Whether a line of a ``sep``-separated file leaves a quoted field open, by DuckDB's rules.

    A quote opens a quoted field only at the start of a field, after nothing but spaces (a tab is
    text); inside it ``""`` is a quote and a lone ``"`` closes it; anything after the closing quote
    up to the separator belongs to the same field, quotes included. A quote after other text in an
    unquoted field (``Monitor 24" breed``) is text. So the quotes of a line are not simply counted:
    ``1;b."";"x"`` with five quotes opens nothing and ``b"c;"d`` with two leaves a field open. One regular expression per line (possessive
    quantifiers: no backtracking), so lines are checked at C speed.
    """

    def __init__(self, sep: str) -> None:
        s = re.escape(sep)
        inside = '[^"]*+(?:""[^"]*+)*+'  # a quoted field's text, "" included (unrolled: no alternation per character)
        field = rf'(?: *"{inside}"[^{s}]*+|(?! *")[^{s}]*+)'
        self._closed = re.compile(rf"{field}(?:{s}{field})*+")
        self._closes = re.compile(rf'{inside}"[^{s}]*+(?:{s}{field})*+')  # a line that starts inside quotes

    def ends_open(self, line: str, open_at_start: bool = False) -> bool:
        """True when a quoted field is still open at the end of ``line`` (without its line break);
        ``open_at_start``: the line continues a quoted field of the line before."""
        if '"' not in line:
            return open_at_start
        return (self._closes if open_at_start else self._closed).fullmatch(line) is None


def record_at(path: Path, pos: int | None, text: str, sep: str, limit: int = 8 << 20) -> str:
    """The whole record starting at DuckDB's ``line_byte_position`` (1-based) in ``path``: up to the
    first line break outside a quoted field (:class:`QuoteState`). Falls back to ``text`` when the
    file does not match there."""
    quotes = QuoteState(sep)
    if not pos:
        return text
    start = max(pos - 1, 0)
    with open(path, "rb") as fh:
        fh.seek(max(start - 8, 0))
        data = fh.read(min(limit, 1 << 16) + 8)
        head = text[:16].encode("utf-8", "replace")  # up to 64 bytes: the window must fit it whole
        at = data.find(head, 0, min(start, 8) + 1 + len(head)) if head else -1
        if at < 0:
            return text
        out, quoted, i = [], False, at
        while True:
            if i >= len(data):
                more = fh.read(1 << 16)
                if not more or sum(map(len, out)) > limit:
                    break
                data, i = data[i:] + more, 0
                continue
            j = data.find(b"\n", i)
            segment = data[i:] if j < 0 else data[i : j + 1]
            if b'"' in segment or quoted:
                quoted = quotes.ends_open(segment.rstrip(b"\r\n").decode("utf-8", "replace"), quoted)
            out.append(segment)
            if j < 0:
                i = len(data)
                continue
            i = j + 1
            if not quoted:
                break
    return b"".join(out).rstrip(b"\r\n").decode("utf-8", "replace")
