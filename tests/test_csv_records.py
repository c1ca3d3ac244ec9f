"""What a data row of a CSV file is (docs/security.md): quote state by DuckDB's rules, and the
awkward files the fuzz benchmark found, each with its exact accounting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import SourceSpec, load_source
from connectors._csv_lines import QuoteState, record_at

_HEADER = "Boekstuk;Boekdatum;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats"


@pytest.mark.parametrize("line, open_at_start, expected", [
    ('F1;Monitor 24" breed;x', False, False),  # a quote inside unquoted text is text
    ('1;b.""";yy;Wonen;";";;Ja', False, False),  # five quotes, nothing left open
    ('x;b"c;"d', False, True),  # two quotes, one field left open
    ('x; "b;c', False, True),  # spaces before the quote: it opens
    ('x;\t"b;c', False, False),  # a tab before it: text
    ('x;"b""c;d', False, True),  # "" inside quotes is a quote
    ('x;"b" ;c', False, False),
    ('x;"b"c"d;e', False, False),  # after the closing quote, quotes are text up to the separator
    ('q;r";s', True, False),
    ('abc', True, True),
    ('""', True, True),
])
def test_quote_state_follows_duckdb(line, open_at_start, expected):
    assert QuoteState(";").ends_open(line, open_at_start) is expected


@pytest.mark.parametrize("body", ['x;b"c;d\nq;r;s\n', 'x;"b"c;"d\nq;r;s\nt;u;v\n', 'x; "b;c\nq;r;s\n',
                                  'x;"b""c;d\nq;r";s\nt;u;v\n', 'x;"b";" c\nq;r";s\nt;u;v\n'])
def test_quote_state_agrees_with_duckdbs_records(tmp_path, body):
    """The lines DuckDB puts into one record are the lines QuoteState joins."""
    path = tmp_path / "t.csv"
    path.write_text("a;b;c\n" + body, encoding="utf-8")
    con = duckdb.connect()
    rows = con.execute(
        "SELECT * FROM read_csv(?, delim=';', quote='\"', escape='\"', header=true, auto_detect=false, "
        "columns={'a': 'VARCHAR', 'b': 'VARCHAR', 'c': 'VARCHAR'}, strict_mode=true, null_padding=false, "
        "store_rejects=true, rejects_table='rej')", [str(path)]).fetchall()
    rejected = con.execute("SELECT DISTINCT csv_line FROM rej").fetchall()
    duck = list(rows) + rejected
    lines_in_duck_records = sum(1 + sum((c or "").count("\n") for c in r) for r in rows) + sum(
        1 + t.rstrip("\n").count("\n") for (t,) in rejected)
    quotes, records, still_open = QuoteState(";"), 0, False
    for line in body.rstrip("\n").split("\n"):
        records += not still_open
        still_open = quotes.ends_open(line, still_open)
    assert records == len(duck)
    assert lines_in_duck_records == body.rstrip("\n").count("\n") + 1


@given(st.lists(st.lists(st.text(alphabet='ab ";\n\r€', max_size=8), min_size=1, max_size=5), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_quote_state_splits_well_formed_csv_into_its_records(rows):
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    quotes, records, still_open = QuoteState(";"), 0, False
    for line in out.getvalue()[:-1].split("\n"):
        records += not still_open
        still_open = quotes.ends_open(line, still_open)
    assert not still_open and records == len(rows)


def test_record_at_reads_the_whole_record_of_a_shortened_reject(tmp_path):
    path = tmp_path / "t.csv"
    first = ";03-01-2025;" + "€" * 4000 + ';"8j'
    path.write_text(f"{_HEADER}\n{first}\npcgrc68\";extra;extra\nF1;x;y;z;a;b;c\n", encoding="utf-8")
    pos = len(_HEADER) + 2  # DuckDB's 1-based line_byte_position
    shortened = first.encode()[:10000].decode("utf-8", "ignore")
    assert record_at(path, pos, shortened, ";") == first + '\npcgrc68";extra;extra'


def _ledger(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> object:
    path = tmp_path / "bron.csv"
    path.write_bytes(("\n".join([_HEADER, *lines]) + "\n").encode(encoding, errors="replace"))
    return load_source(SourceSpec(id="l", type="spend_ledger", path=path))


def test_a_long_multi_byte_record_rejected_over_two_lines_is_one_row(tmp_path):
    # DuckDB shortens the text of a rejected record to 10,000 bytes: 3,334 euro signs
    res = _ledger(tmp_path, [
        "F1;03-01-2025;Centric B.V.;01234567;Licentie;1.234,56;Burgerzaken",
        ";03-01-2025;" + "€" * 4000 + ';Licentie;x;"8j', 'pcgrc68";extra;extra',
        "F2;03-01-2025;Centric B.V.;01234567;Licentie;1.234,56;Burgerzaken",
    ])
    assert (res.rows_in, res.rows_loaded, res.rows_quarantined) == (3, 2, 1)


def test_a_quote_inside_text_swallows_nothing(tmp_path):
    res = _ledger(tmp_path, [
        'F1;03-01-2025;Dell;;Monitor 24" breed;1.234,56;ICT',
        'F2;03-01-2025;Dell;;"Monitor ""27""";1.234,56;ICT',
        'F3;03-01-2025;Dell;;kabels;"1.234,56";"ICT',  # never closed: this line alone is quarantined
        "F4;03-01-2025;Dell;;muis;12,50;ICT",
    ])
    assert (res.rows_in, res.rows_loaded, res.rows_quarantined) == (4, 3, 1)
    assert res.frame["description"].tolist() == ['Monitor 24" breed', 'Monitor "27"', "muis"]
    assert "aanhalingsteken" in res.quarantine["reason"].iloc[0]


def test_a_record_with_five_quotes_on_one_line_is_that_line(tmp_path):
    res = _ledger(tmp_path, [
        'F1;b.""";x;;y;1,00;z;te veel',  # too many fields, one line, no quote left open
        "F2;03-01-2025;Dell;;muis;12,50;ICT",
        "F3;03-01-2025;Dell;;muis;12,50;ICT",
    ])
    assert (res.rows_in, res.rows_loaded, res.rows_quarantined) == (3, 2, 1)
