"""Tests of the synthetic municipality generator ``bench.synth`` and the committed demo."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from bench.synth import generate
from bench.synth.__main__ import main as synth_main
from bench.synth.registers import CONTENT_KEYS
from bench.synth.workbooks import RESPONDENT_SURNAMES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "voorbeeldstad"
LEDGER_HEADER = ("Boekstuk;Boekdatum;Crediteurnummer;Crediteurnaam;KvK-nummer;Factuuromschrijving;"
                 "Bedrag incl. btw;Kostenplaats")
SURVEY_SPLIT = re.compile(r"\n|;|,| en ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, seed=42, scale=1, variant="demo")


@pytest.fixture(scope="module")
def alt(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("alt")
    return out, generate(out, seed=7, scale=1, variant="alt")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / "mentions.csv", dtype=str, keep_default_na=False)


def _record_keys(folder: Path) -> list[str]:
    """Every source_key the connectors would derive from the generated files, read independently."""
    keys = []
    text = (folder / "data" / "crediteuren_2025.csv").read_bytes().decode("cp1252")
    for line in text.split("\r\n")[1:]:
        if line:
            keys.append("crediteuren_2025:" + line.split(";")[0])
    page = json.loads((folder / "data" / "tenderned_publicaties.json").read_text(encoding="utf-8"))
    keys += [f"tenderned:{item['publicatieId']}" for item in page["content"]]
    ws = openpyxl.load_workbook(folder / "data" / "applicatieportfolio.xlsx")["Applicaties"]
    keys += [f"portfolio:{row[0]}" for row in list(ws.iter_rows(values_only=True))[3:]]
    ws = openpyxl.load_workbook(folder / "data" / "uitvraag_ai_2026.xlsx")["Sheet1"]
    for row in list(ws.iter_rows(values_only=True))[1:]:
        parts = [p.strip() for p in SURVEY_SPLIT.split(row[6]) if p.strip()]
        keys += [f"uitvraag_2026:{row[0]}-{k}" for k in range(1, len(parts) + 1)]
    return keys


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=3, scale=0.3, variant="alt")
    b = generate(tmp_path / "b", seed=3, scale=0.3, variant="alt")
    assert a["rows"] == b["rows"]
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    c = generate(tmp_path / "c", seed=4, scale=0.3, variant="alt")
    assert c["rows"]["ledger_lines"] == a["rows"]["ledger_lines"]
    assert _files(tmp_path / "c")["data/crediteuren_2025.csv"] != _files(tmp_path / "a")["data/crediteuren_2025.csv"]


def test_committed_demo_equals_fresh_generation(demo) -> None:
    out, _ = demo
    committed, fresh = _files(DEMO), _files(out)
    assert sorted(committed) == sorted(fresh), "regenerate: python -m bench.synth --out examples/voorbeeldstad"
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert not changed, f"hand-edited or stale demo files: {changed}"
    assert sum(len(b) for b in committed.values()) < 3 * 1024 * 1024


def test_ledger_is_cp1252_crlf_dutch_format(demo) -> None:
    out, summary = demo
    raw = (out / "data" / "crediteuren_2025.csv").read_bytes()
    text = raw.decode("cp1252")
    assert text.encode("cp1252") == raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "€" in text and ("“" in text or "„" in text or "‘" in text)
    lines = text.split("\r\n")
    assert lines[0] == LEDGER_HEADER and lines[-1] == "" and "\n" not in text.replace("\r\n", "")
    rows = [line.split(";") for line in lines[1:-1]]
    assert len(rows) == summary["rows"]["ledger_lines"] == 5000
    assert sum(r == LEDGER_HEADER.split(";") for r in rows) == 1
    good = [r for r in rows if len(r) == 8 and r[0] != "Boekstuk"]
    assert len(good) == len(rows) - 2
    assert len({r[0] for r in rows}) == len(rows)
    amount = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}$")
    assert sum(not amount.match(r[6]) for r in good) == 1  # the n.v.t. line
    assert any(r[6].startswith("-") for r in good)
    assert sum(r[1] == "31-02-2025" for r in good) == 1
    assert all(re.match(r"^\d{2}-\d{2}-2025$", r[1]) for r in good)
    kvks = [r[4] for r in good if r[4]]
    assert all(re.fullmatch(r"\d{8}", k) for k in kvks) and any(k.startswith("0") for k in kvks)
    assert any(r[4] == "" for r in good)
    suppliers = {r[3] for r in good}
    assert 400 <= len(suppliers) <= 900
    assert {"Centric Netherlands B.V.", "CENTRIC NETHERLANDS BV"} <= suppliers


def test_truth_keys_unique_and_cover_every_record(demo, alt) -> None:
    for out, _ in (demo, alt):
        truth = _truth(out)
        assert truth["source_key"].is_unique
        assert set(truth["is_ai"]) <= {"0", "1"}
        assert sorted(truth["source_key"]) == sorted(_record_keys(out))
        quarantined = truth[truth["notes"].str.startswith("quarantine")]
        assert len(quarantined) == 4 and "crediteuren_2025:Boekstuk" in set(quarantined["source_key"])
        systems = pd.read_csv(out / "truth" / "systems.csv", dtype=str, keep_default_na=False)
        labelled = set(truth.loc[truth["system"] != "", "system"])
        assert labelled == set(systems["label"]), "every system has mentions and every label is a system"
        ai_labels = set(systems.loc[systems["is_ai"] == "1", "label"])
        assert set(truth.loc[truth["is_ai"] == "1", "system"]) == ai_labels
        assert set(systems["ai_act_class"]) <= {"prohibited", "high_risk", "transparency", "minimal", "not_ai"}
        assert (systems.loc[systems["ai_act_class"] == "high_risk", "annex_iii_area"] != "").all()


def test_demo_content_counts(demo) -> None:
    out, summary = demo
    rows = summary["rows"]
    assert 12 <= summary["ai_systems"] <= 18 and summary["systems"] > summary["ai_systems"]
    assert 30 <= rows["ledger_ai_lines"] <= 50
    assert rows["tenders"] == 200 and rows["portfolio"] == 350 and rows["survey_responses"] == 60
    truth = _truth(out)
    portfolio_ai = truth[truth["source_key"].str.startswith("portfolio:") & (truth["system"] != "")]
    assert 18 <= len(portfolio_ai) <= 30
    decoys = truth[truth["notes"].str.startswith("decoy")]
    assert len(decoys) >= 6
    wb = openpyxl.load_workbook(out / "data" / "dpia_register.xlsx")
    dpia = list(wb["DPIA's"].iter_rows(values_only=True))
    assert dpia[0] == ("Verwerking", "Status", "Datum", "Uitkomst", "Link") and 15 <= len(dpia) - 1 <= 30
    assert all(hasattr(r[2], "year") for r in dpia[1:])


def test_tenderned_page_shape(demo) -> None:
    out, _ = demo
    page = json.loads((out / "data" / "tenderned_publicaties.json").read_text(encoding="utf-8"))
    n = len(page["content"])
    assert page["totalElements"] == page["size"] == page["numberOfElements"] == n
    assert page["first"] is page["last"] is True and page["totalPages"] == 1 and page["number"] == 0
    item = page["content"][0]
    for key in ("publicatieId", "publicatieDatum", "typePublicatie", "aanbestedingNaam", "opdrachtgeverNaam",
                "opdrachtBeschrijving", "kenmerk", "cpvCodes", "typeOpdracht", "procedure", "link"):
        assert key in item
    assert all(re.fullmatch(r"\d+", i["publicatieId"]) for i in page["content"])
    assert all(re.fullmatch(r"\d{8}-\d", c["code"]) for i in page["content"] for c in i["cpvCodes"])
    titles = [i["aanbestedingNaam"] for i in page["content"]]
    assert "Aanbesteding spraakherkenning en automatische verslaglegging raadsvergaderingen" in titles
    buyers = {i["opdrachtgeverNaam"] for i in page["content"]}
    assert "Gemeente Voorbeeldstad" in buyers and len(buyers) > 1


def test_register_dump_shape(demo) -> None:
    out, summary = demo
    dump = json.loads((out / "data" / "algoritmeregister_site_data.json").read_text(encoding="utf-8"))
    records = dump["algoritme_versions"]
    assert len(records) == 300 and summary["rows"]["peer_orgs"] == 40
    for rec in records:
        assert set(CONTENT_KEYS) <= set(rec)
        assert len(rec["lars"]) == 8 and rec["state"] == "PUBLISHED" and rec["language"] == "NLD"
    versions = {r["standard_version"] for r in records}
    assert versions == {"1.0", "0.4", "0.1"}
    v10 = [r for r in records if r["standard_version"] == "1.0"]
    assert all(r["publication_category"] in {"Hoog-risico AI-systeem", "Impactvolle algoritmes",
                                             "Overige algoritmes"} for r in v10)
    assert all(r["goal"].startswith("<div>") for r in v10)
    v04 = [r for r in records if r["standard_version"] == "0.4"]
    assert all(set(r["impacttoetsen"]) <= {"DPIA", "IAMA"} and r["publication_category"] is None for r in v04)
    orgs = {o["org_id"]: o for o in dump["organisation_details"]}
    assert {"gm0772", "gm0363"} <= set(orgs)
    assert set(orgs["gm0772"]) == {"name", "language", "code", "org_id", "type", "show_page", "about",
                                   "contact_info"}
    peers = pd.read_csv(out / "truth" / "peer_entries.csv", dtype=str, keep_default_na=False)
    octobox = peers[peers["product"] == "woo_anonimiseren"]
    names = {r["name"] for r in records if f"landelijk_register:{r['lars']}" in set(octobox["entry_key"])}
    assert octobox["org_code"].nunique() >= 3 and len(names) >= 2


def test_review_seed_and_config(demo) -> None:
    out, _ = demo
    events = [json.loads(line) for line in (out / "review_seed.jsonl").read_text(encoding="utf-8").splitlines()]
    actions = [e["action"] for e in events]
    assert actions.count("confirm") == 8 and actions.count("reject") == 3
    truth = _truth(out).set_index("source_key")
    for e in events:
        assert e["system_id"] is None and e["source_keys"]
        assert set(e) >= {"event_id", "at", "reviewer", "action", "fields", "reason"}
        flags = {truth.loc[k, "is_ai"] for k in e["source_keys"]}
        assert flags == ({"0"} if e["action"] == "reject" else {"1"})  # register work: confirmed systems only
    register = [e for e in events if e["action"] in ("edit", "release", "publish")]
    assert {e["action"] for e in register} == {"edit", "release", "publish"}
    assert {e["reviewer"] for e in register if e["action"] == "publish"} == {"fg"}
    assert {e["reviewer"] for e in register if e["action"] == "release"} == {"redacteur"}
    config = yaml.safe_load((out / "aigrip.yaml").read_text(encoding="utf-8"))
    assert config["organisation"]["code"] == "gm9999" and config["data_dir"] == "../../var/voorbeeldstad"
    for source in config["sources"]:
        assert (out / source["path"]).is_file()
    assert (out / config["review_seed"]).is_file()


def test_alt_variant_uses_other_products(demo, alt) -> None:
    def products(folder: Path) -> set[str]:
        systems = pd.read_csv(folder / "truth" / "systems.csv", dtype=str, keep_default_na=False)
        ai = systems[systems["is_ai"] == "1"]
        return {_fold(n) for n in ai["name"]} | {_fold(v) for v in ai["vendor"]}

    demo_products, alt_products = products(demo[0]), products(alt[0])
    assert len(demo_products & alt_products) / len(demo_products) < 0.3
    alt_ledger = (alt[0] / "data" / "crediteuren_2025.csv").read_bytes().decode("cp1252")
    assert "Octobox" not in alt_ledger and "Copilot" not in alt_ledger


def test_respondent_identities_only_in_survey(demo, alt) -> None:
    for (out, summary) in (demo, alt):
        people = summary["respondent_identifiers"]
        assert people and any("@" in p for p in people)
        needles = [_fold(p) for p in people] + [_fold(s) for s in RESPONDENT_SURNAMES]
        for path in sorted(out.rglob("*")):
            if not path.is_file() or path.name == "uitvraag_ai_2026.xlsx":
                continue
            if path.suffix == ".xlsx":
                wb = openpyxl.load_workbook(path)
                text = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v)
            else:
                text = path.read_bytes().decode("cp1252" if path.suffix == ".csv" and "data" in path.parts
                                               else "utf-8")
            folded = _fold(text)
            leaked = [n for n in needles if n in folded]
            assert not leaked, f"{path.name} contains respondent data {leaked[:3]}"


def test_scale_adds_systems_and_near_duplicates(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=1, scale=4, variant="demo")
    assert summary["rows"]["ledger_lines"] == 20000 and summary["rows"]["tenders"] == 800
    systems = pd.read_csv(tmp_path / "truth" / "systems.csv", dtype=str, keep_default_na=False)
    assert len(systems) == 2 * 18 and systems["label"].is_unique
    octobox = systems[systems["vendor"] == "Octobox Nederland B.V."]
    assert len(octobox) == 2 and octobox["department"].nunique() == 2
    truth = _truth(tmp_path)
    assert truth["source_key"].is_unique and len(truth) == len(_record_keys(tmp_path))
    config = yaml.safe_load((tmp_path / "aigrip.yaml").read_text(encoding="utf-8"))
    assert config["data_dir"] == "var"


def test_cli_and_bad_arguments(tmp_path: Path, capsys) -> None:
    assert synth_main(["--out", str(tmp_path), "--scale", "0.1", "--variant", "alt", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["variant"] == "alt" and "respondent_identifiers" not in summary and summary["seconds"] >= 0
    with pytest.raises(ValueError, match="unknown variant"):
        generate(tmp_path / "x", variant="nope")
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path / "y", scale=0)
