"""Property-based tests over every CSV/XLSX reader: for every generated file (random quotes, stray
quotes, lengths, encodings, line breaks, control characters, NULs, blank and repeated-header rows),
``rows_in == rows_loaded + rows_quarantined + rows_filtered`` with ``rows_in`` counted from the
file; and when every row was written as well-formed CSV, ``rows_in`` is the number of rows written.
A reader may refuse a file as a whole only with one readable line. ~2,200 files per run; many more
with ``python -m bench fuzz --files N``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_files import READERS, check_accounting, csv_files, write_file, write_xlsx, xlsx_files
from connectors import SourceSpec, load_source
from transforms.errors import ConfigError, SourceError

# derandomized: the same ~2,300 files every run, so CI is stable; `python -m bench fuzz` explores further
_SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
_CSV_EXAMPLES = {"spend_ledger": 700, "application_portfolio": 350, "survey": 350, "dpia_register": 250}
_XLSX_EXAMPLES = 120  # per reader: XLSX files are slower to write


def _load(f, path: Path):
    try:
        return load_source(SourceSpec(id="fuzz", type=f.reader, path=path))
    except (SourceError, ConfigError) as exc:  # refused as a whole: one readable line
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
        return None


@pytest.mark.parametrize("reader", sorted(READERS))
def test_csv_reader_accounts_for_every_row(reader):
    @settings(max_examples=_CSV_EXAMPLES[reader], **_SETTINGS)
    @given(csv_files(reader))
    def run(f):
        with tempfile.TemporaryDirectory() as tmp:
            result = _load(f, write_file(f, Path(tmp) / "bron.csv"))
            if result is not None:
                check_accounting(result, f)

    run()


@pytest.mark.parametrize("reader", sorted(READERS))
def test_xlsx_reader_accounts_for_every_row(reader):
    @settings(max_examples=_XLSX_EXAMPLES, **_SETTINGS)
    @given(xlsx_files(reader))
    def run(f):
        with tempfile.TemporaryDirectory() as tmp:
            path = write_xlsx(f, Path(tmp) / "bron.xlsx")
            result = _load(f, path)
            if result is not None:
                check_accounting(result, f)
                assert result.rows_in == sum(not b for b in f.blank)

    run()


@given(st.binary(max_size=400))
@settings(max_examples=150, **_SETTINGS)
def test_random_bytes_never_give_a_traceback(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bron.csv"
        path.write_bytes(b"Factuurnummer;Crediteur;Omschrijving;Bedrag\n" + data)
        try:
            result = load_source(SourceSpec(id="fuzz", type="spend_ledger", path=path))
        except (SourceError, ConfigError) as exc:
            assert "\n" not in str(exc)
            return
        check_accounting(result)
