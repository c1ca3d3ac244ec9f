"""A small published snapshot for the review tests (and a check that it is what they expect).

``build_snapshot(data_dir)`` writes a warehouse with four systems through the real schema
migrations and ``replace_table``, then publishes ``snapshot.duckdb`` with ``publish_snapshot``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from warehouse import SNAPSHOT_NAME, connect, publish_snapshot, replace_table

__all__ = ["build_snapshot", "published_snapshot", "APPLIED_EVENT_ID"]

APPLIED_EVENT_ID = "applied0001"


def _mentions() -> pd.DataFrame:
    rows = [
        ("crediteuren:F-100", "crediteuren", "spend_ledger", "Licentie Octobox fraudedetectie", "jaarlicentie",
         "Octobox B.V.", "Werk en Inkomen", 12000.0, date(2025, 3, 1)),
        ("portfolio:APP-7", "portfolio", "application_portfolio", "Octobox Fraude", "risicoscores bijstand",
         "Octobox", "Werk en Inkomen", None, None),
        ("tenderned:334455", "tenderned", "tenderned", "Chatbot <script>alert(1)</script> voor KCC",
         "AI-chatbot voor vragen", "Chatly", "KCC", 80000.0, date(2024, 11, 5)),
        ("uitvraag:R1-1", "uitvraag", "survey", "Kentekenherkenning", "ANPR parkeren", "Scanbiz",
         "Parkeren", None, None),
        ("uitvraag:R2-1", "uitvraag", "survey", "Vertaaltool", "automatisch vertalen", "Lingo", "KCC", None, None),
        ("crediteuren:F-200", "crediteuren", "spend_ledger", "Scanauto huur", "scanauto ANPR", "Scanbiz BV",
         "Parkeren", 5000.0, date(2025, 1, 10)),
    ]
    cols = ["source_key", "source_id", "source_type", "title", "description", "vendor", "department",
            "amount_eur", "record_date"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["org"] = "Gemeente Testdorp"
    frame["raw_json"] = "{}"
    return frame


def _systems() -> pd.DataFrame:
    def row(sid, status, name, vendor, dept, score, types, first, conflicts=None, defer=None, fields=None):
        return {
            "system_id": sid, "status": status, "name": name, "vendor": vendor, "department": dept,
            "ai_score": score, "source_types": types, "n_sources": len(types), "first_seen": first,
            "last_seen": first, "conflicts": conflicts, "defer_until": defer,
            "fields_json": json.dumps(fields) if fields else None,
        }

    return pd.DataFrame([
        row("AIG-000001", "candidate", "Octobox fraudedetectie", "Octobox", "Werk en Inkomen", 0.9,
            ["spend_ledger", "application_portfolio"], date(2025, 3, 1),
            conflicts="afdeling verschilt: Werk en Inkomen / Sociaal Domein"),
        row("AIG-000002", "candidate", "Chatbot <b>KCC</b>", "Chatly", "KCC", 0.95, ["tenderned"], date(2024, 11, 5)),
        row("AIG-000003", "candidate", "Kentekenherkenning", "Scanbiz", "Parkeren", 0.7,
            ["survey", "spend_ledger"], date(2025, 1, 10)),
        row("AIG-000004", "confirmed", "Vertaaltool", "Lingo", "KCC", 0.6, ["survey"], date(2025, 2, 1),
            fields={"owner": "KCC", "goal": "vertalen"}),
        row("AIG-000005", "candidate", "Uitgestelde tool", "Lingo", "KCC", 0.8, ["survey"], date(2025, 2, 1),
            defer=date(2999, 1, 1)),
    ])


def build_snapshot(data_dir: Path) -> Path:
    """Write the test warehouse under ``data_dir`` and publish its snapshot; returns the snapshot path."""
    data_dir = Path(data_dir)
    provenance = pd.DataFrame([
        ("AIG-000001", "crediteuren:F-100", 1.0, "leverancier gelijk"),
        ("AIG-000001", "portfolio:APP-7", 0.93, "leverancier gelijk; naam lijkt"),
        ("AIG-000002", "tenderned:334455", 1.0, "enige bron"),
        ("AIG-000003", "uitvraag:R1-1", 1.0, "enige bron"),
        ("AIG-000003", "crediteuren:F-200", 0.81, "leverancier gelijk"),
        ("AIG-000004", "uitvraag:R2-1", 1.0, "enige bron"),
    ], columns=["system_id", "source_key", "match_probability", "match_reason"])
    signals = pd.DataFrame([
        ("crediteuren:F-100", "kb_product", "Octobox", 0.8, "product Octobox staat in 12 registers"),
        ("tenderned:334455", "keyword_strong", "chatbot", 0.9, "term 'chatbot' in de omschrijving"),
        ("uitvraag:R1-1", "self_declared", "ja", 0.7, "afdeling meldt zelf AI-gebruik"),
    ], columns=["source_key", "kind", "detail", "weight", "reason"])
    candidates = pd.DataFrame([
        (k, 0.8, True, "reden A; reden B", None) for k in provenance["source_key"]
    ], columns=["source_key", "ai_score", "is_candidate", "reasons", "kb_product_id"])
    classifications = pd.DataFrame([
        ("AIG-000001", "high_risk", "Annex III 5(a)", "toegang tot uitkeringen", True, "DPIA verplicht", "Hoog-risico AI-systeem"),
        ("AIG-000002", "transparency", None, "chatbot: art. 50", False, "geen bijzondere gegevens", "Overige algoritmes"),
        ("AIG-000003", "needs_review", None, "kenteken: onduidelijk", True, "persoonsgegevens op grote schaal", "Impactvolle algoritmes"),
        ("AIG-000004", "minimal", None, "vertalen", False, "geen", "Overige algoritmes"),
    ], columns=["system_id", "ai_act_class", "ai_act_area", "ai_act_reason", "dpia_required", "dpia_reason",
                "publication_category"])
    registry = pd.DataFrame([
        (f"AIG-00000{i}", datetime(2025, 1, 1), None, None) for i in range(1, 6)
    ] + [("AIG-000009", datetime(2025, 1, 1), "AIG-000001", None)],
        columns=["system_id", "created_at", "successor_id", "retired_at"])
    applied = pd.DataFrame([{
        "event_id": APPLIED_EVENT_ID, "at": datetime(2025, 4, 1, 9, 0), "reviewer": "anna", "action": "confirm",
        "system_id": "AIG-000004", "source_keys": None, "into": None, "fields_json": None, "reason": "bekend",
        "applied": True, "apply_note": None,
    }])
    with connect(data_dir / "warehouse.duckdb") as con:
        replace_table(con, "mentions", _mentions())
        replace_table(con, "systems", _systems())
        replace_table(con, "provenance", provenance)
        replace_table(con, "signals", signals)
        replace_table(con, "candidates", candidates)
        replace_table(con, "classifications", classifications)
        replace_table(con, "system_ids", registry)
        replace_table(con, "review_decisions", applied)
        replace_table(con, "system_links", pd.DataFrame([
            ("AIG-000003", "AIG-000001", "crediteuren:F-200", "portfolio:APP-7", 0.64,
             "naam lijkt (0.86); zelfde afdeling", "score 0,64 onder de drempel 0,70", 2),
            ("AIG-000001", "AIG-000003", "portfolio:APP-7", "crediteuren:F-200", 0.64,
             "naam lijkt (0.86); zelfde afdeling", "score 0,64 onder de drempel 0,70", 2),
        ], columns=["system_id", "other_id", "source_key", "other_source_key", "match_probability", "match_reason",
                    "why_apart", "n_links"]))
    return publish_snapshot(data_dir / "warehouse.duckdb")


_TEMPLATE: dict[str, Path] = {}


def published_snapshot(data_dir: Path) -> Path:
    """Like :func:`build_snapshot` but copies a snapshot built once per test session (faster)."""
    if "path" not in _TEMPLATE:
        _TEMPLATE["path"] = build_snapshot(Path(tempfile.mkdtemp(prefix="aigrip-review-")))
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(_TEMPLATE["path"], data_dir / SNAPSHOT_NAME))


def test_build_snapshot_publishes_the_test_data(tmp_path):
    path = build_snapshot(tmp_path)
    assert path == tmp_path / SNAPSHOT_NAME
    with connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM systems").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM provenance").fetchone()[0] == 6
