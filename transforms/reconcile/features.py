"""Matching features derived from candidate mentions — the one place where ``name_norm`` is made.

A ledger line such as "Licentie Octobox 2025" or "Ondersteuning Octobox Q3" names the product
between generic and period words; :func:`name_norm_series` strips those so both become
"octobox". Records that agree on every matching feature are collapsed into one *profile* before
Splink runs (they would link with certainty anyway); Splink then scores profile pairs, which keeps
a 1M-line ledger with monthly invoices down to its distinct product descriptions.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from transforms.text import fold, fold_series, normalise_vendor_series

__all__ = [
    "GENERIC_WORDS",
    "STOPWORDS",
    "MENTION_TYPES",
    "APPLICATION_TYPE",
    "PROFILE_COLUMNS",
    "name_norm_series",
    "token_lists",
    "prepare_profiles",
    "display_name",
]

# Generic, service and period words that say nothing about *which* system a record is about.
GENERIC_WORDS = frozenset(
    """
    licentie licenties licentiekosten jaarlicentie licentiefee abonnement abonnementen abonnementskosten
    implementatie implementatiekosten ondersteuning support onderhoud onderhoudskosten maintenance
    hosting saas gebruiksrecht gebruikskosten factuur kosten termijn periode verlenging uitbreiding
    levering aanschaf inkoop aanbesteding europese opdracht raamovereenkomst dienstverlening diensten
    consultancy advies meerwerk jaar jaarlijks maand maandelijks kwartaal kw per tm t m van voor de het
    een en in op met te bij tbv ten behoeve nr no ref januari februari maart april mei juni juli augustus
    september oktober november december jan feb mrt apr jun jul aug sep sept okt nov dec q1 q2 q3 q4
    h1 h2 eerste tweede derde vierde software applicatie app tool systeem programma pakket om die wij we
    gebruiken gemeente
    """.split()
)
# Words too common to identify a description (kept out of the description token sets).
STOPWORDS = GENERIC_WORDS | frozenset(
    "de het een en of van voor in op met aan door om als die dat is wordt worden zijn bij naar uit tot".split()
)
_NUMBERISH = re.compile(r"^(?:\d+|fy\d+|\d+[a-z]?|[a-z]?\d+)$")
_SPLIT = re.compile(r"[^0-9a-z]+")
_MAX_DESC_TOKENS = 40

# Vendor answers that name no vendor (surveys: "weet ik niet").
_NO_VENDOR = frozenset({"weet ik niet", "onbekend", "nvt", "n v t", "geen", "niet bekend", "zelf", "eigen beheer",
                        "intern", "weet niet", "geen idee", "diverse", "divers"})

_NO_DEPARTMENT_TYPES = ("tenderned", "ted")
# Sources that only *mention* a system: a survey respondent may name a system another department owns,
# a tender precedes the purchase. The other sources (ledger cost centre, portfolio owner) *anchor* a
# system in its department.
MENTION_TYPES = ("survey", "tenderned", "ted")
# An entry of the application portfolio: one application (see conflicts.py).
APPLICATION_TYPE = "application_portfolio"

# The columns two records must share to be collapsed into one profile.
PROFILE_COLUMNS = ["name_norm", "vendor_norm", "vendor_kvk", "department_norm", "kb_product_id"]


def _strip_words(text: str, drop: frozenset[str]) -> list[str]:
    return [t for t in _SPLIT.split(text) if t and t not in drop and not _NUMBERISH.match(t)]


class _Words:
    """The words of many (folded, ASCII) texts at once, split as :func:`_strip_words` splits them.

    ``parent``: text position of each word (in text order); ``code``: the word's rank in the sorted
    vocabulary ``vocab``. Empty words are dropped. Per-word tests (generic, numberish) run once per
    distinct word.
    """

    def __init__(self, texts: np.ndarray):
        lists = pc.split_pattern_regex(pa.array(texts, type=pa.large_string()), _SPLIT.pattern)
        words = pc.list_flatten(lists).dictionary_encode()
        vocab = words.dictionary.to_numpy(zero_copy_only=False).astype(object)
        order = np.argsort(vocab, kind="stable")
        rank = np.empty(len(vocab), dtype=np.int64)
        rank[order] = np.arange(len(vocab))
        codes = rank[words.indices.to_numpy(zero_copy_only=False)]
        parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
        self.vocab = vocab[order]
        keep = (self.vocab != "")[codes]
        self.parent, self.code, self.n = parent[keep], codes[keep], len(texts)

    def flags(self, drop: frozenset[str]) -> np.ndarray:
        """Per word: kept by ``_strip_words(text, drop)`` (not in ``drop``, not a number)."""
        ok = np.fromiter((w not in drop and not _NUMBERISH.match(w) for w in self.vocab), dtype=bool,
                         count=len(self.vocab))
        return ok[self.code]

    def sorted_sets(self, keep: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """``(parent, code)`` of each text's distinct kept words in sorted order, the first ``limit``."""
        n_vocab = max(len(self.vocab), 1)
        pairs = np.unique(self.parent[keep] * n_vocab + self.code[keep])
        parent, code = pairs // n_vocab, pairs % n_vocab
        starts = np.r_[0, np.flatnonzero(parent[1:] != parent[:-1]) + 1] if len(parent) else parent
        within = np.arange(len(parent)) - np.repeat(starts, np.diff(np.r_[starts, len(parent)]))
        return parent[within < limit], code[within < limit]


