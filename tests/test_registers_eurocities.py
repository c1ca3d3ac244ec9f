"""Eurocities Algorithmic Transparency Standard v0.3.1 connector: CSV (semicolon) and YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import SourceSpec, load_source
from transforms.errors import SourceFormatError

HEADER = ("name;description_short;organization;department;contact_email;area;domain;status;goal;impact;"
          "risk_category;lawful_basis;DPIA_description;DPIA_url;AIA_url;standard_version;uuid;lang")


def test_csv_template_layout(tmp_path: Path):
    path = tmp_path / "eindhoven.csv"
    path.write_text(
        HEADER + "\n"
        '"Parkeercontrole";"Scanauto controleert betaald parkeren";"Gemeente Eindhoven";"Parkeren";'
        '"algoritmes@eindhoven.nl";"Eindhoven";"traffic and transportation";"operational";"Betaald parkeren";'
        '"Meer controle";"limited risk";"Gemeentewet";"DPIA uitgevoerd";"https://e.nl/dpia";"";"0.3.1";'
        '"6f1c0b7e-0d7c-4c55-9a43-3f0f4c6b1a11";"nl"\n'
        '"Passport for Work";"Matching van werkzoekenden";"Gemeente Eindhoven";"Werk";"w@eindhoven.nl";"Eindhoven";'
        '"work and career";"pilot";"";"";"high risk";"";"";"";"https://e.nl/iama";"0.3.1";"";"nl"\n'
        ';;;;;;;;;;;;;;;;;\n'
        '"";"naamloos";"Gemeente Eindhoven";;;;;;;;;;;;;;;\n',
        encoding="utf-8",
    )
    result = load_source(SourceSpec(id="eindhoven", type="eurocities_register", path=path))
    f = result.frame
    assert result.rows_in == 3 and len(f) == 2 and len(result.quarantine) == 1
    assert f.iloc[0]["entry_key"] == "eindhoven:6f1c0b7e-0d7c-4c55-9a43-3f0f4c6b1a11"
    assert f.iloc[0]["org_code"] == "gm0772" and f.iloc[0]["status"] == "In gebruik"
    assert f.iloc[0]["categories"] == ["traffic and transportation"]
    assert f.iloc[0]["impact_assessments"] == ["DPIA"] and f.iloc[0]["goal"] == "Betaald parkeren Meer controle"
    assert f.iloc[1]["status"] == "In ontwikkeling" and f.iloc[1]["impact_assessments"] == ["AIIA"]
    assert f.iloc[1]["standard_version"] == "0.3.1"


def test_yaml_list_of_registrations(tmp_path: Path):
    path = tmp_path / "register.yaml"
    path.write_text(
        "registrations:\n"
        "  - name: Chatbot\n"
        "    description_short: Beantwoordt vragen\n"
        "    organization: Gemeente Eindhoven\n"
        "    domain: [generic]\n"
        "    status: operationeel\n"
        "  - name: Sensorregister\n"
        "    organization: Gemeente Eindhoven\n"
        "    status: beëindigd\n",
        encoding="utf-8",
    )
    f = load_source(SourceSpec(id="eindhoven", type="eurocities_register", path=path)).frame
    assert list(f["name"]) == ["Chatbot", "Sensorregister"]
    assert list(f["status"]) == ["In gebruik", "Buiten gebruik"]
    assert f.iloc[0]["categories"] == ["generic"]


def test_csv_without_name_column_is_readable_error(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("titel;omschrijving\na;b\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="x.csv.*name"):
        load_source(SourceSpec(id="eindhoven", type="eurocities_register", path=path))
