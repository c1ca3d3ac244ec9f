"""Accounting that cannot be fooled: the cases from issue 15, each row loaded, quarantined or filtered."""

from __future__ import annotations

import openpyxl

from connectors import SourceSpec, load_source

HEADER = "Boekstuk;Boekdatum;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats"


def _ledger(tmp_path, rows, name="crediteuren.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return load_source(SourceSpec(id="cred", type="spend_ledger", path=path))


def _rows(n):
    return [f"F{i};01-01-2025;Lev {i};;omschrijving {i};{i},00;KCC" for i in range(1, n + 1)]


def test_stray_quotes_do_not_swallow_later_lines(tmp_path):
    rows = _rows(20)
    rows[4] = 'F5;01-01-2025;Lev 5;;omschrijving 5;5,00;"KCC'  # opens a quote ...
    rows[12] = 'F13;01-01-2025;Lev 13;;omschrijving 13;13,00;KCC"'  # ... "closed" eight lines later
    r = _ledger(tmp_path, rows)
    assert r.balanced and r.rows_in == 20
    # the opening line alone is quarantined; a quote after text is text (as DuckDB reads it), so F13 loads
    assert r.rows_loaded == 19 and list(r.quarantine["row_ref"]) == ["regel 6"]
    assert set(r.quarantine["reason"]) == {"aanhalingsteken niet afgesloten"}
    assert {"F6", "F7", "F12", "F13", "F14", "F20"} <= set(r.frame["row_ref"])
    assert r.frame.set_index("row_ref").loc["F13", "department"] == 'KCC"'



def test_a_real_multi_line_value_still_loads(tmp_path):
    rows = _rows(5)
    rows[2] = 'F3;01-01-2025;Lev 3;;"twee\nregels; met puntkomma";3,00;KCC'
    r = _ledger(tmp_path, rows)
    assert r.balanced and (r.rows_in, r.rows_loaded) == (5, 5)
    assert r.frame.loc[2, "description"] == "twee\nregels; met puntkomma"


def test_a_50_mb_line_after_line_40_is_quarantined_not_lost(tmp_path):
    rows = _rows(60)
    rows[45] = "F46;01-01-2025;Lev;;" + "x" * 50_000_000 + ";1,00;KCC"
    r = _ledger(tmp_path, rows)
    assert r.balanced and r.rows_in == 60 and r.rows_loaded == 59
    q = r.quarantine.iloc[0]
    assert q["row_ref"] == "regel 47" and q["reason"].startswith("regel te lang (50.000.0")
    assert len(q["raw_text"]) < 300  # the start of the line, not 50 MB in the warehouse


def test_a_long_field_in_the_first_40_lines_does_not_fail_the_source(tmp_path):
    rows = _rows(20)
    rows[3] = "F4;01-01-2025;Lev;;" + "y" * 140_000 + ";1,00;KCC"
    r = _ledger(tmp_path, rows)
    assert r.balanced and (r.rows_in, r.rows_loaded) == (20, 20)
    assert len(r.frame.loc[3, "description"]) == 140_000


def test_survey_counts_rows_not_split_answers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "E-mail", "Naam", "Afdeling", "Welke systemen of toepassingen gebruikt u?"])
    for i in range(1, 13):
        systems = "Chatbot; Vertaalhulp" if i <= 3 else ("" if i == 12 else f"Systeem {i}")
        ws.append([i, f"r{i}@gemeente.nl", f"Respondent {i}", "KCC", systems])
    wb.save(tmp_path / "uitvraag.xlsx")
    r = load_source(SourceSpec(id="uitvraag", type="survey", path=tmp_path / "uitvraag.xlsx"))
    assert r.balanced and r.rows_in == 12  # the file's rows
    assert r.rows_loaded == 11 and r.rows_quarantined == 1  # 11 answers loaded, one names no system
    assert len(r.frame) == 14  # 3 answers × 2 systems + 8 answers × 1: the mentions


def test_other_buyers_tenders_are_counted_as_filtered(tmp_path):
    import json

    items = [{"publicatieId": str(i), "aanbestedingNaam": f"Opdracht {i}", "publicatieDatum": "2025-01-02",
              "aanbestedendeDienstNaam": "Gemeente Voorbeeldstad" if i % 3 else "Gemeente Elders"} for i in range(1, 10)]
    path = tmp_path / "tenderned.json"
    path.write_text(json.dumps({"content": items}), encoding="utf-8")
    r = load_source(SourceSpec(id="tn", type="tenderned", path=path, options={"buyer": "Gemeente Voorbeeldstad"}))
    assert r.balanced and (r.rows_in, r.rows_loaded, r.rows_filtered) == (9, 6, 3)


def test_a_stray_nul_byte_keeps_its_row(tmp_path):
    rows = _rows(5)
    rows[1] = "F2;01-01-2025;Lev 2;;omschr\x00ijving;2,00;KCC"
    r = _ledger(tmp_path, rows)
    assert r.balanced and (r.rows_in, r.rows_loaded) == (5, 5)
    assert r.frame.loc[1, "description"] == "omschr\x00ijving"
