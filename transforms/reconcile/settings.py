"""The Splink linkage settings — the ONE module that defines how candidate mentions are compared.

Comparisons (each level's m/u are learnt by :mod:`transforms.reconcile.train` and shipped in
``model.json``):

* ``name``        — normalised product name (:func:`features.name_norm_series`): exact (with
  term-frequency adjustment, so a common name such as "software" or "applicatie" counts for less),
  Jaro-Winkler at character level, Jaccard on word tokens / one name's tokens inside the other,
  a shared word, else;
* ``vendor``      — KvK number exact, normalised vendor exact (term-frequency adjusted), vendor
  similar, different KvK numbers, else;
* ``department``  — exact / different;
* ``kb_product``  — same / different knowledge-base product from the peer registers;
* ``description`` — Jaccard on content words of title + description (without the record's own name);
* ``name_in_description`` — most content words of one record's name occur in the other's
  description: an invoice line that says what is bought ("huur kentekenherkenning parkeren") and the
  portfolio entry or survey answer that describes the application that way.

Blocking rules keep the comparisons near-linear: every blocking column is *capped* (a value shared
by more than :data:`BLOCK_CAP` profiles is not used to block — see :func:`capped_blocking_columns`),
so no rule can produce more than ``n * BLOCK_CAP / 2`` pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator

from transforms.reconcile.vendor_words import add_vendor_features

__all__ = [
    "BLOCK_CAP",
    "BLOCKING_COLUMNS",
    "DEFAULT_THRESHOLD",
    "WEAK_BAND",
    "NAME_IN_DESCRIPTION_SHARE",
    "MIN_WEAK_LINKS",
    "MIN_WEAK_SHARE",
    "VENDOR_KVK_LEVEL",
    "settings_creator",
    "capped_blocking_columns",
    "COMPARISON_LABELS",
    "NATIONAL_THRESHOLD",
    "NATIONAL_LABELS",
    "national_settings_creator",
]

BLOCK_CAP = 100
# the name-tail blocking key: the last _TAIL letters of a first name word of at least _MIN_TAIL_WORD
_TAIL = 5
_MIN_TAIL_WORD = 8
DEFAULT_THRESHOLD = 0.7
# pairs scored in [threshold - WEAK_BAND, threshold) are weak links: they join two clusters of one
# department only when corroborated (cluster.merge_corroborated)
WEAK_BAND = 0.2
MIN_WEAK_LINKS = 2
MIN_WEAK_SHARE = 0.2
# gamma_vendor of the "zelfde KvK-nummer" level (the first non-null level of _vendor_comparison)
VENDOR_KVK_LEVEL = 5

BLOCKING_COLUMNS = ("blk_kb", "blk_kvk", "blk_name_first", "blk_name_last", "blk_vendor_name3", "blk_vendor_dept",
                    "blk_name4_dept", "blk_name_tail_dept", "blk_initials_dept", "blk_vendor_words")

# Dutch labels of comparison outcomes, used in provenance match_reason (see cluster.py).
COMPARISON_LABELS = {
    "kb_product": {1: "zelfde KB-product", 0: "ander KB-product"},
    "vendor": {VENDOR_KVK_LEVEL: "zelfde KvK-nummer", 4: "leverancier gelijk", 3: "leverancier lijkt",
               2: "leverancier: zelfde naamdeel of afkorting", 1: "ander KvK-nummer"},
    "department": {1: "zelfde afdeling", 0: "andere afdeling"},
    "description": {2: "omschrijving lijkt sterk", 1: "omschrijving lijkt"},
    "name_in_description": {1: "naam staat in de omschrijving van de ander"},
}
# share of a name's content words (and at least 2) that must occur in the other's description
NAME_IN_DESCRIPTION_SHARE = 0.6


def _shared_tokens(col: str) -> str:
    """Number of tokens two profiles share. Token lists are sorted, distinct integer ids
    (:func:`features.prepare_profiles`); filtering one list by membership in the other is several
    times faster in DuckDB than ``list_intersect`` on strings."""
    return f"len(list_filter({col}_l, lambda t: list_contains({col}_r, t)))"


def _jaccard_tokens(col: str) -> str:
    shared = _shared_tokens(col)
    # the lists are distinct, so |l ∪ r| = |l| + |r| − |l ∩ r| (no list_distinct(list_concat(…)))
    return f"({shared}::DOUBLE / nullif(len({col}_l) + len({col}_r) - {shared}, 0))"


def _custom(levels: list, name: str) -> ComparisonCreator:
    from splink.comparison_library import CustomComparison

    return CustomComparison(comparison_levels=levels, output_column_name=name)


def _name_comparison() -> ComparisonCreator:
    jac = _jaccard_tokens("name_tokens")
    subset = f"({_shared_tokens('name_tokens')} = least(len(name_tokens_l), len(name_tokens_r)))"
    return _custom(
        [
            cll.CustomLevel("name_norm_l IS NULL OR name_norm_r IS NULL", "naam ontbreekt").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("name_norm").configure(tf_adjustment_column="name_norm", tf_adjustment_weight=0.5),
            cll.CustomLevel("jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.94", "naam bijna gelijk"),
            cll.CustomLevel(f"{jac} >= 0.6 OR {subset}", "naam: zelfde woorden"),
            cll.CustomLevel("jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.85", "naam lijkt"),
            cll.CustomLevel("list_has_any(name_tokens_l, name_tokens_r)", "naam: een woord gelijk"),
            cll.ElseLevel(),
        ],
        "name",
    )


def _vendor_comparison() -> ComparisonCreator:
    return _custom(
        [
            cll.CustomLevel(
                "(vendor_norm_l IS NULL OR vendor_norm_r IS NULL) AND (vendor_kvk_l IS NULL OR vendor_kvk_r IS NULL)",
                "leverancier ontbreekt",
            ).configure(is_null_level=True),
            cll.CustomLevel("vendor_kvk_l = vendor_kvk_r", "zelfde KvK-nummer"),
            cll.ExactMatchLevel("vendor_norm").configure(
                tf_adjustment_column="vendor_norm", tf_adjustment_weight=0.5
            ),
            cll.CustomLevel("jaro_winkler_similarity(vendor_norm_l, vendor_norm_r) >= 0.88", "leverancier lijkt"),
            cll.CustomLevel(
                "list_has_any(vendor_words_l, vendor_words_r) OR vendor_short_l = vendor_initials_r "
                "OR vendor_short_r = vendor_initials_l",
                "leverancier: zelfde naamdeel of afkorting",
            ),
            cll.CustomLevel("vendor_kvk_l <> vendor_kvk_r", "ander KvK-nummer"),
            cll.ElseLevel(),
        ],
        "vendor",
    )


def _exact_comparison(col: str, name: str) -> ComparisonCreator:
    return _custom(
        [
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.ElseLevel(),
        ],
        name,
    )


def _description_comparison() -> ComparisonCreator:
    jac = _jaccard_tokens("desc_tokens")
    return _custom(
        [
            cll.CustomLevel("desc_tokens_l IS NULL OR desc_tokens_r IS NULL", "omschrijving ontbreekt").configure(
                is_null_level=True
            ),
            cll.CustomLevel(f"{jac} >= 0.5", "omschrijving lijkt sterk"),
            cll.CustomLevel(f"{jac} >= 0.2", "omschrijving lijkt"),
            cll.ElseLevel(),
        ],
        "description",
    )


def _name_in_description_comparison() -> ComparisonCreator:
    def found(a: str, b: str) -> str:
        shared = f"len(list_filter(name_words_{a}, lambda t: list_contains(desc_tokens_{b}, t)))"
        need = f"greatest(2, ceil({NAME_IN_DESCRIPTION_SHARE} * len(name_words_{a})))"
        return f"(name_words_{a} IS NOT NULL AND desc_tokens_{b} IS NOT NULL AND {shared} >= {need})"

    return _custom(
        [
            cll.CustomLevel(
                "(name_words_l IS NULL OR desc_tokens_r IS NULL) AND (name_words_r IS NULL OR desc_tokens_l IS NULL)",
                "naam of omschrijving ontbreekt",
            ).configure(is_null_level=True),
            cll.CustomLevel(f"{found('l', 'r')} OR {found('r', 'l')}", "naam staat in de omschrijving van de ander"),
            cll.ElseLevel(),
        ],
        "name_in_description",
    )


def settings_creator() -> SettingsCreator:
    """The linkage settings (untrained); ``model.json`` holds the same settings with trained m/u."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=0.001,
        comparisons=[
            _name_comparison(),
            _vendor_comparison(),
            _exact_comparison("department_norm", "department"),
            _exact_comparison("kb_product_id", "kb_product"),
            _description_comparison(),
            _name_in_description_comparison(),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("blk_kb"),
            block_on("blk_kvk"),
            block_on("blk_name_first"),
            block_on("blk_name_last"),
            block_on("blk_vendor_name3"),
            block_on("blk_vendor_dept"),
            block_on("blk_name4_dept"),
            block_on("blk_name_tail_dept"),
            block_on("blk_initials_dept"),
            block_on("blk_vendor_words", arrays_to_explode=["blk_vendor_words"]),
        ],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )


