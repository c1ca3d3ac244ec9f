"""Header mapping shared by the CSV and XLSX readers: the :class:`Table` description of a loaded
source file and the assignment of header cells to fields (explicit ``columns`` first, then the
connector's aliases), with one readable error when the header lacks what is needed."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors._csv_lines import LineScan
from connectors.base import SourceSpec
from transforms.errors import ConfigError, SourceFormatError
from transforms.text import fold

__all__ = ["Table", "fold_header", "choose_header", "check_header", "HEAD_LINES"]

HEAD_LINES = 40  # lines (CSV) or rows (XLSX) searched for the header row


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
    # accounting (connectors._csv_lines): physical lines of a CSV, data rows of an XLSX sheet
    lines: LineScan | None = None
    reject_breaks: tuple[int, int] = (0, 0)  # (line breaks, empty lines) inside rejected CSV records
    data_rows: int | None = None  # XLSX: non-blank rows below the header

    def rows_in(self, breaks: int = 0, empty_inside: int = 0, blank: int = 0) -> int | None:
        """The file's data rows counted from the file itself (None when unknown): for CSV the
        non-empty physical lines after the header, less the continuation lines of multi-line
        records (``breaks`` line breaks and ``empty_inside`` empty lines inside the parsed values)
        and the ``blank`` rows (every field empty) the parser returned."""
        if self.data_rows is not None:
            return self.data_rows
        if self.lines is None:
            return None
        rb, re_ = self.reject_breaks
        return self.lines.non_empty + empty_inside + re_ - breaks - rb - blank

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


def choose_header(rows: list[list[str]], aliases, columns) -> tuple[int, dict[str, int]]:
    """Index of the row that maps the most fields, and that mapping (-1, {} when none maps any)."""
    best = (-1, {})
    for i, cells in enumerate(rows):
        mapping = _map_header(cells, aliases, columns)
        if len(mapping) > len(best[1]):
            best = (i, mapping)
    return best


def check_header(spec: SourceSpec, mapping: dict[str, int], required: tuple[str, ...], seen: list[str]) -> None:
    """Raise ConfigError (a configured column is missing) or SourceFormatError (no usable header)."""
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
