"""Detection vocabulary: loads the YAML term lists under ``transforms/vocab/`` and compiles them
into fast regular expressions over *spaced* folded text (see :func:`spaced_series`).

Terms are compiled into one trie-shaped regex per vocabulary, so matching ~300 terms over a text
costs about as much as matching one; at each position the longest term wins, which lets a
negative term such as "ai verordening" take precedence over the bare "ai".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from transforms.text import factorize_text, fold_series

__all__ = [
    "Term",
    "Vocabulary",
    "load_vocabulary",
    "spaced_series",
    "spaced",
    "compile_terms",
    "TIERS",
]

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"
TIERS = ("strong", "medium", "weak", "negative")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACED = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_SPACES = re.compile(r"\s+")  # as transforms.text.fold_series
_B = "[a-z0-9]"


@dataclass(frozen=True)
class Term:
    """One vocabulary term: folded spaced text, tier, match mode, weight and optional reason."""

    term: str
    tier: str
    mode: str
    weight: float
    reason: str | None = None
    label: str | None = None


@dataclass
class Vocabulary:
    """All detection data: keyword terms, vendors, products, CPV hints, weights, generic names."""

    terms: dict[str, Term]
    keyword_re: re.Pattern
    vendors: dict[str, dict]
    vendor_re: re.Pattern | None
    products: dict[str, dict]
    product_re: re.Pattern | None
    cpv: dict[str, tuple[str, str]]
    weights: dict
    kb_generic: frozenset[str] = field(default_factory=frozenset)


def spaced_series(values: pd.Series) -> pd.Series:
    """Fold a Series and turn every run of non-alphanumerics into one space (vectorised)."""
    codes, uniques = factorize_text(pd.Series(values, copy=False))
    # a value already spaced (lower-case ASCII words, one space apart: a normalised vendor name) stays
    already = np.fromiter((isinstance(u, str) and _SPACED.fullmatch(u) is not None for u in uniques.tolist()),
                          bool, len(uniques))
    done = uniques.copy()
    if not already.all():
        folded = fold_series(pd.Series(uniques[~already], dtype="object"))
        done[~already] = folded.str.replace(_NON_ALNUM, " ", regex=True).str.strip().to_numpy(dtype=object)
    out = np.where(codes >= 0, done[np.clip(codes, 0, None)] if len(done) else "", "")
    return pd.Series(out, index=values.index, dtype="object")


def spaced(text: object) -> str:
    """Scalar version of :func:`spaced_series` (the same steps in plain Python: a per-row call costs
    microseconds, not a pandas round trip); each distinct value is computed once."""
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ""
    return _spaced_str(str(text))


@lru_cache(maxsize=1 << 16)
def _spaced_str(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    folded = _SPACES.sub(" ", folded).strip()
    return _NON_ALNUM.sub(" ", folded).strip()


def _trie_regex(entries: dict[str, bool]) -> str:
    """Regex for many literal terms, longest first at each position.

    ``entries`` maps term -> needs a right word boundary. Children are tried before a node's end, so
    the regex prefers the longest term and backtracks to shorter ones.
    """
    trie: dict = {}
    for word, boundary in entries.items():
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        # an end without boundary (stem) wins over one with boundary at the same node
        node[""] = node.get("", True) and boundary

    def build(node: dict) -> str:
        alts = []
        for ch in sorted(k for k in node if k):
            alts.append(re.escape(ch) + build(node[ch]))
        if "" in node:
            alts.append(f"(?!{_B})" if node[""] else "")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return build(trie)


def compile_terms(modes: dict[str, str]) -> re.Pattern:
    """Compile term -> mode ('word'|'stem'|'substring') into one regex (see module doc)."""
    bounded = {t: m == "word" for t, m in modes.items() if m in ("word", "stem")}
    anywhere = {t: False for t, m in modes.items() if m == "substring"}
    parts = []
    if bounded:
        parts.append(f"(?<!{_B})" + _trie_regex(bounded))
    if anywhere:
        parts.append(_trie_regex(anywhere))
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{p})" for p in parts))


def _read(folder: Path, name: str) -> dict:
    with open(folder / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _norm_term(text: str) -> str:
    return _NON_ALNUM.sub(" ", str(text).lower()).strip()


@lru_cache(maxsize=4)
def load_vocabulary(vocab_dir: str | None = None) -> Vocabulary:
    """Load and compile the vocabulary (cached). ``vocab_dir`` overrides the packaged folder."""
    folder = Path(vocab_dir) if vocab_dir else VOCAB_DIR
    raw_terms = _read(folder, "terms.yaml")
    weights = _read(folder, "weights.yaml")
    tier_weight = weights["keyword"]
    terms: dict[str, Term] = {}
    for tier in TIERS:
        for item in raw_terms.get(tier) or []:
            text = _norm_term(item["term"])
            mode = item.get("match") or ("word" if len(text) <= 5 else "stem")
            if text in terms:  # first (stronger) tier wins for a duplicate term
                continue
            terms[text] = Term(
                term=text,
                tier=tier,
                mode=mode,
                weight=float(item.get("weight", tier_weight[tier])),
                reason=item.get("reason"),
                label=item.get("term"),
            )
    keyword_re = compile_terms({t.term: t.mode for t in terms.values()})

    vend = _read(folder, "vendors.yaml")
    vendors = {_norm_term(v["norm"]): v for v in vend.get("vendors") or []}
    products = {_norm_term(p["term"]): p for p in vend.get("products") or []}
    vendor_re = compile_terms({k: "word" for k in vendors}) if vendors else None
    product_re = compile_terms({k: "word" for k in products}) if products else None

    cpv_raw = _read(folder, "cpv.yaml")
    cpv: dict[str, tuple[str, str]] = {}
    for level in ("strong_hint", "hint"):
        for code, label in (cpv_raw.get(level) or {}).items():
            cpv[str(code)] = (level, label)
    generic = frozenset(_norm_term(g) for g in (_read(folder, "kb_generic.yaml").get("generic") or []))
    return Vocabulary(
        terms=terms,
        keyword_re=keyword_re,
        vendors=vendors,
        vendor_re=vendor_re,
        products=products,
        product_re=product_re,
        cpv=cpv,
        weights=weights,
        kb_generic=generic,
    )
