"""Person keys (keyed HMAC per data_dir) and spreadsheet cell neutralising."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.errors import ConfigError
from transforms.privacy.cells import neutralise_cell, neutralise_frame, restore_cell
from transforms.privacy.pseudonyms import KEY_FILE, load_or_create_key, person_key


def test_key_is_random_per_data_dir_and_private(tmp_path):
    a = load_or_create_key(tmp_path / "a")
    b = load_or_create_key(tmp_path / "b")
    assert a != b and len(a) == 32
    assert load_or_create_key(tmp_path / "a") == a  # stable once made
    mode = stat.S_IMODE(os.stat(tmp_path / "a" / KEY_FILE).st_mode)
    assert mode == 0o600


def test_person_key_keyed_and_normalised(tmp_path):
    key = load_or_create_key(tmp_path)
    other = load_or_create_key(tmp_path / "other")
    assert person_key(" Jan.Jansen@Gemeente.nl ", key) == person_key("jan.jansen@gemeente.nl", key)
    assert person_key("jan.jansen@gemeente.nl", key) != person_key("jan.jansen@gemeente.nl", other)
    assert person_key("", key) is None and person_key(None, key) is None
    assert len(person_key("x", key)) == 16


def test_unreadable_key_is_one_line(tmp_path):
    (tmp_path / KEY_FILE).write_text("not hex")
    with pytest.raises(ConfigError, match="pseudonym key"):
        load_or_create_key(tmp_path)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0", "+31 6", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert neutralise_cell(text).startswith("'")
    assert restore_cell(neutralise_cell(text)) == text


def test_numbers_newlines_and_control_characters():
    assert neutralise_cell(-3.5) == -3.5
    assert neutralise_cell("regel 1\nregel 2\tkolom") == "regel 1\nregel 2\tkolom"
    assert neutralise_cell("a\x00b\x07c") == "abc"
    assert restore_cell("'gewoon") == "'gewoon"
    assert restore_cell(neutralise_cell("'=al geneutraliseerd")) == "'=al geneutraliseerd"
    frame = neutralise_frame(pd.DataFrame({"naam": ["=1+1", "ok"], "bedrag": [1.5, -2.0]}))
    assert frame["naam"].tolist() == ["'=1+1", "ok"] and frame["bedrag"].tolist() == [1.5, -2.0]


@given(st.text())
def test_round_trip_for_any_text_without_control_characters(text):
    clean = "".join(ch for ch in text if ch in "\t\n\r" or not (ord(ch) < 32 or ord(ch) == 127))
    out = neutralise_cell(clean)
    assert not str(out).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_cell(out) == clean
