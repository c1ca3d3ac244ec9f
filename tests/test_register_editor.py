"""The register editor: fields, safe text conversion, templates, the app's editor page, the workbook."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from starlette.testclient import TestClient
from typer.testing import CliRunner

from pipelines.cli import app as cli
from pipelines.config import load_config
from pipelines.review_settings import review_settings
from review.app import create_app
from transforms.publish.fields import EDITOR_FIELDS, check_value, display_value, field_specs, parse_value
from transforms.publish.markup import to_register_html
from transforms.publish.register import standard_fields, validate_entry
from transforms.publish.templates import load_templates, match_templates, template_by_id, template_fields
from warehouse.decision_log import log_path, read_decisions

runner = CliRunner()


# --- fields and text ---------------------------------------------------------------------------

def test_every_field_of_the_standard_an_organisation_writes_is_editable():
    automatic = {"organization", "lang", "standard_version", "source_id", "lars", "publication_dt"}
    assert set(EDITOR_FIELDS) == set(standard_fields()) - automatic
    for spec in field_specs():
        assert spec["label"] and spec["help"], spec["key"]
    kinds = {s["key"]: s["kind"] for s in field_specs()}
    assert kinds["lawful_basis_grouping"] == "grouping" and kinds["category"] == "themes"
    assert kinds["status"] == "choice" and kinds["begin_date"] == "month" and kinds["risks"] == "longtext"


def test_values_are_read_and_checked_with_dutch_messages():
    assert parse_value("begin_date", "maart 2024") == "2024-03" and parse_value("begin_date", "2024-03-17") == "2024-03"
    assert parse_value("status", "in gebruik") == "In gebruik"
    assert parse_value("category", "Werk; Wonen") == ["Werk", "Wonen"]
    assert parse_value("lawful_basis_grouping", "Participatiewet, https://wetten.overheid.nl/BWBR0015703/") == [
        {"title": "Participatiewet", "link": "https://wetten.overheid.nl/BWBR0015703/"}]
    assert check_value("name", "x" * 101) == ["Naam is 101 tekens; maximaal 100. Maak de tekst korter."]
    assert "verplicht" in check_value("name", "")[0]
    assert "geen thema" in check_value("category", ["Financiën"])[0]
    assert "https://" in check_value("website", "www.voorbeeldstad.nl")[0]
    assert "e-mailadres" in check_value("contact_email", "bel ons")[0]
    with pytest.raises(ValueError, match="geen maand"):
        parse_value("begin_date", "ooit")


def test_html_from_a_template_is_converted_once_and_markdown_becomes_the_register_html():
    pasted = '<div><h2>Kop</h2><p>Wet &amp; recht <b>vet</b></p><script>alert(1)</script><a href="https://x.nl">x</a></div>'
    html = to_register_html(pasted)
    assert "&amp;amp;" not in html and "Wet &amp; recht vet" in html and "script" not in html and "<b>" not in html
    assert validate_entry({"name": "n", "description_short": "d", "organization": "o", "status": "In gebruik",
                           "contact_email": "a@b.nl", "publication_category": "Overige algoritmes", "lang": "nld",
                           "goal": html}) == []
    assert to_register_html("a < b & c\n\n- een\n- twee") == ("<p>a &lt; b &amp; c</p>\n<ul>\n<li>een</li>\n"
                                                              "<li>twee</li>\n</ul>")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_register_html_is_idempotent_safe_and_round_trips_through_the_form(text):
    html = to_register_html(text)
    assert to_register_html(html) == html
    assert not re.search(r"<(?!/?(p|div|br|ul|ol|li)\b)[a-zA-Z]", html)
    assert parse_value("risks", display_value("risks", html) or None) == (html or None)


# --- templates ---------------------------------------------------------------------------------

def test_templates_are_bundled_with_attribution_and_matched_by_vendor_and_product():
    templates = load_templates()
    assert len(templates) >= 25 and {"Centric", "PinkRoccade", "Brickyard"} <= {t["supplier"] for t in templates}
    assert (Path(__file__).resolve().parents[1] / "transforms" / "data" / "templates_1_0" / "ATTRIBUTION.md").exists()
    best = match_templates({"name": "Key2Waarderen", "vendor": "Centric Netherlands B.V.", "department": "Belastingen"})[0]
    assert best["template"]["name"] == "Belastingen: WOZ taxatiemodellen" and "zelfde leverancier" in best["reason"]
    assert match_templates({"name": "Zaaksysteem", "vendor": "Onbekend B.V.", "department": "Vastgoed"}) == []
    fields = template_fields(template_by_id("centric-belastingen-woz"))
    assert fields["lawful_basis_grouping"][0]["link"].startswith("https://wetten.overheid.nl/")
    assert "status" not in fields and fields["methods_and_models"].startswith("<div><p>")


# --- the app -----------------------------------------------------------------------------------

@pytest.fixture()
def demo_copy(demo_run, tmp_path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(demo_run.parent, target, ignore=shutil.ignore_patterns("*.lock", "logs"))
    return target / "aigrip.yaml"


def _client(cfg_path: Path, username: str, password: str) -> TestClient:
    client = TestClient(create_app(review_settings(load_config(cfg_path))), base_url="http://127.0.0.1")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    res = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
                      follow_redirects=False)
    assert res.status_code == 303
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_editor_page_shows_every_field_with_its_rules_and_the_matching_template(demo_copy):
    client = _client(demo_copy, "redacteur", "voorbeeldstad-redacteur")
    page = client.get("/systemen/AIG-000020/register")
    assert page.status_code == 200
    for spec in field_specs():
        assert spec["label"] in page.text, spec["key"]
    assert "Sjabloon van Centric: ‘Burgerzaken: Module Inzicht’" in page.text
    assert 'name="lawful_basis_grouping.title"' in page.text and "Regel toevoegen" in page.text
    assert "Hoog-risico AI-systeem" in page.text and "Sociale zekerheid" in page.text
    assert "Alleen een goedkeurder publiceert" in page.text  # redacteur is no approver
    assert '<script src="/static/editor.js"' in page.text and client.get("/static/editor.js").status_code == 200


def test_the_editor_saves_changes_as_decisions_and_refuses_bad_values_in_dutch(demo_copy):
    client = _client(demo_copy, "redacteur", "voorbeeldstad-redacteur")
    data_dir = load_config(demo_copy).data_dir
    before = len(read_decisions(log_path(data_dir)))
    page = client.get("/systemen/AIG-000003/register")
    res = client.post("/systemen/AIG-000003/register", data={"csrf_token": _token(page.text), "begin_date": "2024-13"})
    assert res.status_code == 422 and "geen bestaande maand" in res.text and len(read_decisions(log_path(data_dir))) == before
    res = client.post("/systemen/AIG-000003/register", data={
        "csrf_token": _token(page.text), "risks": "Nieuw: **toets** op <onderscheid>\n\n- maatregel",
        "lawful_basis_grouping.title": ["Participatiewet", "Awb"],
        "lawful_basis_grouping.link": ["https://wetten.overheid.nl/BWBR0015703/", "https://wetten.overheid.nl/BWBR0005537/"],
    }, follow_redirects=True)
    assert res.status_code == 200 and "Registertekst opgeslagen" in res.text
    event = read_decisions(log_path(data_dir))[-1]
    assert event["action"] == "edit" and event["reviewer"] == "redacteur" and event["system_id"] == "AIG-000003"
    assert event["fields"]["risks"] == "<p>Nieuw: toets op &lt;onderscheid&gt;</p>\n<ul>\n<li>maatregel</li>\n</ul>"
    assert [i["title"] for i in event["fields"]["lawful_basis_grouping"]] == ["Participatiewet", "Awb"]
    assert set(event["fields"]) == {"risks", "lawful_basis_grouping"}  # unchanged fields are not saved


def test_template_fill_and_the_publication_steps_in_the_app(demo_copy):
    data_dir = load_config(demo_copy).data_dir
    runner.invoke(cli, ["review", "decide", "AIG-000020", "--action", "confirm", "--reviewer", "fg",
                        "--config", str(demo_copy)])
    editor = _client(demo_copy, "redacteur", "voorbeeldstad-redacteur")
    page = editor.get("/systemen/AIG-000020/register")
    res = editor.post("/systemen/AIG-000020/register/sjabloon", data={
        "csrf_token": _token(page.text), "template_id": "centric-module-inzicht"}, follow_redirects=True)
    assert "lege velden ingevuld" in res.text and "uit sjabloon" in res.text
    event = read_decisions(log_path(data_dir))[-1]
    assert event["fields"]["template_id"] == "centric-module-inzicht" and "name" not in event["fields"]
    assert event["reason"] == "Sjabloon van Centric: 'Burgerzaken: Module Inzicht'"
    res = editor.post("/systemen/AIG-000020/register/stap", data={"csrf_token": _token(res.text), "action": "publish"},
                      follow_redirects=True)
    assert "goedkeurder" in res.text and read_decisions(log_path(data_dir))[-1]["action"] == "edit"
    res = editor.post("/systemen/AIG-000020/register/stap", data={"csrf_token": _token(res.text), "action": "release"},
                      follow_redirects=True)
    assert "Vrijgeven opgeslagen" in res.text, res.text[:3000]
    released = read_decisions(log_path(data_dir))[-1]
    assert released["action"] == "release" and released["fields"]["entry_hash"]
    approver = _client(demo_copy, "fg", "voorbeeldstad-privacy")
    page = approver.get("/systemen/AIG-000020/register")
    res = approver.post("/systemen/AIG-000020/register/stap", data={"csrf_token": _token(page.text), "action": "publish"},
                        follow_redirects=True)
    assert "Publiceren opgeslagen" in res.text
    assert read_decisions(log_path(data_dir))[-1]["fields"]["entry_hash"] == released["fields"]["entry_hash"]


# --- the workbook ------------------------------------------------------------------------------

def test_xlsx_round_trip_shows_differences_saves_edits_and_reports_bad_cells(demo_copy, tmp_path):
    cfg = str(demo_copy)
    res = runner.invoke(cli, ["export", "--format", "register-xlsx", "--out", str(tmp_path / "x"), "--config", cfg])
    assert res.exit_code == 0, res.output
    path = tmp_path / "x" / "register.xlsx"
    res = runner.invoke(cli, ["import", "register", str(path), "--reviewer", "redacteur", "--config", cfg])
    assert res.exit_code == 0 and "geen wijzigingen" in res.output  # unchanged: nothing to do
    wb = load_workbook(path)
    ws = wb["Register"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Bron-ID", "Publicatiestatus", "Naam"] and "Wettelijke basis" in header
    assert "Toelichting" in wb.sheetnames
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "AIG-000018")
    ws.cell(row, header.index("Menselijke tussenkomst") + 1).value = "Een handhaver kijkt altijd.\n\n- ook 's nachts"
    ws.cell(row, header.index("Thema") + 1).value = "Verkeer, Economie"
    ws.cell(row, header.index("Zoektermen") + 1).value = "'=parkeren"  # neutralised text as Excel keeps it
    wb.save(tmp_path / "edited.xlsx")
    res = runner.invoke(cli, ["import", "register", str(tmp_path / "edited.xlsx"), "--reviewer", "redacteur",
                              "--dry-run", "--config", cfg])
    assert res.exit_code == 0 and "Menselijke tussenkomst" in res.output and "niets opgeslagen" in res.output
    data_dir = load_config(demo_copy).data_dir
    before = len(read_decisions(log_path(data_dir)))
    res = runner.invoke(cli, ["import", "register", str(tmp_path / "edited.xlsx"), "--reviewer", "redacteur", "--config", cfg])
    assert res.exit_code == 0 and "1 bewerkbesluit" in res.output, res.output
    events = read_decisions(log_path(data_dir))
    assert len(events) == before + 1
    fields = events[-1]["fields"]
    assert fields["category"] == ["Verkeer", "Economie"] and fields["tags"] == "<p>=parkeren</p>"
    assert fields["human_intervention"].startswith("<p>Een handhaver kijkt altijd.</p>")
    ws.cell(row, header.index("Begindatum") + 1).value = "2020-13"
    ws.cell(row, header.index("Naam") + 1).value = "x" * 120
    ws.cell(1, len(header) + 1).value = "Onzin"
    wb.save(tmp_path / "bad.xlsx")
    res = runner.invoke(cli, ["import", "register", str(tmp_path / "bad.xlsx"), "--reviewer", "redacteur", "--config", cfg])
    assert res.exit_code == 1 and "er is niets opgeslagen" in res.output
    assert f"blad Register, rij {row}, Begindatum" in res.output and f"blad Register, rij {row}, Naam" in res.output
    assert "kolom 'Onzin': onbekend veld" in res.output and "Traceback" not in res.output
    assert len(read_decisions(log_path(data_dir))) == before + 1
    (tmp_path / "kapot.xlsx").write_bytes(b"geen excel")
    res = runner.invoke(cli, ["import", "register", str(tmp_path / "kapot.xlsx"), "--reviewer", "redacteur", "--config", cfg])
    assert res.exit_code == 1 and "geen leesbaar Excel-bestand" in res.output


def test_cli_edit_accepts_every_standard_key(demo_copy):
    cfg = str(demo_copy)
    args = ["review", "decide", "AIG-000006", "--action", "edit", "--reviewer", "redacteur", "--config", cfg]
    res = runner.invoke(cli, [*args, "--field", "lawful_basis=Wet WOZ, artikel 17", "--field", "status=Buiten gebruik",
                              "--field", "end_date=2026-10", "--field", "publiccode=https://github.com/voorbeeldstad/woz"])
    assert res.exit_code == 0, res.output
    fields = read_decisions(log_path(load_config(demo_copy).data_dir))[-1]["fields"]
    assert fields == {"lawful_basis": "<p>Wet WOZ, artikel 17</p>", "status_register": "Buiten gebruik",
                      "end_date": "2026-10", "publiccode": "https://github.com/voorbeeldstad/woz"}
    res = runner.invoke(cli, [*args, "--field", "begin_date=morgen"])
    assert res.exit_code == 1 and "geen maand" in res.output
    res = runner.invoke(cli, [*args, "--template", "centric-belastingen-woz"])
    assert res.exit_code == 1 and "al ingevuld" in res.output
    assert json.dumps(fields)


def test_the_system_page_shows_the_publication_state_and_links_to_the_editor(demo_copy):
    client = _client(demo_copy, "fg", "voorbeeldstad-privacy")
    page = client.get("/systemen/AIG-000003")
    assert "Publicatie: <strong>Gepubliceerd</strong> (versie 1)" in page.text
    assert 'href="/systemen/AIG-000003/register"' in page.text
    page = client.get("/systemen/AIG-000003/register")
    assert "Deze versie is gepubliceerd." in page.text  # nothing to release or publish
