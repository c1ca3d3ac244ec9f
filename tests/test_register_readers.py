"""Readers and the validator: performed vs required assessments in Eurocities files (also our own
export read back), the register's site-data download, cp1252/UTF-16/semicolon CSV, Excel-ready CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from connectors import SourceSpec, load_source
from connectors.eurocities import assessment_performed
from pipelines.cli import app
from pipelines.exports import write_csv
from transforms.publish.register import to_eurocities_rows, validate_file

ORG = {"name": "Gemeente Voorbeeldstad", "code": "gm9999", "contact_email": "algoritmes@voorbeeldstad.nl"}
VALID = {"name": "Parkeercontrole scanauto", "description_short": "Controleert betaald parkeren met kentekens.",
         "organization": "Gemeente Voorbeeldstad", "status": "In gebruik", "contact_email": "algoritmes@voorbeeldstad.nl",
         "publication_category": "Impactvolle algoritmes", "lang": "nld", "standard_version": "1.0"}


@pytest.mark.parametrize("text,url,done", [
    ("DPIA verplicht", None, False), ("IAMA niet nodig", None, False), ("DPIA uitgevoerd", None, True),
    ("DPIA uitgevoerd op 12-03-2026", None, True), ("Een DPIA is vereist; de uitvoering is gepland", None, False),
    ("DPIA wordt uitgevoerd", None, False), ("nog niet uitgevoerd", None, False), ("Not required", None, False),
    ("Yes, completed in 2024", None, True), ("<p>Afgerond</p>", None, True), ("n.v.t.", None, False),
    ("", "https://voorbeeldstad.nl/dpia.pdf", True), ("DPIA verplicht", "https://voorbeeldstad.nl/regels", False),
    ("noemt 'voorspel'", None, False), ("", "javascript:alert(1)", False), (None, None, False),
])
def test_assessment_performed(text, url, done):
    assert assessment_performed(text, url) is done


def _eurocities_file(tmp_path: Path, rows: list[dict]) -> Path:
    cols = ["name", "organization", "DPIA_description", "DPIA_url", "AIA_description", "uuid"]
    path = tmp_path / "ec.csv"
    write_csv(pd.DataFrame(rows, columns=cols), path, ";")
    return path


def test_eurocities_reader_tells_required_from_performed(tmp_path):
    path = _eurocities_file(tmp_path, [
        {"name": "A", "organization": "Gemeente Eindhoven", "DPIA_description": "DPIA verplicht", "AIA_description": "IAMA niet nodig", "uuid": "a"},
        {"name": "B", "organization": "Gemeente Eindhoven", "DPIA_description": "DPIA uitgevoerd", "AIA_description": "IAMA uitgevoerd", "uuid": "b"},
        {"name": "C", "organization": "Gemeente Eindhoven", "DPIA_url": "https://e.nl/dpia.pdf", "uuid": "c"},
    ])
    f = load_source(SourceSpec(id="ec", type="eurocities_register", path=path)).frame.set_index("name")
    assert list(f.loc["A", "impact_assessments"]) == []
    assert list(f.loc["B", "impact_assessments"]) == ["DPIA", "AIIA"]
    assert list(f.loc["C", "impact_assessments"]) == ["DPIA"]


def test_our_own_eurocities_export_reads_back_truthfully(tmp_path):
    systems = pd.DataFrame([
        {"system_id": f"AIG-00000{i}", "status": "confirmed", "name": f"Systeem {i}", "description": "x",
         "department": "Burgerzaken", "vendor": "V", "fields_json": json.dumps(f)}
        for i, f in enumerate([{"dpia_status": "uitgevoerd"}, {}, {"iama_status": "afgerond"}, {"dpia_status": "gepland"}], 1)])
    cls = pd.DataFrame([
        {"system_id": f"AIG-00000{i}", "ai_act_class": "high_risk", "dpia_required": True,
         "dpia_reason": "DPIA verplicht: noemt 'voorspel'", "iama_recommended": True, "iama_reason": "IAMA aanbevolen"}
        for i in range(1, 5)])
    path = tmp_path / "ours.csv"
    write_csv(to_eurocities_rows(systems, cls, ORG), path, ";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    f = load_source(SourceSpec(id="ours", type="eurocities_register", path=path)).frame.set_index("name")
    got = {n: sorted(f.loc[n, "impact_assessments"]) for n in f.index}
    assert got == {"Systeem 1": ["DPIA"], "Systeem 2": [], "Systeem 3": ["AIIA"], "Systeem 4": []}


def test_validate_reads_the_registers_site_data_download(tmp_path):
    doc = {"algoritme_versions": [
        VALID | {"lars": "12345678", "create_dt": "2026-04-07T00:00:00", "language": "NLD", "state": "PUBLISHED",
                 "owner": "gemeente-voorbeeldstad", "category": None, "lawful_basis": None},
        {"name": "Oud", "standard_version": "0.1", "lang": "Nederlands", "iama": ""},
    ], "organisation_details": [{"name": "Gemeente Voorbeeldstad", "code": "gemeente-voorbeeldstad"}]}
    path = tmp_path / "site-data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    notes: list[str] = []
    result = validate_file(path, notes)
    assert result == {"#1 Parkeercontrole scanauto (12345678)": []}
    assert notes == ["#2 Oud: standaard 0.1: niet getoetst aan 1.0"]
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 0 and "1 entry valid" in res.output and "not checked" in res.output


@pytest.mark.parametrize("encoding,sep", [("cp1252", ";"), ("utf-16", ","), ("utf-16", ";"), ("utf-8-sig", ";"), ("utf-8", ",")])
def test_validate_reads_csv_in_excel_encodings(tmp_path, encoding, sep):
    row = VALID | {"name": "Sociaal domein – risicoprofiel café", "description_short": "Beoordeelt aanvragen “snel”; € 0"}
    path = tmp_path / "export.csv"
    pd.DataFrame([row]).to_csv(path, index=False, sep=sep, encoding=encoding)
    result = validate_file(path)
    (label, problems), = result.items()
    assert problems == [] and "café" in label and "–" in label


def test_validate_reports_problems_of_a_cp1252_csv(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame([VALID | {"status": "Kapot", "name": "Één"}]).to_csv(path, index=False, sep=";", encoding="cp1252")
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 1 and "Één" in res.output and "Kapot" in res.output and "Traceback" not in res.output


def test_csv_export_has_bom_semicolon_and_safe_cells(tmp_path):
    p = write_csv(pd.DataFrame([{"name": "=HYPERLINK(\"x\")", "bedrag": 1.5}]), tmp_path / "x.csv", ";")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig").splitlines()
    assert text[0] == "name;bedrag" and text[1] == '"\'=HYPERLINK(""x"")";1,5'


# --- properties -----------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from transforms.publish.register_files import decode_text  # noqa: E402

_TEXT = st.text(alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_TEXT.filter(lambda t: t.strip()), min_size=1, max_size=4),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), sep=st.sampled_from([",", ";"]))
def test_csv_in_any_excel_encoding_reads_back_the_same_names(tmp_path, names, encoding, sep):
    path = tmp_path / "x.csv"
    pd.DataFrame([VALID | {"name": n} for n in names]).to_csv(path, index=False, sep=sep, encoding=encoding)
    labels = list(validate_file(path))
    assert labels == [f"#{i} {n}" for i, n in enumerate(names, start=1)]


@given(st.binary(max_size=200))
def test_decode_text_never_fails(data):
    text, encoding = decode_text(data)
    assert isinstance(text, str) and encoding in ("UTF-8", "UTF-16", "Windows-1252")


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=40)))
def test_assessment_performed_is_total(text, url):
    assert assessment_performed(text, url) in (True, False)
