"""Hypothesis strategies for messy CSV/XLSX source files, and the accounting oracle.

Used by ``tests/test_fuzz_readers.py`` (a few thousand files per test run) and by
``python -m bench fuzz`` (as many as you like). A generated file has a valid header for its source
type and data rows whose cells hold random quotes (balanced or stray), separators, line breaks in
quoted cells, control characters, NULs, long values, blank and repeated-header rows, in one of
the encodings the readers accept (UTF-8 with/without BOM, cp1252, UTF-16) and with LF, CRLF or
mixed line breaks.

The oracle (:func:`check_accounting`) is the contract of every reader: ``rows_in ==
rows_loaded + rows_quarantined + rows_filtered``, where ``rows_in`` is counted from the file;
and when every row was written as well-formed CSV, ``rows_in`` is the number of data rows written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

__all__ = ["READERS", "GeneratedFile", "csv_files", "xlsx_files", "check_accounting", "write_file"]

# reader type -> (header cells, a typical value per column)
READERS: dict[str, tuple[list[str], list[str]]] = {
    "spend_ledger": (
        ["Boekstuk", "Boekdatum", "Crediteurnaam", "KvK-nummer", "Factuuromschrijving", "Bedrag incl. btw", "Kostenplaats"],
        ["F1", "03-01-2025", "Centric B.V.", "01234567", "Licentie", "1.234,56", "Burgerzaken"],
    ),
    "application_portfolio": (
        ["Applicatie-ID", "Naam applicatie", "Leverancier", "Afdeling", "Omschrijving", "Status"],
        ["APP-1", "Key2Burgerzaken", "Centric", "Burgerzaken", "Basisregistratie", "In gebruik"],
    ),
    "survey": (
        ["ID", "E-mail", "Naam", "Afdeling", "Welke systemen of toepassingen gebruikt u?", "Leverancier",
         "Waarvoor gebruikt u het?", "Leert het systeem zelf (AI)?"],
        ["1", "a@b.nl", "Piet", "Wonen", "Chatbot; Vertaalhulp", "Acme", "klantcontact", "Ja"],
    ),
    "dpia_register": (
        ["Kenmerk", "Naam verwerking", "Status", "Datum", "Uitkomst", "Link"],
        ["D-1", "Parkeren", "afgerond", "01-02-2024", "aanvaardbaar", "https://intranet/dpia/1"],
    ),
}

_PLAIN = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.-/€éëï’“”"
_NASTY = ['"', '""', ";", ",", "\t", "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\u2028", "\ufeff", "\\", "'", "=", " "]


@st.composite
def _cell(draw, typical: str) -> tuple[str, bool]:
    """(text, needs_quoting_for_wellformed) — a cell value."""
    kind = draw(st.sampled_from(["typical", "typical", "empty", "plain", "nasty", "long", "newline"]))
    if kind == "typical":
        return typical, False
    if kind == "empty":
        return "", False
    if kind == "plain":
        return draw(st.text(alphabet=_PLAIN, max_size=30)), False
    if kind == "long":
        return draw(st.sampled_from("xyz€")) * draw(st.integers(200, 3000)), False
    if kind == "newline":
        parts = draw(st.lists(st.text(alphabet=_PLAIN, max_size=8), min_size=2, max_size=4))
        return draw(st.sampled_from(["\n", "\r\n"])).join(parts), True
    bits = draw(st.lists(st.one_of(st.sampled_from(_NASTY), st.text(alphabet=_PLAIN, max_size=6)), min_size=1, max_size=6))
    return "".join(bits), True


@dataclass
class GeneratedFile:
    reader: str
    rows: list[list[str]]  # data rows as cell values
    raw: list[bool]  # per row: written without quoting (may be malformed CSV)
    blank: list[bool]  # per row: every cell empty (not a data row)
    encoding: str
    newline: str
    title_lines: int
    wellformed: bool  # every row written as proper CSV

    @property
    def data_rows(self) -> int:
        return sum(not b for b in self.blank)


@st.composite
def csv_files(draw, reader: str | None = None, max_rows: int = 12) -> GeneratedFile:
    reader = reader or draw(st.sampled_from(sorted(READERS)))
    header, typical = READERS[reader]
    n = draw(st.integers(0, max_rows))
    rows, raw, blank = [], [], []
    for _ in range(n):
        shape = draw(st.sampled_from(["normal"] * 6 + ["blank", "header", "short", "long"]))
        if shape == "blank":
            cells = [""] * len(header)
        elif shape == "header":
            cells = list(header)
        else:
            cells = [draw(_cell(t))[0] for t in typical]
            if shape == "short":
                cells = cells[: draw(st.integers(1, len(cells) - 1))]
            elif shape == "long":
                cells = cells + ["extra"] * draw(st.integers(1, 3))
        rows.append(cells)
        raw.append(draw(st.booleans()) and draw(st.booleans()))  # a quarter of the rows unquoted
        # a blank row (every field empty) is no data row; a short or long row is one (it is
        # quarantined), except a lone empty cell, which is an empty line
        blank.append((len(cells) == len(header) and all(c.strip(" ") == "" for c in cells))
                     or (len(cells) == 1 and cells[0] == ""))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    title_lines = draw(st.integers(0, 2))
    wellformed = not any(r and any(_breaks_line(c) for c in cells) for r, cells in zip(raw, rows, strict=True))
    return GeneratedFile(reader, rows, raw, blank, encoding, newline, title_lines, wellformed)


def _breaks_line(cell: str) -> bool:
    """A cell that, written without quotes, is no longer one well-formed CSV field."""
    return any(ch in cell for ch in '";\n\r')


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def write_file(f: GeneratedFile, path: Path) -> Path:
    """Write ``f`` as a ``;``-separated CSV at ``path``."""
    header, _ = READERS[f.reader]
    lines = [f"Overzicht {i + 1};;" for i in range(f.title_lines)] + [";".join(header)]
    for cells, raw in zip(f.rows, f.raw, strict=True):
        if raw:
            lines.append(";".join(c.replace("\r", " ").replace("\n", " ") for c in cells))
        else:
            lines.append(";".join(_quote(c) if _breaks_line(c) or c != c.strip() else c for c in cells))
    if f.newline == "mixed":
        text = "".join(ln + ("\r\n" if i % 2 else "\n") for i, ln in enumerate(lines))
    else:
        text = "".join(ln + f.newline for ln in lines)
    data = text.encode(f.encoding, errors="replace") if f.encoding != "cp1252" else text.encode("cp1252", errors="replace")
    path.write_bytes(data)
    return path


@st.composite
def xlsx_files(draw, reader: str | None = None, max_rows: int = 10) -> GeneratedFile:
    f = draw(csv_files(reader, max_rows))
    f.encoding, f.newline = "xlsx", "\n"
    return f


def write_xlsx(f: GeneratedFile, path: Path) -> Path:
    """Write ``f`` as an XLSX workbook (cells openpyxl cannot store are cleaned, as Excel would)."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    header, _ = READERS[f.reader]
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(f.title_lines):
        ws.append([f"Overzicht {i + 1}"])
    ws.append(header)
    for n, cells in enumerate(f.rows):
        clean = [ILLEGAL_CHARACTERS_RE.sub("", c) for c in cells]
        f.blank[n] = all(c.strip() == "" for c in clean)
        ws.append(clean)
    wb.save(path)
    return path


def check_accounting(result, f: GeneratedFile | None = None) -> None:
    """Raise AssertionError when ``result`` (a ConnectorResult) breaks the accounting contract."""
    total = result.rows_loaded + result.rows_quarantined + result.rows_filtered
    assert result.rows_in == total, (
        f"rows_in {result.rows_in} != loaded {result.rows_loaded} + quarantined {result.rows_quarantined}"
        f" + filtered {result.rows_filtered}")
    if f is not None and f.wellformed and f.encoding != "xlsx":
        assert result.rows_in == f.data_rows, f"rows_in {result.rows_in}, file has {f.data_rows} data rows"
