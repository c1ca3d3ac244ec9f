"""AI literacy: the training-register and headcount connectors and the coverage figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors import load_source
from connectors.base import SourceSpec
from transforms.errors import SourceFormatError
from transforms.monitor.literacy import headcount_from_config, literacy_figures
from transforms.privacy.pseudonyms import load_or_create_key, person_key

LMS = """Personeelsnummer;Naam medewerker;E-mailadres;Afdeling;Functie;Cursus;Status;Afgerond op
P1001;Annelies Brouwerhaven;annelies.brouwerhaven@lms-fixture.nl;Burgerzaken;Eigenaar AI-systeem;AI-geletterdheid: basis;Afgerond;12-03-2026
P1002;Bas Quakkelaar;bas.quakkelaar@lms-fixture.nl;Burgerzaken;Gebruiker AI-systeem;AI-geletterdheid: basis;Afgerond;2026-10-02
P1003;Corine Wijnhoudt;corine.wijnhoudt@lms-fixture.nl;Burgerzaken;Gebruiker AI-systeem;AI-geletterdheid: basis;Gestart;
P1003;Corine Wijnhoudt;corine.wijnhoudt@lms-fixture.nl;Burgerzaken;Gebruiker AI-systeem;Privacy en AVG: basis;Afgerond;01-02-2024
P1004;Dirk Vlasblom;dirk.vlasblom@lms-fixture.nl;Belastingen;Gebruiker AI-systeem;Training kunstmatige intelligentie;Afgerond;15-12-2026
P1005;Esther Pronkhorst;esther.pronkhorst@lms-fixture.nl;Belastingen;Medewerker;Informatiebeveiliging bewust;Afgerond;03-05-2025
P1006;Frank Dijkhuizenberg;frank.dijkhuizenberg@lms-fixture.nl;Handhaving;Gebruiker AI-systeem;AI-geletterdheid: basis;Afgerond;31-02-2026
;;;Handhaving;Medewerker;AI-geletterdheid: basis;Afgerond;01-06-2026
"""
HEADCOUNT = """Afdeling;Functie;Aantal medewerkers;Moet getraind
Burgerzaken;Eigenaar AI-systeem;1;ja
Burgerzaken;Gebruiker AI-systeem;4;ja
Burgerzaken;Medewerker;30;nee
Belastingen;;2;ja
Handhaving;Gebruiker AI-systeem;veel;ja
"""
NAMES = ("annelies", "brouwerhaven", "quakkelaar", "wijnhoudt", "vlasblom", "pronkhorst", "dijkhuizenberg",
         "lms-fixture", "p1001", "p1004")


def write_fixtures(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    lms, hc = folder / "lms_export.csv", folder / "formatie.csv"
    lms.write_text(LMS, encoding="utf-8")
    hc.write_text(HEADCOUNT, encoding="utf-8")
    return lms, hc


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    lms, hc = write_fixtures(tmp_path / "data")
    return lms, hc, tmp_path / "var"


def _training(lms: Path, data_dir: Path):
    return load_source(SourceSpec(id="lms", type="training_register", path=lms,
                                  options={"pseudonym_dir": str(data_dir)}))


def test_training_register_is_pseudonymised(files):
    lms, _hc, data_dir = files
    res = _training(lms, data_dir)
    assert res.rows_in == 8 and res.rows_loaded == 6 and res.rows_quarantined == 2
    frame = res.frame
    assert list(frame.columns) == ["row_ref", "person_key", "department", "role", "course", "completed_on", "completed"]
    text = (frame.astype(str).to_csv() + res.quarantine.astype(str).to_csv()).lower()
    assert not [n for n in NAMES if n in text], "names, e-mails or employee ids were kept"
    key = load_or_create_key(data_dir)
    assert person_key("P1001", key) in set(frame["person_key"])
    assert frame["person_key"].nunique() == 5  # P1003 has two rows
    reasons = " | ".join(res.quarantine["reason"])
    assert "31-02-2026" in reasons and "medewerker onbekend" in reasons
    started = frame[frame["course"].str.startswith("AI") & ~frame["completed"]]
    assert len(started) == 1 and started["completed_on"].isna().all()


def test_training_register_needs_a_person_column(tmp_path):
    bad = tmp_path / "lms.csv"
    bad.write_text("Afdeling;Cursus;Afgerond op\nBurgerzaken;AI basis;01-01-2026\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="identifies a person"):
        _training(bad, tmp_path / "var")


def test_headcount_connector(files):
    _lms, hc, _ = files
    res = load_source(SourceSpec(id="formatie", type="headcount", path=hc))
    assert res.rows_in == 5 and res.rows_loaded == 4 and res.rows_quarantined == 1
    assert "'veel'" in res.quarantine["reason"].iloc[0]
    assert res.frame["headcount"].tolist() == [1, 4, 30, 2]
    assert res.frame["must_train"].tolist() == [True, True, False, True]


def test_coverage_per_department_role_and_who_lacks_it(files):
    lms, hc, data_dir = files
    training = _training(lms, data_dir).frame
    headcount = load_source(SourceSpec(id="formatie", type="headcount", path=hc)).frame
    fig = literacy_figures(training, headcount, ["Afdeling Burgerzaken", "Handhaving"], as_of=dt.date(2026, 11, 30),
                           required_roles=["Eigenaar AI-systeem", "Gebruiker AI-systeem"])
    depts = {d["department"]: d for d in fig.departments}
    # Burgerzaken: owner + one user done of 1 + 4 who must; the course completed in December does not count yet
    assert (depts["Burgerzaken"]["trained"], depts["Burgerzaken"]["required"]) == (2, 5)
    assert depts["Burgerzaken"]["pct"] == pytest.approx(40.0) and depts["Burgerzaken"]["has_ai_systems"]
    assert (depts["Belastingen"]["trained"], depts["Belastingen"]["required"]) == (0, 2)
    # Handhaving owns AI but has no usable headcount row: listed, no percentage (never 0/0 = 100%)
    assert depts["Handhaving"]["pct"] is None and depts["Handhaving"]["required"] is None
    assert (fig.required, fig.trained) == (7, 2) and fig.coverage_pct == pytest.approx(200 / 7)
    roles = {r["role"]: r for r in fig.roles}
    assert roles["Eigenaar AI-systeem"]["pct"] == 100.0 and roles["Gebruiker AI-systeem"]["trained"] == 1
    lacking = {(p["role"], p["department"]) for p in fig.lacking}
    assert ("Gebruiker AI-systeem", "Burgerzaken") in lacking and ("Gebruiker AI-systeem", "Belastingen") in lacking
    assert all(len(p["person"]) == 10 for p in fig.lacking)
    assert fig.trend[-1]["period"] == "2026-11" and fig.trend[-1]["trained"] == 2
    assert [t["trained"] for t in fig.trend] == sorted(t["trained"] for t in fig.trend)  # cumulative
    k = fig.kpis()
    assert k["literacy_required"] == 7 and k["literacy_coverage_pct"] == pytest.approx(28.6)
    assert k["literacy_ai_departments_without_data"] == 1
    # a month later the December completion counts
    later = literacy_figures(training, headcount, [], as_of=dt.date(2026, 12, 31))
    assert later.trained == 3


def test_coverage_without_any_data_has_no_percentage():
    empty_t = pd.DataFrame(columns=["person_key", "department", "role", "course", "completed_on", "completed"])
    empty_h = pd.DataFrame(columns=["department", "role", "headcount", "must_train"])
    fig = literacy_figures(empty_t, empty_h, ["Burgerzaken"], as_of=dt.date(2026, 11, 30))
    assert fig.coverage_pct is None and "literacy_coverage_pct" not in fig.kpis()
    assert fig.notes and fig.departments[0]["pct"] is None
    fig = literacy_figures(empty_t, headcount_from_config({"Burgerzaken": 12}), [], as_of=dt.date(2026, 11, 30))
    assert fig.required == 12 and fig.coverage_pct == 0.0


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.sampled_from(["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"]), st.text(max_size=12))
def test_completion_dates_parse_back_and_junk_never_raises(day, fmt, junk):
    from connectors.training import parse_dates

    parsed = parse_dates(pd.Series([day.strftime(fmt), junk, None], dtype=object))
    assert parsed.iloc[0].date() == day
    assert pd.isna(parsed.iloc[2])
