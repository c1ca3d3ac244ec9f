"""Fast paths of detection give exactly what the vectorised originals give (issue 14: speed without
changing results)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.detect.vocabulary import spaced, spaced_series

_TEXT = st.one_of(st.none(), st.floats(allow_nan=True), st.integers(), st.booleans(),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
                  st.sampled_from(["Weet ik niet", "  ChatGPT\u00a0en DeepL ", "Café Ærø ß", "ﬁle\tAI",
                                   "n.v.t.", "Ja, zeker!", "", "\u2003"]))


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_spaced_scalar_equals_series(value):
    assert spaced(value) == spaced_series(pd.Series([value], dtype="object")).iloc[0]


def test_spaced_of_missing_values():
    assert spaced(None) == spaced(float("nan")) == spaced(pd.NA) == ""