def _lists(parent: np.ndarray, values: list, n: int) -> np.ndarray:
    """Object array of ``n`` Python lists (``values`` grouped by the sorted ``parent``), None where empty."""
    out = np.full(n, None, dtype=object)
    if not len(parent):
        return out
    starts = np.r_[0, np.flatnonzero(parent[1:] != parent[:-1]) + 1]
    ends = np.r_[starts[1:], len(parent)]
    out[parent[starts]] = [values[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return out


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)``: per row the position of its value in ``uniques`` (an object Series of the
    distinct values followed by one None, which the rows holding None/NaN point to)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    codes = np.where(codes < 0, len(uniques), codes)
    return codes, pd.Series(np.append(np.asarray(uniques, dtype=object), None), dtype="object")


def _per_distinct(values: pd.Series, derive) -> pd.Series:
    """``derive`` (Series → Series, row-wise) computed on the distinct values only, mapped back to each row."""
    codes, uniques = _distinct(values)
    derived = derive(uniques).take(codes)
    derived.index = values.index
    return derived


def _name_norms(texts: np.ndarray) -> np.ndarray:
    """Per folded text its words without generic and period words; when that leaves nothing, without
    numbers; when that leaves nothing, all words ("" for a text without words)."""
    words = _Words(texts)
    plain, content = words.flags(frozenset()), words.flags(GENERIC_WORDS)
    has_content = np.bincount(words.parent[content], minlength=words.n) > 0
    has_plain = np.bincount(words.parent[plain], minlength=words.n) > 0
    level = np.where(has_content, 2, np.where(has_plain, 1, 0))[words.parent]
    keep = np.where(level == 2, content, np.where(level == 1, plain, True))
    counts = np.bincount(words.parent[keep], minlength=words.n)
    offsets = pa.array(np.r_[0, np.cumsum(counts)], type=pa.int64())
    kept = pa.LargeListArray.from_arrays(offsets, pa.array(words.vocab[words.code[keep]], type=pa.large_string()))
    return pc.binary_join(kept, pa.scalar(" ", type=pa.large_string())).to_numpy(zero_copy_only=False).astype(object)


def name_norm_series(product: pd.Series, title: pd.Series) -> pd.Series:
    """The normalised product name: product when known, else title; generic and period words removed.

    Falls back to the folded text when stripping leaves nothing ("Licentie 2025" stays "licentie").
    Each distinct text is computed once.
    """
    p_codes, p_uniques = _distinct(product)
    usable = (p_uniques.notna() & (p_uniques.astype("string").str.strip() != "")).to_numpy(dtype=bool)
    t_codes, t_uniques = _distinct(title)
    # one code space for the source text: a usable product, else the title
    codes = np.where(usable[p_codes], p_codes, len(p_uniques) + t_codes)
    folded = fold_series(pd.concat([p_uniques, t_uniques], ignore_index=True))
    f_codes, f_uniques = pd.factorize(folded.to_numpy(dtype=object))
    norm = _name_norms(np.asarray(f_uniques, dtype=object))[f_codes]
    norm[norm == ""] = np.nan  # as the str-dtype original did
    return pd.Series(norm[codes], index=product.index, dtype="object")


@lru_cache(maxsize=1 << 16)
def _informative(word: str) -> bool:
    """A word of a ledger text that says which system it is about (not generic, period or number)."""
    return bool(_strip_words(fold(word), GENERIC_WORDS))


def display_name(text: object) -> str | None:
    """A ledger text as a system name: generic and period words removed, original casing kept."""
    if not isinstance(text, str):
        return None
    words = [w for w in text.split() if _informative(w)]
    return " ".join(words) or text.strip() or None


def _token_sets(texts: pd.Series, drop: frozenset[str], limit: int) -> tuple[_Words, np.ndarray, np.ndarray]:
    """Words of each text as in :func:`token_lists`: ``(words, parent, code)`` sorted by text, then word."""
    values = texts.to_numpy(dtype=object)
    valid = np.fromiter((isinstance(t, str) and t != "" for t in values), dtype=bool, count=len(values))
    words = _Words(np.where(valid, values, ""))
    parent, code = words.sorted_sets(words.flags(drop), limit)
    return words, parent, code


def token_lists(texts: pd.Series, drop: frozenset[str] = STOPWORDS, limit: int = _MAX_DESC_TOKENS) -> pd.Series:
    """Distinct, sorted content tokens of each (already folded) text, or None when there are none."""
    words, parent, code = _token_sets(texts, drop, limit)
    return pd.Series(_lists(parent, words.vocab[code].tolist(), len(texts)), index=texts.index, dtype="object")


def _token_id_lists(texts: pd.Series, drop: frozenset[str] = STOPWORDS, limit: int = _MAX_DESC_TOKENS) -> pd.Series:
    """``_token_ids(token_lists(texts, drop, limit))`` without the lists of strings in between."""
    _, parent, code = _token_sets(texts, drop, limit)
    return _ids_of(parent, code, texts.index)


def _ids_of(parent: np.ndarray, code: np.ndarray, index: pd.Index) -> pd.Series:
    """Sorted id lists per text: a word's id is its order of first appearance (texts in order, each
    text's words sorted), as :func:`_token_ids` numbers them."""
    ids, vocab = pd.factorize(code)
    order = np.lexsort((ids, parent))
    # one Python int per id, shared by every list that holds it (millions of ids, few distinct)
    pool = np.arange(len(vocab)).astype(object)
    return pd.Series(_lists(parent[order], pool[ids[order]].tolist(), len(index)), index=index, dtype="object")


def _blank_to_none(values: pd.Series) -> pd.Series:
    s = values.astype("object")
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), None)


