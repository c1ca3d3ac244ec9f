"""Shared building blocks of the synthetic generator: the system record, seeded RNG, byte-stable writers.

Every writer here is deterministic: the same inputs give the same bytes (XLSX files are re-zipped with a
fixed timestamp and fixed document properties, because openpyxl stamps the current time otherwise).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook

__all__ = [
    "AISystem",
    "Catalog",
    "FIXED_STAMP",
    "SURVEY_SEPARATORS",
    "derive_rng",
    "save_workbook",
    "write_csv_rows",
    "check_survey_phrase",
]

#: The moment written into XLSX metadata and zip entries so the files are byte-stable.
FIXED_STAMP = datetime(2025, 10, 1, 8, 0, 0)

#: How the survey connector splits a cell naming several systems (architecture.md, survey row_ref).
SURVEY_SEPARATORS = ("\n", ";", ",", " en ")


@dataclass(frozen=True)
class AISystem:
    """One real-world system of the demo municipality (AI or an impactful non-AI algorithm).

    The mention lists say how each source writes about it; ``label`` is the ground-truth id shared by all
    its mentions. ``ledger`` descriptions may contain ``{q}`` (quarter), ``{m}`` (month name) and ``{y}``.
    """

    label: str
    name: str
    vendor: str
    kvk: str
    department: str
    is_ai: bool
    ai_act_class: str  # prohibited|high_risk|transparency|minimal|not_ai
    annex_area: str  # Annex III point for high_risk, else ""
    publication_category: str
    dpia_required: bool
    vendor_spellings: tuple[str, ...] = ()
    ledger: tuple[str, ...] = ()
    amount_range: tuple[int, int] = (500, 20000)
    tender: tuple[str, str, str] | None = None  # (title, description, main CPV with check digit)
    portfolio: tuple[tuple[str, str], ...] = ()  # (application name, Omschrijving)
    survey: tuple[str, ...] = ()  # how departments name it (no separators inside)
    survey_purpose: str = ""
    dpia: tuple[str, str, str] | None = None  # (Verwerking, Status, Uitkomst)
    peer_names: tuple[str, ...] = ()  # names other organisations register it under
    peer_category: str = "Organisatie en bedrijfsvoering"
    goal: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def copy_for(self, suffix: str, department: str, name_suffix: str) -> AISystem:
        """A near-duplicate deployment of the same product in another department (a separate system)."""
        return replace(
            self,
            label=f"{self.label}_{suffix}",
            name=f"{self.name} {name_suffix}".strip(),
            department=department,
            tender=None,
            dpia=(f"{self.dpia[0]} - {department}", *self.dpia[1:]) if self.dpia else None,
            portfolio=tuple((f"{n} {name_suffix}".strip(), d) for n, d in self.portfolio[:1]),
        )


@dataclass(frozen=True)
class Catalog:
    """Everything variant-specific: systems, decoys and the vocabulary of the bulk filler."""

    variant: str
    systems: tuple[AISystem, ...]
    decoy_ledger: tuple[tuple[str, str, str, str], ...]  # (supplier, kvk, description, department)
    decoy_apps: tuple[tuple[str, str, str], ...]  # (name, vendor, Omschrijving)
    decoy_survey: tuple[str, ...]
    ledger_descriptions: tuple[str, ...]
    supplier_stems: tuple[str, ...]
    supplier_sectors: tuple[tuple[str, tuple[str, ...]], ...]  # (sector word, descriptions)
    departments: tuple[str, ...]
    apps: tuple[tuple[str, str, str], ...]  # (name, vendor, Omschrijving) for non-AI portfolio filler
    tender_topics: tuple[tuple[str, str, str], ...]  # (title, description, CPV)
    survey_other: tuple[str, ...]  # non-AI systems departments mention
    survey_purposes: tuple[str, ...]


def derive_rng(seed: int, part: str) -> np.random.Generator:
    """An independent, reproducible generator per output part (so parts do not shift each other)."""
    tag = sum((i + 1) * ord(c) for i, c in enumerate(part))
    return np.random.default_rng([int(seed), tag])


def check_survey_phrase(phrase: str) -> None:
    """Refuse a survey system name that the connector would split into two systems."""
    if any(sep in phrase for sep in SURVEY_SEPARATORS):
        raise ValueError(f"survey phrase {phrase!r} contains a separator")


def save_workbook(wb: Workbook, path: Path) -> None:
    """Save ``wb`` with fixed metadata and zip timestamps, so identical content gives identical bytes."""
    wb.properties.created = FIXED_STAMP
    wb.properties.modified = FIXED_STAMP
    wb.properties.creator = "aigrip bench.synth"
    wb.properties.lastModifiedBy = "aigrip bench.synth"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_times(data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _fix_core_times(data: bytes) -> bytes:
    """openpyxl may write 'modified' as now even when set; pin every W3CDTF stamp to FIXED_STAMP."""
    import re

    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)


def write_csv_rows(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """A small UTF-8 CSV (comma, LF) for truth files."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
