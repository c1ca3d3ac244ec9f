"""Loading and matching of the classification rules in ``transforms/rules/*.yaml``.

A rule's patterns are compiled once; :func:`rule_hits` evaluates a rule over many folded, spaced
texts at once and returns whether it matched and which words made it match (for the reason).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["load_rules", "compile_patterns", "rule_hits", "found_words", "dutch_date", "RULES_DIR"]

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"]


def dutch_date(value: dt.date) -> str:
    """2 december 2027."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def compile_patterns(patterns: list) -> re.Pattern:
    """One regex for a pattern group: 're:…' raw; <= 4 characters whole word; longer anywhere."""
    parts = []
    for p in patterns or []:
        p = str(p)
        if p.startswith("re:"):
            parts.append(p[3:])
        elif len(p) <= 4:
            parts.append(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])")
        else:
            parts.append(re.escape(p))
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile("(?:" + "|".join(parts) + ")")


def _groups(rule: dict) -> list[re.Pattern]:
    groups = rule.get("all") or ([rule["any"]] if rule.get("any") else [])
    return [compile_patterns(g) for g in groups]


def _prepare(rule: dict) -> dict:
    out = dict(rule)
    out["_groups"] = _groups(rule)
    if rule.get("unless"):
        out["_unless"] = compile_patterns(rule["unless"])
    if rule.get("categories"):
        out["_categories"] = {k: compile_patterns(v) for k, v in rule["categories"].items()}
    if rule.get("criteria"):
        out["_criteria"] = {k: compile_patterns(v) for k, v in rule["criteria"].items()}
    if rule.get("personal_data"):
        out["_personal"] = compile_patterns(rule["personal_data"])
    if rule.get("profiling"):
        out["_profiling"] = compile_patterns(rule["profiling"])
    return out


def _read(name: str) -> dict:
    with open(RULES_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=1)
def load_rules() -> dict:
    """All rule files, with compiled patterns (cached)."""
    aia = _read("ai_act.yaml")
    dpia = _read("dpia.yaml")
    reg = _read("register.yaml")
    dates = {k: (v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))) for k, v in aia["dates"].items()}
    return {
        "dates": dates,
        "scope": [_prepare(r) for r in aia.get("scope") or []],
        "prohibited": [_prepare(r) for r in aia.get("prohibited") or []],
        "high_risk": [_prepare(r) for r in aia.get("high_risk") or []],
        "exception_6_3": _prepare(aia["exception_6_3"]),
        "transparency": [_prepare(r) for r in aia.get("transparency") or []],
        "not_ai": _prepare(aia["not_ai"]),
        "dpia": [_prepare(r) for r in dpia.get("rules") or []],
        "edpb": _prepare(dpia["edpb"]),
        "iama": reg.get("iama") or [],
        "publication": {k: _prepare(v) for k, v in reg["publication"].items()},
    }


def found_words(texts: pd.Series, rx: re.Pattern) -> pd.Series:
    """First matching words of ``rx`` per text ('' when none)."""
    return texts.str.extract("(" + rx.pattern + ")", expand=False).fillna("").astype(object)


def rule_hits(texts: pd.Series, rule: dict) -> tuple[pd.Series, pd.Series]:
    """(matched: bool Series, words: "'a' en 'b'" Series) for a prepared rule over spaced texts."""
    groups = rule.get("_groups") or []
    if not groups:
        false = pd.Series(np.zeros(len(texts), dtype=bool), index=texts.index)
        return false, pd.Series("", index=texts.index, dtype=object)
    words = [found_words(texts, g) for g in groups]
    matched = np.logical_and.reduce([w.str.len().to_numpy() > 0 for w in words])
    quoted = [("'" + w.str.strip() + "'").where(w.str.len() > 0, "") for w in words]
    joined = quoted[0]
    for q in quoted[1:]:
        joined = (joined + " en " + q).str.strip()
    return pd.Series(matched, index=texts.index), joined.where(pd.Series(matched, index=texts.index), "")
