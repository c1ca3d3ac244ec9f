"""The real-data detection bench: folds by organisation, and a one-line skip without ../shared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from bench.detect import _NO_REAL
from bench.detect_real import _org_folds, evaluate_real


@given(st.lists(st.sampled_from([f"Gemeente {c}" for c in "ABCDEFGHIJKL"]), min_size=1, max_size=80),
       st.integers(min_value=2, max_value=6))
def test_an_organisation_is_in_exactly_one_fold_and_folds_are_balanced(orgs, k):
    folds = _org_folds(pd.Series(orgs, dtype="object"), k)
    assert set(folds) == set(orgs) and all(0 <= f < k for f in folds.values())
    sizes = pd.Series(orgs).map(folds).value_counts()
    biggest = pd.Series(orgs).value_counts().max()
    assert sizes.max() - sizes.min() <= biggest or len(sizes) < k


def test_without_dev_data_the_bench_says_so_in_one_line(tmp_path):
    missing = {"register": tmp_path / "nope.json", "cpv": tmp_path / "nope.tsv"}
    assert evaluate_real(0.5, missing) is None
    assert "\n" not in _NO_REAL and "../shared/data" in _NO_REAL
    assert Path(missing["register"]).exists() is False
