"""Small generated files: ground-truth systems, the seeded decision log, aigrip.yaml and the README."""

from __future__ import annotations

import json
from pathlib import Path

from bench.synth.model import AISystem, write_csv_rows
from bench.synth.register_seed import register_events

__all__ = ["write_truth_systems", "write_review_seed", "write_config", "write_readme", "Organisation"]

Organisation = tuple[str, str, str, int]  # name, CBS code, contact e-mail, inhabitants


def write_truth_systems(path: Path, systems: list[AISystem]) -> None:
    """``truth/systems.csv``: one row per real-world system with its expected classification."""
    rows = [[s.label, s.name, s.vendor, s.department, int(s.is_ai), s.ai_act_class, s.annex_area,
             s.publication_category, int(s.dpia_required)] for s in systems]
    write_csv_rows(path, ["label", "name", "vendor", "department", "is_ai", "ai_act_class", "annex_iii_area",
                          "publication_category", "dpia_required"], rows)


def write_review_seed(path: Path, systems: list[AISystem], keys: dict[str, list[str]], contact: str) -> int:
    """A decision log in which a reviewer confirmed ~8 AI systems and rejected ~3 flagged decoys.

    Decisions name source_keys (system ids do not exist before the first run)."""
    events: list[dict] = []

    def add(action: str, reviewer: str, source_keys: list[str], fields: dict, reason: str) -> None:
        n = len(events) + 1
        # spread over May–October 2026, so a demo backfill (aigrip run --history 6) shows the inventory grow
        month, day = 5 + (n - 1) // 2, 12 + n
        events.append({"event_id": f"seed-{n:04d}", "at": f"2026-{month:02d}-{day:02d}T09:{10 + 2 * n:02d}:00+00:00",
                       "reviewer": reviewer, "action": action, "system_id": None, "source_keys": source_keys,
                       "fields": fields, "reason": reason})

    confirmed = [s for s in systems if s.is_ai and keys.get(s.label)][:8]
    for s in confirmed:
        add("confirm", "privacy officer (demo)", keys[s.label][:3],
            {"owner": f"Afdeling {s.department}", "contact_email": contact, "goal": s.goal,
             "status_register": "In gebruik"},
            f"Bevestigd als AI-systeem: {s.name} van {s.vendor.rstrip('.')}.")
    decoys = [tag for tag in keys if tag.startswith("decoy:")][:3]
    for tag in decoys:
        add("reject", "CISO (demo)", keys[tag][:1], {},
            f"Geen AI-systeem: {tag.removeprefix('decoy:')} levert geen toepassing met AI.")
    events += register_events([s.label for s in confirmed], keys, len(events) + 1)  # the register editors' work
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    return len(events)


def write_config(path: Path, org: Organisation, data_dir: str) -> None:
    """``aigrip.yaml`` pointing at the generated files."""
    name, code, email, inhabitants = org
    path.write_text(
        f"organisation: {{name: {name}, code: {code}, contact_email: {email}, inhabitants: {inhabitants}}}\n"
        f"data_dir: {data_dir}\n"
        "review_seed: review_seed.jsonl\n"
        "sources:\n"
        "  - {id: crediteuren_2025, type: spend_ledger, path: data/crediteuren_2025.csv}\n"
        f"  - {{id: tenderned, type: tenderned, path: data/tenderned_publicaties.json, buyer: {name}}}\n"
        "  - {id: portfolio, type: application_portfolio, path: data/applicatieportfolio.xlsx}\n"
        "  - {id: uitvraag_2026, type: survey, path: data/uitvraag_ai_2026.xlsx}\n"
        "  - {id: dpia_register, type: dpia_register, path: data/dpia_register.xlsx}\n"
        "  - {id: landelijk_register, type: national_register, path: data/algoritmeregister_site_data.json}\n"
        "  - {id: lms_trainingen, type: training_register, path: data/trainingen_lms.xlsx}\n"
        "  - {id: formatie, type: headcount, path: data/formatie_ai_geletterdheid.csv}\n"
        "literacy: {required_roles: [Eigenaar AI-systeem, Gebruiker AI-systeem, Beoordelaar algoritmes]}\n"
        + _REVIEWERS,
        encoding="utf-8")


# The demo's reviewers (passwords in the demo's README; never use these outside the demo): an editor
# who writes and releases register entries, and the privacy officer who approves and publishes them.
_REVIEWERS = (
    "reviewers:\n"
    "  - {username: redacteur, name: Rik de Redacteur, roles: [editor],\n"
    "     password_hash: \"scrypt$16384$8$1$7Mi2d7LZJTQ3509aC/uJFA==$2n2V6wBqDG3yB0PsjMSNe2ZlRyyNSAc7sAdZzAqHZXk=\"}\n"
    "  - {username: fg, name: Fatima de Functionaris Gegevensbescherming, roles: [approver, editor],\n"
    "     password_hash: \"scrypt$16384$8$1$k1ubxcRQa+BuaPD2znMCTQ==$3x7zekEUrBRAevxfE5/IYCSUDa17lYJnhV3qZhUYy9g=\"}\n"
)