def _codes(values: pd.Series) -> np.ndarray:
    """Integer code per value, -1 for a missing one."""
    return pd.factorize(values.astype("object").to_numpy(dtype=object), use_na_sentinel=True)[0].astype(np.int64)


def _key(*parts: np.ndarray) -> np.ndarray:
    """Code of the combination of several code arrays; -1 when any part is missing."""
    out = parts[0]
    for part in parts[1:]:
        combined = out * (int(part.max(initial=0)) + 2) + (part + 1)
        out = np.where((out < 0) | (part < 0), -1, pd.factorize(combined)[0])
    return out.astype(np.int64)


def _refine(codes: np.ndarray, refinements: list[np.ndarray], cap: int) -> pd.arrays.IntegerArray:
    """Blocking values (integer codes); a value shared by more than ``cap`` profiles is refined by the
    next column (e.g. name + vendor, then + department; a missing refinement value counts as a value
    of its own) and dropped (NULL) when still too common."""
    codes = codes.copy()
    for extra in [*refinements, None]:
        valid = codes >= 0
        if not valid.any():
            break
        counts = np.bincount(codes[valid])
        too_big = valid & (counts[np.where(valid, codes, 0)] > cap)
        if not too_big.any():
            break
        if extra is None:
            codes[too_big] = -1
            break
        refined = np.where(too_big, extra + 1, -1)  # -1: not refined; 0: refined by a missing value
        combined = codes * (int(extra.max(initial=0)) + 3) + (refined + 1)
        codes = np.where(valid, pd.factorize(combined)[0], -1)
    return pd.arrays.IntegerArray(np.maximum(codes, 0), mask=codes < 0)


