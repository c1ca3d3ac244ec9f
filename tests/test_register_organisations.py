"""Organisations by their real codes: the JSON route and the CSV/Excel export route agree."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from connectors import SourceSpec, load_source
from transforms.errors import ConfigError
from transforms.knowledge.organisations import (
    load_inhabitants,
    municipalities,
    municipality_code,
    org_code_for,
    register_slug,
)

# Header of the register's CSV export (as in the 2024 download, plus the later algorithm_id column).
CSV_HEADER = [
    "name", "organization", "description_short", "category", "website", "status", "goal", "proportionality",
    "lawful_basis", "standard_version", "url", "contact_email", "lang", "publiccode", "source_data",
    "methods_and_models", "human_intervention", "risks", "provider", "process_index_url", "tags", "source_id",
    "begin_date", "end_date", "impacttoetsen", "publication_category", "lawful_basis_grouping",
    "impacttoetsen_grouping", "source_data_grouping", "algorithm_id",
]
ORGS = [  # (name, register code, type) as in the site-data organisation_details
    ("Gemeente Aalten", "gemeente-aalten", "gemeente"),
    ("Gemeente 's-Hertogenbosch", "gemeente-s-hertogenbosch", "gemeente"),
    ("Gemeente Súdwest-Fryslân", "gemeente-súdwest-fryslân", "gemeente"),
    ("Gemeente Nuenen, Gerwen en Nederwetten", "gemeente-nuenen-gerwen-en-nederwetten", "gemeente"),
    ("Gemeente Eindhoven", "gm0772", "gemeente"),
    ("Omgevingsdienst Flevoland & Gooi en Vechtstreek", "omgevingsdienst-flevoland--gooi-en-vechtstreek", "overig"),
    ("Veiligheidsregio Noord- en Oost-Gelderland", "veiligheidsregio-noord--en-oost-gelderland", "overig"),
    ("Adviescollege Openbaarheid en Informatiehuishouding (ACOI)", "adviescollege-openbaarheid-en-informatiehuishouding-acoi", "overig"),
]


def _versions() -> list[dict]:
    return [
        {"name": f"Anonimiseren {i}", "organization": name, "description_short": "Tekst", "goal": "Doel",
         "status": "In gebruik", "standard_version": "1.0", "lars": f"{10000000 + i}", "language": "NLD",
         "state": "PUBLISHED", "owner": code, "lang": "nld"}
        for i, (name, code, _t) in enumerate(ORGS)
    ]


def _site_data(path: Path, versions: list[dict], orgs=ORGS) -> Path:
    details = [{"name": n, "language": "NLD", "code": c, "org_id": c, "type": t, "show_page": True} for n, c, t in orgs]
    path.write_text(json.dumps({"algoritme_versions": versions, "organisation_details": details}), encoding="utf-8")
    return path


def _csv_export(path: Path, versions: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_HEADER, quoting=csv.QUOTE_ALL)
        w.writeheader()
        for v in versions:
            w.writerow({k: v.get(k, "") for k in CSV_HEADER} | {"algorithm_id": v["lars"], "standard_version": "1.0.0"})
    return path


def _orgs(frame) -> dict[str, str]:
    return dict(zip(frame["organisation"], frame["org_code"], strict=True))


def test_json_and_csv_routes_give_the_same_organisation_codes(tmp_path):
    versions = _versions()
    js = load_source(SourceSpec(id="nl", type="national_register", path=_site_data(tmp_path / "s.json", versions)))
    cs = load_source(SourceSpec(id="nl", type="national_register", path=_csv_export(tmp_path / "a.csv", versions)))
    assert _orgs(js.frame) == _orgs(cs.frame)
    codes = _orgs(js.frame)
    assert codes["Gemeente Aalten"] == "gm0197"
    assert codes["Gemeente 's-Hertogenbosch"] == "gm0796"
    assert codes["Gemeente Súdwest-Fryslân"] == "gm1900"
    assert codes["Gemeente Nuenen, Gerwen en Nederwetten"] == "gm0820"
    assert codes["Gemeente Eindhoven"] == "gm0772"
    assert codes["Omgevingsdienst Flevoland & Gooi en Vechtstreek"] == "omgevingsdienst-flevoland--gooi-en-vechtstreek"
    assert js.frame["org_code"].nunique() == len(ORGS)


def test_register_slug_matches_the_registers_own_codes():
    for name, code, _t in ORGS:
        if not code.startswith("gm"):
            assert register_slug(name) == code


def test_every_municipality_is_found_by_name_slug_and_code():
    table = municipalities()
    assert len(table) == 342
    for code, name in table.items():
        assert municipality_code(name) == code
        assert municipality_code(register_slug(name)) == code
        assert municipality_code(code.upper()) == code
    assert municipality_code("Provincie Limburg") is None
    assert org_code_for("SED Organisatie (Gemeente Stede Broec, Enkhuizen en Drechterland)") == \
        "sed-organisatie-gemeente-stede-broec-enkhuizen-en-drechterland"
    assert org_code_for("Gemeente Aalten", "gemeente-aalten") == "gm0197"


def test_inhabitants_file_by_code_or_name(tmp_path):
    f = tmp_path / "inw.csv"
    f.write_text("gemeente;inwoners\nGemeente Aalten;27.500\nOnbekend;12\nEindhoven;246.417\n", encoding="utf-8")
    assert load_inhabitants(f) == {"gm0197": 27500, "gm0772": 246417}
    g = tmp_path / "bad.csv"
    g.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="gm_code"):
        load_inhabitants(g)


DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "register-dev" / "site-data-dev.json"


@pytest.mark.skipif(not DEV.exists(), reason="real dev register not available")
def test_dev_register_both_routes_give_169_organisations(tmp_path):
    doc = json.loads(DEV.read_text(encoding="utf-8"))
    js = load_source(SourceSpec(id="nl", type="national_register", path=DEV))
    cs = load_source(SourceSpec(id="nl", type="national_register",
                                path=_csv_export(tmp_path / "dev.csv", doc["algoritme_versions"])))
    assert js.frame["org_code"].nunique() == cs.frame["org_code"].nunique() == 169
    assert _orgs(js.frame) == _orgs(cs.frame)
    gemeenten = [o for o in doc["organisation_details"] if o["type"] == "gemeente"]
    assert all(municipality_code(o["name"]) for o in gemeenten)
    got = set(js.frame["org_code"])
    assert {municipality_code(o["name"]) for o in gemeenten} <= got


def _excel_export(path: Path, versions: list[dict]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "1.0"
    for label, key in (("Naam", "name"), ("Organisatienaam", "organization"), ("Status", "status"),
                       ("Algoritme-ID", "lars")):
        ws.append([label, *[v[key] for v in versions]])
    wb.save(path)
    return path


def test_excel_route_gives_the_same_codes_and_peers_are_found_by_gm_code(tmp_path):
    from transforms.knowledge.kb import build_kb
    from transforms.publish.comparison import compare_with_peers

    versions = _versions()
    js = load_source(SourceSpec(id="nl", type="national_register", path=_site_data(tmp_path / "s.json", versions)))
    xl = load_source(SourceSpec(id="nl", type="national_register", path=_excel_export(tmp_path / "e.xlsx", versions)))
    assert _orgs(js.frame) == _orgs(xl.frame)
    for frame in (js.frame, xl.frame):
        res = compare_with_peers([], None, frame, build_kb(frame), peers=("gm0197", "gm0796", "gm1900"))
        assert {code: p["entries"] for code, p in res["peers"].items()} == {"gm0197": 1, "gm0796": 1, "gm1900": 1}
        assert res["peers"]["gm0796"]["organisation"] == "Gemeente 's-Hertogenbosch"
