"""``generate``: write a whole synthetic municipality (sources, ground truth, config) into a folder."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.synth.extras import write_config, write_readme, write_review_seed, write_truth_systems
from bench.synth.ledger import write_ledger
from bench.synth.literacy import write_training
from bench.synth.model import write_csv_rows
from bench.synth.registers import write_register
from bench.synth.systems import catalog_for, copies_for, expand_systems, repeats_for
from bench.synth.tenders import write_tenders
from bench.synth.workbooks import write_dpia, write_portfolio, write_survey

__all__ = ["generate", "ORGANISATIONS"]

ORGANISATIONS = {
    "demo": ("Gemeente Voorbeeldstad", "gm9999", "algoritmes@voorbeeldstad.nl", 120000, "voorbeeldstad.nl"),
    "alt": ("Gemeente Andersveen", "gm9998", "algoritmeregister@andersveen.nl", 85000, "andersveen.nl"),
}
_NEIGHBOURS = {
    "demo": ["Gemeente Buurdorp", "Gemeente Rivierstede", "Veiligheidsregio Voorbeeldland"],
    "alt": ["Gemeente Heidedal", "Omgevingsdienst Andersveen-Noord", "Gemeente Kanaaloord"],
}


def _label_kinds(path: Path, systems: list) -> dict:
    """Add ``kind`` to truth/mentions.csv from the catalogue: ``ai`` for an AI system's records,
    ``algorithm`` for a rule-based algorithm's (is_ai 0 with a catalogue system), else empty."""
    import pandas as pd

    kind_of = {s.label: ("ai" if s.is_ai else "algorithm") for s in systems}
    truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    truth["kind"] = truth["system"].map(kind_of).fillna("")
    truth.loc[truth["is_ai"] == "1", "kind"] = "ai"
    truth.to_csv(path, index=False, lineterminator="\n")
    return {k: int(v) for k, v in truth["kind"].value_counts().items() if k}


def generate(out_dir: Path, *, seed: int = 42, scale: float = 1.0, variant: str = "demo") -> dict:
    """Write ``data/``, ``truth/``, ``review_seed.jsonl``, ``aigrip.yaml`` and ``README.md`` into ``out_dir``.

    Deterministic: the same (seed, scale, variant) gives byte-identical files. Returns a summary with the
    file paths and row counts. Raises ValueError for an unknown variant or a non-positive scale.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    catalog = catalog_for(variant)
    name, code, email, inhabitants, domain = ORGANISATIONS[variant]
    org = (name, code, email, round(inhabitants * max(scale, 0.1)))
    out = Path(out_dir)
    data, truth_dir = out / "data", out / "truth"
    data.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    systems = expand_systems(catalog, scale)
    copies = copies_for(scale)
    files = {
        "ledger": data / "crediteuren_2025.csv", "tenders": data / "tenderned_publicaties.json",
        "portfolio": data / "applicatieportfolio.xlsx", "survey": data / "uitvraag_ai_2026.xlsx",
        "dpia": data / "dpia_register.xlsx", "register": data / "algoritmeregister_site_data.json",
        "training": data / "trainingen_lms.xlsx", "headcount": data / "formatie_ai_geletterdheid.csv",
        "truth_mentions": truth_dir / "mentions.csv", "truth_systems": truth_dir / "systems.csv",
        "truth_peers": truth_dir / "peer_entries.csv", "review_seed": out / "review_seed.jsonl",
        "config": out / "aigrip.yaml", "readme": out / "README.md",
    }
    rows: dict[str, int] = {}
    with files["truth_mentions"].open("w", encoding="utf-8", newline="") as fh:
        fh.write("source_key,is_ai,system,notes\n")
        ledger = write_ledger(files["ledger"], fh, catalog, systems, seed=seed, scale=scale,
                              reps=repeats_for(scale, copies))
        tender_truth, rows["tenders"] = write_tenders(files["tenders"], catalog, systems, name,
                                                      _NEIGHBOURS[variant], seed=seed, scale=scale)
        port_truth, rows["portfolio"] = write_portfolio(files["portfolio"], catalog, systems, name, seed=seed,
                                                        scale=scale)
        survey_truth, rows["survey_responses"], people = write_survey(files["survey"], catalog, systems, domain,
                                                                      seed=seed, scale=scale)
        writer = csv.writer(fh, lineterminator="\n")
        for part in (tender_truth, port_truth, survey_truth):
            writer.writerows(part)
    rows["truth_kinds"] = _label_kinds(files["truth_mentions"], systems)
    rows["ledger_lines"] = ledger["lines"]
    rows["ledger_ai_lines"] = ledger["ai_lines"]
    rows["ledger_quarantine_lines"] = ledger["quarantine_lines"]
    rows["survey_answers"] = len(survey_truth)
    rows["dpia"] = write_dpia(files["dpia"], systems, domain, seed=seed, scale=scale)
    rows.update(write_training(files["training"], files["headcount"], systems, catalog.departments, domain,
                               seed=seed, scale=scale))
    peer_truth, rows["register_entries"], rows["peer_orgs"] = write_register(files["register"], systems, seed=seed,
                                                                             scale=scale)
    write_csv_rows(files["truth_peers"], ["entry_key", "is_ai", "product", "org_code"], peer_truth)
    write_truth_systems(files["truth_systems"], systems)
    keys = dict(ledger["keys_by_tag"])
    for part in (port_truth, survey_truth, tender_truth):
        for key, _ai, label, _notes in part:
            if label:
                keys.setdefault(label, []).append(key)
    rows["review_seed"] = write_review_seed(files["review_seed"], systems, keys, email)
    demo_layout = variant == "demo" and scale == 1
    write_config(files["config"], org, "../../var/voorbeeldstad" if demo_layout else "var")
    summary = {"out_dir": str(out), "variant": variant, "seed": seed, "scale": scale,
               "files": {k: str(v) for k, v in files.items()}, "rows": rows, "systems": len(systems),
               "ai_systems": sum(s.is_ai for s in systems), "respondent_identifiers": people}
    write_readme(files["readme"], summary, org, systems)
    return summary
