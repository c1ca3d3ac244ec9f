"""Spend ledger connector: formats, bad input and the accounting rule."""

from __future__ import annotations

import pandas as pd
import pytest

from connectors.base import SourceSpec
from connectors.ledger import FRAME_COLUMNS, load
from transforms.errors import ConfigError, SourceFormatError

HEADER = "Boekstuk;Boekdatum;Crediteurnummer;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats"


def _write(tmp_path, lines, encoding="cp1252", name="crediteuren.csv", bom=b"", eol="\r\n"):
    path = tmp_path / name
    path.write_bytes(bom + (eol.join(lines) + eol).encode(encoding))
    return path


def _load(path, **kw):
    result = load(SourceSpec(id="cred", type="spend_ledger", path=path, **kw))
    assert result.balanced and result.rows_in == result.rows_loaded + len(result.quarantine) + result.rows_filtered
    return result


def test_demo_format_with_bad_lines(tmp_path):
    path = _write(tmp_path, [
        HEADER,
        "2025-0001;03-01-2025;100;Centric Netherlands B.V.;01234567;Licentie Key2Burgerzaken;1.234,56;Burgerzaken",
        "2025-0002;04-01-2025;101;Café Één;;Lunch € “AI” sessie;€ 12,50;Bestuur",
        "2025-0003;05-01-2025;102;X;;iets;n.v.t.;Y",
        "",
        "2025-0004;31-02-2025;103;X;;iets;10,00;Y",
        HEADER,
        "2025-0005;05-01-2025;104;Y",
        "2025-0001;07-01-2025;100;Centric;;creditnota;-1.234,56;Burgerzaken",
    ])
    r = _load(path)
    assert list(r.frame.columns) == FRAME_COLUMNS
    assert r.rows_in == 7  # the blank line is not a row; the repeated header is
    f = r.frame.set_index("row_ref")
    assert list(f.index) == ["2025-0001", "2025-0002", "2025-0001-2"]
    assert f.loc["2025-0001", "amount"] == pytest.approx(1234.56)
    assert f.loc["2025-0001-2", "amount"] == pytest.approx(-1234.56)
    assert f.loc["2025-0002", "amount"] == pytest.approx(12.5)
    assert f.loc["2025-0002", "description"] == "Lunch € “AI” sessie"
    assert f.loc["2025-0001", "supplier_kvk"] == "01234567"
    assert str(f.loc["2025-0001", "date"].date()) == "2025-01-03"
    reasons = " | ".join(r.quarantine["reason"])
    assert "n.v.t." in reasons and "31-02-2025" in reasons and "kopregel herhaald" in reasons
    assert "te weinig velden" in reasons
    assert any("2025-0005" in t for t in r.quarantine["raw_text"])


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")])
def test_encodings(tmp_path, encoding, bom):
    path = _write(tmp_path, [HEADER, "F1;01-02-2025;1;Één B.V.;;licentie €;5,00;A"], encoding=encoding, bom=bom)
    r = _load(path)
    assert r.frame.loc[0, "supplier"] == "Één B.V." and r.frame.loc[0, "description"] == "licentie €"


@pytest.mark.parametrize("sep", [",", "\t"])
def test_separators_and_iso_dates(tmp_path, sep):
    lines = ["Factuurnummer,Factuurdatum,Leverancier,Omschrijving,Bedrag".replace(",", sep),
             f'A1{sep}2025-03-04{sep}"Acme, Inc"{sep}"abonnement"{sep}1234.50']
    r = _load(_write(tmp_path, lines, encoding="utf-8"))
    assert r.frame.loc[0, "supplier"] == "Acme, Inc" and r.frame.loc[0, "amount"] == 1234.5
    assert str(r.frame.loc[0, "date"].date()) == "2025-03-04"


