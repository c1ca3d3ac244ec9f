"""Fast paths of detection give exactly what the vectorised originals give (issue 14: speed without
changing results)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.detect import cross
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


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_detect_assets_read_less_but_score_the_same(demo_run):
    """The detect assets read only what detection uses (pipelines/defs/detect/reads.py); signals,
    scores and kind guesses are those of the whole mentions table."""
    import duckdb

    from pipelines.defs.detect.reads import bulk_mentions, candidate_mentions, detect_mentions
    from transforms.detect import detect_signals, fit_peer_model, guess_kinds, own_texts, score_mentions
    from warehouse import read_table

    con = duckdb.connect(str(demo_run.parent / "var" / "warehouse.duckdb"), read_only=True)
    try:
        full, slim = read_table(con, "mentions"), detect_mentions(con)
        assert len(slim) == len(full) and "raw_json" in slim.columns and "amount_eur" not in slim.columns
        assert list(own_texts(bulk_mentions(con))) == list(own_texts(full))
        peers, kb = read_table(con, "peer_register_entries"), read_table(con, "kb_products")
        model = fit_peer_model(peers, ledger=own_texts(full))
        before = detect_signals(full, kb, peer_model=model)
        after = detect_signals(slim, kb, peer_model=fit_peer_model(peers, ledger=own_texts(bulk_mentions(con))))
        pd.testing.assert_frame_equal(_sorted(before), _sorted(after))
        stored = read_table(con, "signals")
        pd.testing.assert_frame_equal(_sorted(before), _sorted(stored[before.columns]), check_dtype=False)
        scored = score_mentions(full, before)
        assert scored.equals(score_mentions(full[["source_key"]], before))
        keys = sorted(scored.loc[scored["is_candidate"], "source_key"])
        assert keys and keys == sorted(read_table(con, "candidates")["source_key"])
        sel = before[before["source_key"].isin(keys)]
        kinds_full = guess_kinds(full[full["source_key"].isin(keys)], sel, model)
        kinds_read = guess_kinds(candidate_mentions(con, keys), sel, model)
        pd.testing.assert_frame_equal(_sorted(kinds_full), _sorted(kinds_read))
    finally:
        con.close()


_CORPUS = ["parkeervergunning aanvragen", "woz waarde uitrekenen met taxatiemodel", "signaalmodel erfbelasting",
           "kantoorartikelen en papier", "schoonmaak gemeentehuis", "chatgpt en deepl vertaling",
           "risico prioriteren milieucontroles", "a", "", "x y z 12 345", "buitenbeter meldingen openbare ruimte"]
_WORDS = st.sampled_from(["parkeer", "vergunning", "woz", "model", "ai", "x", "12", "aanvragen", "schoonmaak",
                          "zzzzzzzz", "deepl", "risico", "Café", "ÆRØ", "taxatiemodel"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=8).map(" ".join), min_size=1, max_size=12)
       | st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_fast_transform_equals_vectorizer(texts):
    from transforms.detect.peer_model import _vectorizer
    from transforms.detect.tfidf import transform_texts

    vec = _vectorizer().fit(_CORPUS)
    a, b = vec.transform(texts), transform_texts(vec, texts)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert (a.indptr == b.indptr).all() and (a.indices == b.indices).all() and (a.data == b.data).all()


_CELL = st.one_of(st.none(), st.just(float("nan")), st.sampled_from(["Vera", "vera", "ChatGPT", "", " ", "WOZ | model",
                                                                      "Kantoorartikelen", "Parkeren"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), max_size=25))
def test_mention_texts_per_distinct_row_equal_per_row(rows):
    from transforms.detect.texts import _texts, mention_texts

    frame = pd.DataFrame(rows, columns=["title", "product", "description"], dtype="object")
    frame.index = frame.index * 3 + 7  # any index is kept
    fast, slow = mention_texts(frame), _texts(frame)
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_series_equal(a, b, check_names=False)


def _reference_vendor_groups(vendor_norm: pd.Series, kvk: pd.Series) -> tuple[np.ndarray, dict[str, str]]:
    """The union-find version before issue 14 (every pair through Python), kept as the reference."""
    vc, names = cross._clean_codes(vendor_norm, cross._usable_vendor)
    kc, numbers = cross._clean_codes(kvk, cross._usable_kvk)
    width = len(numbers) + 1
    pair_ids, inverse = np.unique((vc + 1) * width + (kc + 1), return_inverse=True)
    pv, pk = (pair_ids // width - 1).tolist(), (pair_ids % width - 1).tolist()
    uf = cross._UnionFind()
    kvks: dict[str, set] = {}
    for v, k in zip(pv, pk, strict=True):
        if v >= 0 and k >= 0:
            uf.union(("n", names[v]), ("k", numbers[k]))
            kvks.setdefault(names[v], set()).add(numbers[k])
    by_initials: dict[str, set] = {}
    for name in names:
        if " " in name:
            for ini in cross._initials(name):
                by_initials.setdefault(ini, set()).add(name)
    aliases: dict[str, str] = {}
    for name in names:
        if " " in name or not (3 <= len(name) <= 5) or not name.isalpha() or name not in by_initials:
            continue
        fulls = by_initials[name]
        if len({uf.find(("n", f)) for f in fulls}) != 1:
            continue  # ambiguous abbreviation: leave it alone
        mine, theirs = kvks.get(name, set()), set().union(*(kvks.get(f, set()) for f in fulls))
        if mine and theirs and not (mine & theirs):
            continue  # different companies by KvK number
        full = min(fulls, key=lambda f: (-len(f), f))  # the most complete spelling
        uf.union(("n", name), ("n", full))
        aliases[name] = full
    roots: dict = {}
    pair_code = np.array([roots.setdefault(uf.find(("n", names[v]) if v >= 0 else ("k", numbers[k])), len(roots))
                          if v >= 0 or k >= 0 else -1 for v, k in zip(pv, pk, strict=True)], dtype=np.int64)
    return pair_code[inverse.ravel()], aliases


_VENDOR = st.sampled_from(["mobiele handhaving techniek", "mht", "centric", "weet ik niet", "gemeente intern", "abc", "alpha beta c",
                           "alpha bravo charlie", "abc software", "", None, "deepl", "openai", "pink roccade", "prc"])
_KVK = st.sampled_from(["12345678", "1234", "87654321", "", None, "KvK 11223344", "12.345.678"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_VENDOR, _KVK), max_size=30))
def test_vendor_groups_equal_reference(rows):


    vendors = pd.Series([r[0] for r in rows], dtype="object")
    kvks = pd.Series([r[1] for r in rows], dtype="object")
    codes, aliases = cross.vendor_groups(vendors, kvks)
    ref_codes, ref_aliases = _reference_vendor_groups(vendors, kvks)
    assert codes.tolist() == ref_codes.tolist() and aliases == ref_aliases


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_fold_ascii_shortcut_equals_full_fold(value):
    import re
    import unicodedata

    from transforms.text import fold

    if value is None or (isinstance(value, float) and value != value):
        assert fold(value) == ""
        return
    s = unicodedata.normalize("NFKD", str(value))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    assert fold(value) == re.sub(r"\s+", " ", s.lower()).strip()


def test_raw_chunks_cover_every_row_in_order(tmp_path):
    """A raw table read in chunks (normalise writes big sources chunk by chunk) gives every row once, in order."""
    import duckdb

    from pipelines.defs.normalise.chunks import raw_chunks, write_chunks

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE raw_x AS SELECT i AS n, 'regel ' || i AS t FROM range(1050) r(i)")
    con.execute("DELETE FROM raw_x WHERE n % 7 = 3")  # gaps in rowid
    chunks = list(raw_chunks(con, "raw_x", rows=100))
    assert len(chunks) > 5
    got = pd.concat(chunks, ignore_index=True)
    assert got["n"].tolist() == [i for i in range(1050) if i % 7 != 3]
    con.execute("CREATE TABLE out_x (n BIGINT, t VARCHAR)")
    seen = []
    assert write_chunks(con, "out_x", iter(chunks), each=lambda c: seen.append(len(c))) == len(got)
    assert con.execute("SELECT n FROM out_x ORDER BY rowid").df()["n"].tolist() == got["n"].tolist()
    assert sum(seen) == len(got)

    def failing():
        yield chunks[0]
        raise RuntimeError("bron kapot")

    try:
        write_chunks(con, "out_x", failing())
    except RuntimeError:
        pass
    assert con.execute("SELECT count(*) FROM out_x").fetchone()[0] == len(got)  # all or nothing
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_incoming%'").fetchone()[0] == 0
    con.close()


def test_write_chunks_keeps_the_table_definition(tmp_path):
    """The staging copy that replaces the table has its key: a repeated key fails and leaves the old rows."""
    import duckdb

    from pipelines.defs.normalise.chunks import write_chunks

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE keyed (k VARCHAR PRIMARY KEY, v INTEGER NOT NULL)")
    con.execute("INSERT INTO keyed VALUES ('oud', 1)")
    first = pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})
    assert write_chunks(con, "keyed", iter([first, pd.DataFrame({"v": [3], "k": ["c"]})])) == 3
    assert con.execute("SELECT k, v FROM keyed ORDER BY rowid").fetchall() == [("a", 1), ("b", 2), ("c", 3)]
    with pytest.raises(duckdb.ConstraintException):
        write_chunks(con, "keyed", iter([first, first]))
    assert con.execute("SELECT count(*) FROM keyed").fetchone()[0] == 3
    ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'keyed'").fetchone()[0]
    assert "PRIMARY KEY" in ddl and "NOT NULL" in ddl
    con.close()