_README = """# {name} (generated {variant} municipality)

{name} (CBS code {code}, about {inhabitants:,} inhabitants) is a fictional Dutch municipality generated
by `bench.synth`. It has {n_ai} AI systems, {n_alg} impactful algorithms that are not AI, and decoys that
look like AI but are not (an AI-literacy course, air-conditioning maintenance, a cleaning company whose
name starts with "Ai", the municipal archive...). Every file is synthetic: no real persons, invoices or
tenders. Do not edit these files by hand: a test checks that they equal a fresh generation.

Generated with:

    {command}

| file | what it is | rows |
|---|---|---|
| `aigrip.yaml` | the configuration: organisation, the eight sources, the roles that must be AI-literate, and two reviewers (`redacteur`, password `voorbeeldstad-redacteur`, role editor; `fg`, password `voorbeeldstad-privacy`, roles approver and editor; demo only) | |
| `data/crediteuren_2025.csv` | purchase ledger export: `;`-separated, cp1252, CRLF, Dutch amounts and dates; contains deliberately bad lines (amount `n.v.t.`, date `31-02-2025`, a repeated header, too few fields) | {ledger} |
| `data/tenderned_publicaties.json` | TenderNed TNS API list page (`content`, `totalElements`, ...) | {tenders} |
| `data/applicatieportfolio.xlsx` | application portfolio, sheet `Applicaties`, title line and blank line above the header | {portfolio} |
| `data/uitvraag_ai_2026.xlsx` | Microsoft Forms export of the departments' survey (sheet `Sheet1`); respondents' names and e-mails are fictional and must never reach any output | {survey} responses |
| `data/dpia_register.xlsx` | the privacy officer's DPIA register (sheet `DPIA's`) | {dpia} |
| `data/algoritmeregister_site_data.json` | national Algoritmeregister site-data dump of {orgs} other municipalities (standards 1.0, 0.4, 0.1) | {register} |
| `data/trainingen_lms.xlsx` | learning-platform (LMS) export, sheet `Export`: who completed which course when; names and e-mails are fictional and are never stored (pseudonymised on reading); one impossible date and one row without a person | {training} |
| `data/formatie_ai_geletterdheid.csv` | headcount per department and the roles that must be AI-literate (`;`-separated, UTF-8) | {headcount} |
| `review_seed.jsonl` | decisions reviewers already took (confirm / reject), and the register editors' work on the confirmed systems (fill from a supplier template, edit, release by `redacteur`, publish by `fg`), naming source keys | {decisions} |
| `truth/mentions.csv` | ground truth per source record: `source_key,is_ai,system,notes,kind` (kind: `ai`, `algorithm` for a rule-based algorithm of the catalogue, else empty) | |
| `truth/systems.csv` | ground truth per system: expected AI-Act class, Annex III area, publication category, DPIA | {systems} |
| `truth/peer_entries.csv` | which product each register entry describes: `entry_key,is_ai,product,org_code` | |

Source keys in the truth files are the ones the connectors produce: `crediteuren_2025:<Boekstuk>`,
`tenderned:<publicatieId>`, `portfolio:<Applicatie-ID>`, `uitvraag_2026:<ID>-<k>` (k = position of the
system in its cell after splitting on newline, `;`, `,` and ` en `). Quarantined ledger lines are listed
with notes starting with `quarantine`; the repeated header line is listed as `crediteuren_2025:Boekstuk`.
The ledger connector names quarantined lines by their line number, so match those on `notes`, not on
the key. TenderNed publications of other buyers (notes `andere aanbesteder`) are dropped by the
connector's `buyer` filter. Non-AI impactful algorithms have `is_ai` 0 and a system label; filler
records have an empty system.

Bigger or different municipalities: `--scale 200` writes about 1M ledger lines with more systems,
including near-duplicate deployments of the same product in other departments; `--variant alt` uses
other systems, vendors and phrasing (abbreviations, typos, English) to check that results do not depend
on this demo's vocabulary.
"""


def write_readme(path: Path, summary: dict, org: Organisation, systems: list[AISystem]) -> None:
    """The README of a generated municipality (exact command, files, row counts)."""
    rows = summary["rows"]
    args = f"--seed {summary['seed']} --scale {summary['scale']:g} --variant {summary['variant']}"
    out = "examples/voorbeeldstad" if summary["variant"] == "demo" and summary["scale"] == 1 else "OUT_DIR"
    path.write_text(_README.format(
        name=org[0], code=org[1], inhabitants=org[3], variant=summary["variant"],
        n_ai=sum(s.is_ai for s in systems), n_alg=sum(not s.is_ai for s in systems),
        command=f"python -m bench.synth --out {out} {args}", ledger=rows["ledger_lines"], tenders=rows["tenders"],
        portfolio=rows["portfolio"], survey=rows["survey_responses"], dpia=rows["dpia"], orgs=rows["peer_orgs"],
        register=rows["register_entries"], decisions=rows["review_seed"], training=rows["training_rows"],
        headcount=rows["headcount_rows"], systems=len(systems)), encoding="utf-8")