def test_unclosed_quote_only_that_row(tmp_path):
    path = _write(tmp_path, [
        HEADER,
        "F1;01-01-2025;1;A;;ok;1,00;K",
        'F2;01-01-2025;1;B;;"kapot;2,00;K',
        "F3;01-01-2025;1;C;;ok;3,00;K",
        'F4;01-01-2025;1;D;;"twee\nregels";4,00;K',
        "F5;01-01-2025;1;E;;ok;5,00;K",
    ])
    r = _load(path)
    assert list(r.frame["row_ref"]) == ["F1", "F3", "F4", "F5"]
    assert r.frame.loc[2, "description"] == "twee\nregels"
    assert list(r.quarantine["reason"]) == ["aanhalingsteken niet afgesloten"]


def test_too_many_columns_and_title_lines(tmp_path):
    path = _write(tmp_path, ["Crediteurenoverzicht 2025;;;;;;;", ";;;;;;;", HEADER,
                             "F1;01-01-2025;1;A;;ok;1,00;K;extra;veld", "F2;01-01-2025;1;B;;ok;1,00;K"])
    r = _load(path)
    assert list(r.frame["row_ref"]) == ["F2"]
    assert r.quarantine.loc[0, "reason"].startswith("te veel velden")


def test_excel_serial_and_no_invoice_hash(tmp_path):
    path = _write(tmp_path, ["Crediteur;Datum;Omschrijving;Bedrag", "A;45678;x;1", "A;45678;x;1", "B;45679;y;2"])
    r = _load(path)
    refs = list(r.frame["row_ref"])
    assert len(refs[0]) == 12 and refs[1] == refs[0] + "-2" and refs[2] != refs[0]
    assert str(r.frame.loc[0, "date"].date()) == "2025-01-21"
    again = _load(path)
    assert list(again.frame["row_ref"]) == refs  # stable keys on re-ingest


def test_columns_map(tmp_path):
    path = _write(tmp_path, ["Partij;Tekst;Euro", "A;x;1,5"])
    r = _load(path, columns={"supplier": "Partij", "description": "Tekst", "amount": "Euro"})
    assert r.frame.loc[0, "amount"] == 1.5
    with pytest.raises(ConfigError, match="Bestaat niet"):
        _load(path, columns={"supplier": "Bestaat niet"})


def test_empty_header_only_and_no_header(tmp_path):
    with pytest.raises(SourceFormatError, match="empty"):
        _load(_write(tmp_path, [""], name="e.csv"))
    r = _load(_write(tmp_path, [HEADER], name="h.csv"))
    assert r.rows_in == 0 and list(r.frame.columns) == FRAME_COLUMNS
    with pytest.raises(SourceFormatError, match="no header row"):
        _load(_write(tmp_path, ["a;b;c", "1;2;3"], name="n.csv"))
    with pytest.raises(ConfigError, match="not found"):
        _load(tmp_path / "missing.csv")


def test_xlsx_ledger_with_title_lines(tmp_path):
    from datetime import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Crediteuren 2025"])
    ws.append([])
    ws.append(["Factuurnummer", "Factuurdatum", "Crediteur", "KvK", "Omschrijving", "Bedrag"])
    ws.append(["X1", datetime(2025, 5, 6), "Acme", 1234567, "licentie", 1.234])
    ws.append(["X2", "n.v.t.", "Acme", None, "licentie", "12,00"])
    path = tmp_path / "l.xlsx"
    wb.save(path)
    r = _load(path)
    assert r.frame.loc[0, "amount"] == pytest.approx(1.234)
    assert r.frame.loc[0, "supplier_kvk"] == "01234567"
    assert r.quarantine.loc[0, "row_ref"].startswith("rij 5")


def test_large_file_streams(tmp_path):
    lines = [HEADER] + [f"F{i};01-01-2025;1;Leverancier {i % 50};;omschrijving {i};{i},50;K" for i in range(60000)]
    r = _load(_write(tmp_path, lines))
    assert len(r.frame) == 60000 and r.frame["amount"].iloc[-1] == pytest.approx(59999.5)


def test_blank_separator_lines_and_ordinals(tmp_path):
    path = _write(tmp_path, [
        HEADER,
        "F1;01-01-2025;1;A;;ok;1,00;K",
        ";;;;;;;",
        "F2;01-01-2025;1;B;;ok;1,00;K;te;veel",
        "F3;01-01-2025;1;C;;ok;fout;K",
        "F4;01-01-2025;1;D;;ok;4,00;K",
    ])
    r = _load(path)
    assert r.rows_in == 4  # the separator-only line is blank, not a row
    assert list(r.frame["row_ref"]) == ["F1", "F4"]
    refs = list(r.quarantine["row_ref"])
    assert refs[0] == "regel 4"  # file line of the row DuckDB could not split
    assert refs[1] == "gegevensrij 3 (factuur F3)"  # ordinal among the rows read (blank line included)


def test_unclosed_quote_and_bad_amount_in_one_file(tmp_path):
    path = _write(tmp_path, [
        HEADER,
        'F1;01-01-2025;1;A;;"kapot;1,00;K',
        "F2;01-01-2025;1;B;;ok;n.v.t.;K",
        "F3;01-01-2025;1;C;;ok;3,00;K",
    ])
    r = _load(path)
    assert list(r.frame["row_ref"]) == ["F3"]
    assert sorted(r.quarantine["reason"]) == ["aanhalingsteken niet afgesloten", "bedrag 'n.v.t.' is geen geldig bedrag"]


def test_amount_fast_path_matches_general_rules(tmp_path):
    amounts = ["1.234,56", "-1.234,56", "12,5", "1,234", "1234.56", "1.234.567", "1.234,56-", "(12,50)",
               "€ 1.000,00", "1,234.50", " 7,25 ", "EUR 3,00"]
    expected = [1234.56, -1234.56, 12.5, 1.234, 1234.56, 1234567.0, -1234.56, -12.5, 1000.0, 1234.5, 7.25, 3.0]
    lines = [HEADER] + [f"F{i};01-01-2025;1;A;;x;{a};K" for i, a in enumerate(amounts)]
    r = _load(_write(tmp_path, lines))
    assert r.quarantine.empty
    assert list(r.frame["amount"]) == pytest.approx(expected)


def test_frame_types_and_order(tmp_path):
    lines = [HEADER] + [f"F{i:05d};02-01-2025;1;Lev {i % 7};{i:08d};x;{i},00;" for i in range(3000)]
    r = _load(_write(tmp_path, lines))
    f = r.frame
    assert list(f["row_ref"]) == [f"F{i:05d}" for i in range(3000)]  # file order kept
    assert f["department"].isna().all() and f["supplier_kvk"].iloc[1] == "00000001"
    assert str(f["date"].dtype).startswith("datetime64") and f["amount"].dtype == "float64"


def test_utf8_detection_across_chunk_boundaries(monkeypatch, tmp_path):
    import connectors._tabular_csv as tabular

    monkeypatch.setattr(tabular, "_CHUNK", 7)
    text = "Één;€ “AI”;𝄞 ok\n" * 5
    good = tmp_path / "u.csv"
    good.write_bytes(text.encode("utf-8"))
    bad = tmp_path / "c.csv"
    bad.write_bytes(text.replace("𝄞", "").encode("cp1252"))
    spec = SourceSpec(id="x", type="spend_ledger", path=good)
    assert tabular.detect_encoding(good, spec) == "utf-8"
    assert tabular.detect_encoding(bad, spec) == "cp1252"


def test_fast_paths_agree_with_general_rules(tmp_path):
    nbsp = "\u00a0"
    path = _write(tmp_path, [
        HEADER,
        f"  F1 ;  03-01-2025 ;1;{nbsp}Acme B.V.{nbsp};1234 56.78; x ;1,00;   ",
        "F2;2025-01-04;1;B;12345678;y;2,00;K",
        "F3;45678;1;C;123;z;3,00;K",
        "F4;4-1-2025;1;D;12 34;w;4,00;K",
    ])
    r = _load(path)
    f = r.frame.set_index("row_ref")
    assert r.quarantine.empty and list(f.index) == ["F1", "F2", "F3", "F4"]
    assert f.loc["F1", "supplier"] == "Acme B.V." and f.loc["F1", "description"] == "x"
    assert pd.isna(f.loc["F1", "department"])
    assert [f.loc[k, "supplier_kvk"] for k in ("F1", "F2", "F3", "F4")] == ["12345678", "12345678", "00000123", "00001234"]
    assert [str(f.loc[k, "date"].date()) for k in ("F1", "F2", "F3", "F4")] == ["2025-01-03", "2025-01-04", "2025-01-21", "2025-01-04"]


def test_blank_and_repeated_header_rows_without_amount_or_date(tmp_path):
    path = _write(tmp_path, ["Leverancier;Omschrijving", "A;x", "", " ; \u00a0", " leverancier ; OMSCHRIJVING ", "B;y"],
                  encoding="utf-8")
    r = _load(path)
    assert r.rows_in == 3 and list(r.frame["supplier"]) == ["A", "B"]
    assert list(r.quarantine["reason"]) == ["kopregel herhaald"]


def test_repeated_header_whose_amount_cell_parses(tmp_path):
    path = _write(tmp_path, ["Partij;2025", "A;1,50", "Partij;2025", "B;n.v.t.", "C;2,00"])
    r = _load(path, columns={"supplier": "Partij", "amount": "2025"})
    assert list(r.frame["supplier"]) == ["A", "C"] and list(r.frame["amount"]) == [1.5, 2.0]
    assert list(r.quarantine["reason"]) == ["kopregel herhaald", "bedrag 'n.v.t.' is geen geldig bedrag"]
    assert list(r.quarantine["row_ref"]) == ["gegevensrij 2", "gegevensrij 3"]  # no invoice column
    assert list(r.quarantine["raw_text"]) == ["Partij;2025", "B;n.v.t."]


def test_trims_blank_invoices_and_repeat_numbering(tmp_path):
    nbsp = "\u00a0"
    path = _write(tmp_path, [
        HEADER,
        f"A;01-01-2025;1;{nbsp} Acme {nbsp};;x;1,00;  ",
        "B;01-01-2025;1;Beta;;x;1,00;K",
        f"{nbsp};02-01-2025;1;Gamma;;z;3,00;K",
        " A ;01-01-2025;1;Acme;;x;1,00;K",
        '" ";02-01-2025;1;Gamma;;z;3,00;K',
        "A;01-01-2025;1;Acme;;x;1,00;K",
    ], encoding="utf-8")
    r = _load(path)
    f = r.frame
    assert r.quarantine.empty
    assert list(f["row_ref"])[:2] == ["A", "B"] and list(f["row_ref"])[3] == "A-2" and f["row_ref"].iloc[5] == "A-3"
    key = f["row_ref"].iloc[2]
    assert len(key) == 12 and f["row_ref"].iloc[4] == key + "-2"  # blank invoice: hash of the texts
    assert pd.isna(f["invoice"].iloc[2]) and pd.isna(f["invoice"].iloc[4]) and f["invoice"].iloc[3] == "A"
    assert f.loc[0, "supplier"] == "Acme" and pd.isna(f.loc[0, "department"])


def test_repeat_numbering_matches_file_order(tmp_path):
    import numpy as np

    rng = np.random.default_rng(5)
    invoices = [f"R{v}" for v in rng.integers(0, 300, 5000)]
    lines = [HEADER] + [f"{inv};01-01-2025;1;S;;x;{i},00;K" for i, inv in enumerate(invoices)]
    r = _load(_write(tmp_path, lines))
    s = pd.Series(invoices)
    n = s.groupby(s).cumcount() + 1
    expected = s.where(n == 1, s + "-" + n.astype(str))
    assert list(r.frame["row_ref"]) == list(expected)
    assert list(r.frame["amount"]) == [float(i) for i in range(5000)]
