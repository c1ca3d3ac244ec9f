"""Tender CPV codes survive the warehouse round trip into ``mentions`` and fire the CPV signal.

A DuckDB ``VARCHAR[]`` column comes back as a numpy array; it must be read as a list of codes
(it once was dropped, so the CPV signal never fired on any tender)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from connectors.base import SourceSpec
from connectors.ted import load as load_ted
from transforms.detect import detect_signals
from transforms.normalise.mentions import to_mentions
from warehouse import connect, read_table
from warehouse.loaders import raw_table_name, store_source_result

FIXTURE = Path(__file__).parent / "fixtures" / "ted_eforms" / "cn_24_minimal.xml"


@pytest.fixture
def eforms_folder(tmp_path):
    folder = tmp_path / "ted"
    folder.mkdir()
    xml = FIXTURE.read_text(encoding="utf-8")
    assert "72230000" in xml  # the real notice's code (software development services)
    (folder / "cn.xml").write_text(xml.replace(">72230000<", ">72316000<"), encoding="utf-8")  # data analysis
    return folder


def test_real_eforms_notice_cpv_reaches_mentions_and_signal(tmp_path, eforms_folder):
    result = load_ted(SourceSpec(id="ted", type="ted", path=eforms_folder))
    assert result.frame["cpv_codes"].iloc[0][:1] == ["72316000"]
    with connect(tmp_path / "w.duckdb") as con:
        store_source_result(con, "ted", "ted", result, None, 0.1)
        raw = read_table(con, raw_table_name("ted"))
    assert isinstance(raw["cpv_codes"].iloc[0], np.ndarray)  # the shape that used to be dropped
    mentions = to_mentions("ted", "ted", raw, "Gemeente Voorbeeldstad")
    assert mentions["cpv_codes"].iloc[0][:1] == ["72316000"]
    signals = detect_signals(mentions)
    cpv = signals[signals["kind"] == "cpv"]
    assert len(cpv) == 1 and cpv["detail"].iloc[0] == "72316000"
    assert "Data-analysediensten" in cpv["reason"].iloc[0]


@pytest.mark.parametrize("value, expected", [
    (np.array(["48460000", "72316000"], dtype=object), ["48460000", "72316000"]),
    (["72316000"], ["72316000"]),
    ('["72316000", "48000000"]', ["72316000", "48000000"]),
    ("72316000, 48000000", ["72316000", "48000000"]),
    (None, []),
    (float("nan"), []),
    (np.array([], dtype=object), []),
])
def test_cpv_codes_any_shape(value, expected):
    import pandas as pd

    frame = pd.DataFrame({"row_ref": ["1"], "title": ["Data-analyse"], "cpv_codes": [value]})
    assert to_mentions("tenderned", "tn", frame, "Gemeente X")["cpv_codes"].iloc[0] == expected