def _vendor_norm(values: pd.Series) -> pd.Series:
    s = _blank_to_none(values)
    return s.where(~s.isin(_NO_VENDOR), None)


def _kvk(values: pd.Series) -> pd.Series:
    kvk = values.astype("object")
    kvk = kvk.where(kvk.notna(), None)
    kvk_str = kvk.astype(str).str.replace(r"\D", "", regex=True).str.zfill(8)
    return kvk_str.where(kvk.notna() & kvk_str.str.fullmatch(r"\d{8}") & (kvk_str != "00000000"), None)


def _department(values: pd.Series) -> pd.Series:
    return _blank_to_none(fold_series(values.astype("object")))


def _sorted_codes(values: pd.Series) -> np.ndarray:
    """Codes in sort order of the values, None first (as the "\x00" they are grouped as)."""
    return pd.factorize(values.astype("object").fillna("\x00").to_numpy(dtype=object), sort=True)[0]


def prepare_profiles(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive matching features and collapse identical records into profiles.

    Returns ``(keys, profiles)``: ``keys`` has one row per record (source_key, profile_id, plus the
    record columns used later), sorted by source_key; ``profiles`` has one row per profile with
    unique_id (= profile_id), name_norm, name_tokens, name_first, vendor_norm, vendor_kvk,
    department_norm, kb_product_id, desc_tokens, name_words (the name's content words in the
    desc_tokens id space), n_records, anchor (a ledger or portfolio record
    with a department: the profile anchors a system in that department, see :data:`MENTION_TYPES`)
    and applications (the profile holds an entry of the application portfolio).
    """
    df = records.reset_index(drop=True)
    n = len(df)

    def col(name: str) -> pd.Series:
        return df[name] if name in df.columns else pd.Series([None] * n, dtype="object")

    feats = pd.DataFrame({"source_key": col("source_key").astype(str)})
    feats["name_norm"] = name_norm_series(col("product"), col("title"))
    vendor_norm = col("vendor_norm")
    if vendor_norm.isna().all() and col("vendor").notna().any():
        vendor_norm = normalise_vendor_series(col("vendor"))
    feats["vendor_norm"] = _per_distinct(vendor_norm, _vendor_norm)
    feats["vendor_kvk"] = _per_distinct(col("vendor_kvk"), _kvk)
    dept = _per_distinct(col("department"), _department)
    # a tender's "department" is the buying organisation, not a department that uses the system
    source_type = col("source_type")
    feats["department_norm"] = dept.where(~source_type.isin(_NO_DEPARTMENT_TYPES).to_numpy(), None)
    feats["kb_product_id"] = _per_distinct(col("kb_product_id"), _blank_to_none)
    feats["_row"] = np.arange(n)
    feats["_anchor"] = (~source_type.isin(MENTION_TYPES)).to_numpy() & feats["department_norm"].notna().to_numpy()
    feats["_application"] = (source_type == APPLICATION_TYPE).to_numpy()

    feats = feats.sort_values("source_key", kind="stable").reset_index(drop=True)
    # profile ids in the sort order of the profile columns (missing values first)
    key = pd.DataFrame({c: _sorted_codes(feats[c]) for c in PROFILE_COLUMNS})
    codes = key.groupby(PROFILE_COLUMNS, sort=True).ngroup().to_numpy()
    feats["profile_id"] = codes.astype(np.int64)

    n_profiles = int(codes.max()) + 1 if n else 0
    _, first_pos = np.unique(codes, return_index=True)
    first = feats.iloc[first_pos]
    profiles = first[["profile_id", *PROFILE_COLUMNS]].rename(columns={"profile_id": "unique_id"})
    profiles["n_records"] = np.bincount(codes, minlength=n_profiles)
    profiles["anchor"] = np.bincount(codes, weights=feats["_anchor"].to_numpy(), minlength=n_profiles) > 0
    profiles["applications"] = np.bincount(codes, weights=feats["_application"].to_numpy(), minlength=n_profiles) > 0
    profiles["name_tokens"] = _token_id_lists(profiles["name_norm"].fillna(""), frozenset())
    profiles["name_first"] = profiles["name_norm"].str.split(" ").str[0].astype("object")
    # only a profile's first record describes it: fold just those texts, not every ledger line
    rows = first["_row"].to_numpy()
    desc_text = (col("title").iloc[rows].fillna("").astype(str) + " "
                 + col("description").iloc[rows].fillna("").astype(str))
    profiles["desc_tokens"], profiles["name_words"] = _description_ids(
        fold_series(desc_text.astype("object")), profiles["name_norm"], profiles["department_norm"])
    keys = feats[["source_key", "profile_id", *PROFILE_COLUMNS]]
    return keys, profiles.reset_index(drop=True)


def _description_ids(texts: pd.Series, names: pd.Series, departments: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(desc_tokens, name_words)``: description token ids without the words of the profile's own
    name and department (the description is evidence *besides* them: a ledger line's description is
    its title, so comparing it again would count the name twice), and the content words of the name,
    in the same id space, so one profile's name can be looked up in another's description (an
    invoice line "huur kentekenherkenning" names what the portfolio entry's description says)."""
    n = len(texts)
    name_text = names.fillna("").astype(str).reset_index(drop=True)
    both = pd.concat([texts.reset_index(drop=True), name_text], ignore_index=True)
    words, parent, code = _token_sets(both, STOPWORDS, _MAX_DESC_TOKENS)
    own_text = (name_text + " " + departments.fillna("").astype(str).reset_index(drop=True)).str.strip()
    own_words, own_parent, own_code = _token_sets(own_text, frozenset(), 1 << 20)
    desc = pd.DataFrame({"p": parent, "w": words.vocab[code]})
    own = pd.DataFrame({"p": own_parent, "w": own_words.vocab[own_code], "own": True}).drop_duplicates(["p", "w"])
    keep = desc.merge(own, on=["p", "w"], how="left")["own"].isna().to_numpy() | (parent >= n)
    ids = _ids_of(parent[keep], code[keep], pd.RangeIndex(2 * n))
    desc_ids = pd.Series(ids.iloc[:n].to_numpy(), index=texts.index, dtype="object")
    name_ids = pd.Series(ids.iloc[n:].to_numpy(), index=texts.index, dtype="object")
    return desc_ids, name_ids


def _token_ids(lists: pd.Series) -> pd.Series:
    """Token lists as sorted lists of integer ids (one vocabulary per call); None stays None.

    DuckDB compares integer lists much faster than string lists (see settings._shared_tokens)."""
    flat = lists.reset_index(drop=True).explode()
    present = flat.notna().to_numpy()
    pos = flat.index.to_numpy()[present]
    codes = pd.factorize(flat[present].astype(str))[0].astype(np.int64)
    order = np.lexsort((codes, pos))
    pos, codes = pos[order], codes[order]
    out = np.full(len(lists), None, dtype=object)
    if not len(pos):
        return pd.Series(out, index=lists.index, dtype="object")
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    ends = np.r_[starts[1:], len(pos)]
    for p, a, b in zip(pos[starts], starts, ends, strict=True):
        out[p] = codes[a:b].tolist()
    return pd.Series(out, index=lists.index, dtype="object")