def capped_blocking_columns(profiles: pd.DataFrame, cap: int = BLOCK_CAP) -> pd.DataFrame:
    """Add the ``blk_*`` blocking columns (see the module docstring): no block exceeds ``cap`` profiles."""
    out = add_vendor_features(profiles, max(cap // 5, 2))
    name_s = out["name_norm"].astype("object")
    first_s = out["name_first"].astype("object")
    last_s = name_s.str.split(" ").str[-1]
    name, first = _codes(name_s), _codes(first_s)
    last = _codes(last_s.where(last_s != first_s, None))
    vendor, dept = _codes(out["vendor_norm"]), _codes(out["department_norm"])
    kvk, kb = _codes(out["vendor_kvk"]), _codes(out["kb_product_id"])
    name3, name4 = _codes(name_s.str.slice(0, 3)), _codes(name_s.str.slice(0, 4))
    out["blk_kb"] = _refine(kb, [vendor, dept, name], cap)
    out["blk_kvk"] = _refine(kvk, [first, dept, name], cap)
    out["blk_name_first"] = _refine(first, [vendor, dept, kb], cap)
    out["blk_name_last"] = _refine(last, [vendor, dept, kb], cap)
    out["blk_vendor_name3"] = _refine(_key(vendor, name3), [dept, name], cap)
    out["blk_vendor_dept"] = _refine(_key(vendor, dept), [first, name], cap)
    # typos past the 4th letter ("Neobugertracker"), abbreviated vendors ("MHT" / "mobiele handhaving techniek")
    # (weaker keys, so smaller blocks: at most ``cap // 5`` profiles)
    small = max(cap // 5, 2)
    out["blk_name4_dept"] = _refine(_key(name4, dept), [vendor, name], small)
    # ... and typos in the first 4 letters ("Sarthandhavingsense"): the end of a long first word
    tail = first_s.where(first_s.str.len() >= _MIN_TAIL_WORD, None).str.slice(-_TAIL)
    out["blk_name_tail_dept"] = _refine(_key(_codes(tail), dept), [vendor, name], small)
    abbrev = out["vendor_short"].astype("object").fillna(out["vendor_initials"].astype("object"))
    abbrev = _codes(abbrev.where(abbrev.str.len() >= 2, None))
    out["blk_initials_dept"] = _refine(_key(abbrev, dept), [first, name], small)
    return out


# --- the national picture: register entries of many organisations, on DuckDB or Spark -------------
# Only Splink's own comparison levels are used here, so Splink writes the SQL for either backend.
# m/u are fixed (no EM per run): both backends then score every pair the same way.
NATIONAL_THRESHOLD = 0.8
# Dutch labels of the national comparison outcomes (gamma level -> text), for the products' reasons
NATIONAL_LABELS = {
    "name": {6: "naam gelijk", 5: "naam bijna gelijk", 4: "naam: zelfde woorden", 3: "naam: zelfde eerste woord",
             2: "naam lijkt", 1: "naam: een woord gelijk"},
    "provider": {2: "leverancier gelijk", 1: "leverancier lijkt"},
    "description": {2: "omschrijving lijkt sterk", 1: "omschrijving lijkt"},
    "organisation": {1: "zelfde organisatie"},
}


def _mu(level, m: float, u: float):
    return level.configure(m_probability=m, u_probability=u)


def national_settings_creator() -> SettingsCreator:
    """Settings for linking national-register entries (any organisation's, and this municipality's
    published ones) into national products. Input columns: ``unique_id``, ``name_norm``,
    ``name_words`` (list), ``name_key`` (first content word), ``provider_norm``, ``desc_words``
    (list), ``org_key`` and the capped ``blk_*`` columns of :func:`transforms.national.records.prepare_records`."""
    from splink.comparison_library import CustomComparison

    name = CustomComparison(output_column_name="name", comparison_levels=[
        cll.NullLevel("name_norm"),
        _mu(cll.ExactMatchLevel("name_norm"), 0.5, 0.0005),
        _mu(cll.JaroWinklerLevel("name_norm", 0.94), 0.12, 0.002),
        _mu(cll.ArrayIntersectLevel("name_words", 2), 0.12, 0.003),
        _mu(cll.ExactMatchLevel("name_key"), 0.1, 0.004),
        _mu(cll.JaroWinklerLevel("name_norm", 0.85), 0.06, 0.02),
        _mu(cll.ArrayIntersectLevel("name_words", 1), 0.06, 0.05),
        _mu(cll.ElseLevel(), 0.04, 0.9205),
    ])
    provider = CustomComparison(output_column_name="provider", comparison_levels=[
        cll.NullLevel("provider_norm"),
        _mu(cll.ExactMatchLevel("provider_norm"), 0.75, 0.01),
        _mu(cll.JaroWinklerLevel("provider_norm", 0.9), 0.1, 0.01),
        _mu(cll.ElseLevel(), 0.15, 0.98),
    ])
    description = CustomComparison(output_column_name="description", comparison_levels=[
        cll.NullLevel("desc_words"),
        _mu(cll.ArrayIntersectLevel("desc_words", 6), 0.45, 0.004),
        _mu(cll.ArrayIntersectLevel("desc_words", 3), 0.3, 0.06),
        _mu(cll.ElseLevel(), 0.25, 0.935),
    ])
    organisation = CustomComparison(output_column_name="organisation", comparison_levels=[
        cll.NullLevel("org_key"),
        _mu(cll.ExactMatchLevel("org_key"), 0.01, 0.02),
        _mu(cll.ElseLevel(), 0.99, 0.98),
    ])
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=0.003,
        comparisons=[name, provider, description, organisation],
        blocking_rules_to_generate_predictions=[
            block_on("blk_name"), block_on("blk_provider"),
            block_on("blk_name_words", arrays_to_explode=["blk_name_words"]),
        ],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )
