"""Choosing the catalog of a variant and scaling its systems up for larger municipalities."""

from __future__ import annotations

import math

from bench.synth.model import AISystem, Catalog, check_survey_phrase

__all__ = ["catalog_for", "expand_systems", "copies_for", "repeats_for", "fill_template", "MONTHS"]

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
_WIJKEN = ("Noord", "Oost", "Zuid", "West", "Centrum", "De Hoven", "Molenwijk", "Het Veld", "Kanaalzone", "Oud-Zuid")


def catalog_for(variant: str) -> Catalog:
    """The catalog of ``variant`` ("demo" or "alt"); raises ValueError for anything else."""
    if variant == "demo":
        from bench.synth.catalog_demo import CATALOG
    elif variant == "alt":
        from bench.synth.catalog_alt import CATALOG
    else:
        raise ValueError(f"unknown variant {variant!r}: use 'demo' or 'alt'")
    for system in CATALOG.systems:
        for phrase in system.survey:
            check_survey_phrase(phrase)
    return CATALOG


def copies_for(scale: float) -> int:
    """How many deployments of each catalog system a municipality of this scale has."""
    return max(1, round(math.sqrt(max(scale, 0.0))))


def repeats_for(scale: float, copies: int) -> int:
    """How often each ledger template of one system recurs (more periods and invoices at larger scale)."""
    return max(1, round(scale / copies))


def expand_systems(catalog: Catalog, scale: float) -> list[AISystem]:
    """The systems of a municipality at ``scale``: the catalog, plus near-duplicate deployments of the same
    products in other departments when scale > 1 (same vendor, almost the same name: hard to keep apart)."""
    systems = list(catalog.systems)
    copies = copies_for(scale)
    depts = catalog.departments
    for k in range(1, copies):
        for i, base in enumerate(catalog.systems):
            dept = depts[(i + k) % len(depts)]
            if dept == base.department:
                dept = depts[(i + k + 1) % len(depts)]
            suffix = dept if k < len(depts) else f"{dept} {k // len(depts) + 1}"
            systems.append(base.copy_for(f"{k + 1:03d}", dept, suffix))
    return systems


def fill_template(text: str, rng, year: int = 2025) -> str:
    """Fill {q} {m} {y} {w} placeholders of one description with random but reproducible values."""
    return text.format(
        q=f"Q{int(rng.integers(1, 5))}",
        m=MONTHS[int(rng.integers(0, 12))],
        y=year,
        w=_WIJKEN[int(rng.integers(0, len(_WIJKEN)))],
    )


def expand_template(text: str, year: int = 2025) -> list[str]:
    """Every concrete text a template can produce (for the vectorised filler pools)."""
    out = [text]
    for key, values in (("{q}", [f"Q{i}" for i in range(1, 5)]), ("{m}", MONTHS), ("{w}", _WIJKEN)):
        if key in text:
            out = [t.replace(key, v) for t in out for v in values]
    return [t.replace("{y}", str(year)) for t in out]
