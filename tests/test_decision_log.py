"""The review decision log: validation, durability under concurrency, torn lines, de-duplication."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal

import pandas as pd
import pytest

from transforms.errors import DecisionLogError
from warehouse import connect, read_table, replace_table
from warehouse.decision_log import (
    ACTIONS,
    _locked,
    append_decision,
    decisions_frame,
    log_path,
    read_decisions,
    seed_log,
    validate_decision,
)


def _ev(**kw):
    base = {"reviewer": "jdevries", "action": "confirm", "system_id": "AIG-000001"}
    base.update(kw)
    return base


def test_log_path(tmp_path):
    assert log_path(tmp_path) == tmp_path / "decisions" / "decisions.jsonl"


def test_append_fills_id_and_time_and_writes_one_line(tmp_path):
    path = log_path(tmp_path)
    stored = append_decision(path, _ev(reason="klopt"))
    assert len(stored["event_id"]) == 32 and stored["at"].endswith("+00:00")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == stored
    assert read_decisions(path) == [stored]


@pytest.mark.parametrize(
    "event, words",
    [
        (_ev(action="approve"), "action must be one of"),
        (_ev(action="merge"), "'into'"),
        (_ev(action="merge", into="AIG-000001"), "into itself"),
        (_ev(action="split"), "source_keys"),
        (_ev(action="split", source_keys="ledger:1"), "list"),
        (_ev(action="split", source_keys=["nocolon"]), "<source_id>:<record key>"),
        (_ev(action="reject"), "'reason' is required"),
        (_ev(action="reject", reason="   "), "'reason' is required"),
        (_ev(action="defer"), "defer_until"),
        (_ev(action="defer", fields={"defer_until": "volgende week"}), "YYYY-MM-DD"),
        (_ev(action="edit"), "'fields'"),
        (_ev(action="edit", fields={"colour": "blauw"}), "field 'colour' is not allowed"),
        (_ev(action="edit", fields={"publication_category": "Heel belangrijk"}), "publication_category"),
        (_ev(reviewer=""), "'reviewer' is required"),
        (_ev(system_id="42"), "AIG-000123"),
        (_ev(system_id=None), "needs a system_id or source_keys"),
        (_ev(confirmed=True), "unknown key"),
        (_ev(at="gisteren"), "ISO date-time"),
        (_ev(event_id="a b"), "event_id"),
        (_ev(into="AIG-000002"), "only used by action 'merge'"),
    ],
)
def test_invalid_decisions_raise_one_readable_line(tmp_path, event, words):
    with pytest.raises(DecisionLogError) as info:
        append_decision(log_path(tmp_path), event)
    msg = str(info.value)
    assert words in msg and "\n" not in msg
    assert not log_path(tmp_path).exists() or log_path(tmp_path).read_text() == ""


def test_every_action_has_a_valid_form(tmp_path):
    examples = {
        "confirm": _ev(fields={"kind": "ai_system", "owner": "Sociaal Domein"}),
        "reject": _ev(action="reject", reason="geen AI", fields={"ground": "not_ai"}),
        "merge": _ev(action="merge", into="AIG-000002"),
        "split": _ev(action="split", source_keys=["ledger:F-1", "ledger:F-1"]),
        "edit": _ev(action="edit", fields={"next_review": "2026-12-01", "status_register": "In gebruik"}),
        "defer": _ev(action="defer", fields={"defer_until": "2026-06-01"}),
        "retire": _ev(action="retire", reason="uitgefaseerd"),
        "requirement": _ev(action="requirement", fields={"item": "aia-01", "status": "gedaan", "owner": "Team I&A",
                                                         "evidence": "https://intranet/ai-training", "date": "2026-11-01"}),
        "assessment": _ev(action="assessment", fields={"assessment": "DPIA", "status": "afgerond", "date": "2026-10-01",
                                                       "link": "https://intranet/dpia/12"}),
        "review": _ev(action="review", fields={"reviewed_on": "2026-11-20"}, reason="geen wijzigingen"),
        "erase": _ev(action="erase", system_id=None, fields={"person_key": "0123456789abcdef"}),
        "release": _ev(action="release", fields={"entry_hash": "0123456789abcdef"}),
        "publish": _ev(action="publish", fields={"entry_hash": "0123456789abcdef"}),
        "withdraw": _ev(action="withdraw", reason="niet meer in gebruik"),
    }
    assert set(examples) == set(ACTIONS)
    path = log_path(tmp_path)
    for event in examples.values():
        append_decision(path, event)
    events = read_decisions(path)
    assert [e["action"] for e in events] == list(examples)
    assert events[3]["source_keys"] == ["ledger:F-1"]


def test_duplicate_event_id_is_written_and_read_once(tmp_path):
    path = log_path(tmp_path)
    first = append_decision(path, _ev(event_id="abc123"))
    again = append_decision(path, _ev(event_id="abc123", reason="dubbel verstuurd"))
    assert again == first
    assert len(path.read_text().splitlines()) == 1
    # a duplicate written by hand (or by an older copy) is read once, first occurrence wins
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({**first, "reason": "kopie"}) + "\n")
    events = read_decisions(path)
    assert len(events) == 1 and events[0]["reason"] is None


def test_missing_log_reads_empty(tmp_path):
    assert read_decisions(log_path(tmp_path)) == []


def _writer(path: str, worker: int, count: int) -> None:
    for i in range(count):
        append_decision(path, _ev(reason=f"w{worker}-{i}-" + "x" * 300))


def test_concurrent_writers_lose_nothing_and_never_interleave(tmp_path):
    path = log_path(tmp_path)
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 160
    parsed = [json.loads(line) for line in lines]  # every line is one whole JSON object
    reasons = {e["reason"].split("-x")[0] for e in parsed}
    assert reasons == {f"w{w}-{i}" for w in range(4) for i in range(40)}
    problems: list[str] = []
    assert len(read_decisions(path, problems)) == 160 and problems == []


def _torn_writer(path: str, ready) -> None:
    from pathlib import Path

    with _locked(Path(path), exclusive=True):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, b'{"event_id": "torn", "at": "2026-01-01T00:00:00+00:00", "revie')
        os.fsync(fd)
        ready.set()
        signal.pause()  # killed here, mid-write, while holding the lock


def test_writer_killed_mid_write_leaves_a_readable_log(tmp_path):
    path = log_path(tmp_path)
    before = append_decision(path, _ev(reason="voor"))
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    proc = ctx.Process(target=_torn_writer, args=(str(path), ready))
    proc.start()
    assert ready.wait(30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    problems: list[str] = []
    assert read_decisions(path, problems) == [before]  # torn tail skipped, never raises
    assert len(problems) == 1 and "torn last line" in problems[0] and "line 2" in problems[0]
    # the lock died with the writer; the next writer does not glue its event to the fragment
    after = append_decision(path, _ev(reason="na"))
    problems = []
    assert read_decisions(path, problems) == [before, after]
    assert len(problems) == 1 and "unusable line" in problems[0]


def test_invalid_line_in_the_middle_is_skipped_and_reported(tmp_path):
    path = log_path(tmp_path)
    path.parent.mkdir(parents=True)
    good = validate_decision(_ev(event_id="e1", at="2026-02-01T10:00:00Z"))
    path.write_text(
        json.dumps(good) + "\n" + '{"action": "explode", "reviewer": "x", "at": "2026-02-01"}\n' + "\n",
        encoding="utf-8",
    )
    problems: list[str] = []
    assert read_decisions(path, problems) == [good]
    assert len(problems) == 1 and "line 2" in problems[0] and "action must be one of" in problems[0]


def test_lines_without_event_id_get_a_stable_one(tmp_path):
    path = log_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"reviewer": "a", "action": "confirm", "system_id": "AIG-000009", "at": "2026-03-01T08:00:00"}\n')
    first, second = read_decisions(path), read_decisions(path)
    assert first == second and first[0]["at"] == "2026-03-01T08:00:00.000+00:00"


def test_seed_log_only_once(tmp_path):
    seed = tmp_path / "seed.jsonl"
    seed.write_text(
        json.dumps(_ev(at="2026-01-05T09:00:00Z")) + "\n"
        + json.dumps(_ev(action="reject", system_id="AIG-000002", reason="geen AI", at="2026-01-05T09:01:00Z")) + "\n",
        encoding="utf-8",
    )
    path = log_path(tmp_path / "data")
    assert seed_log(path, seed) == 2
    assert seed_log(path, seed) == 0
    events = read_decisions(path)
    assert [e["action"] for e in events] == ["confirm", "reject"]
    other = log_path(tmp_path / "other")
    seed_log(other, seed)
    assert [e["event_id"] for e in read_decisions(other)] == [e["event_id"] for e in events]  # deterministic


def test_seed_log_reports_bad_seed(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('[{"action": "confirm"}]', encoding="utf-8")
    with pytest.raises(DecisionLogError, match=r"seed\.json entry 1"):
        seed_log(log_path(tmp_path), seed)
    assert not log_path(tmp_path).exists()


def test_decisions_frame_loads_into_review_decisions(tmp_path):
    path = log_path(tmp_path)
    append_decision(path, _ev(at="2026-04-01T12:00:00+02:00", fields={"kind": "algorithm"}))
    append_decision(path, _ev(action="split", source_keys=["a:1", "b:2"], system_id=None))
    frame = decisions_frame(read_decisions(path))
    assert list(frame.columns) == [
        "event_id", "at", "reviewer", "action", "system_id", "source_keys", "into",
        "fields_json", "reason", "applied", "apply_note",
    ]
    assert frame["at"].iloc[0] == pd.Timestamp("2026-04-01 10:00:00")
    with connect(tmp_path / "w.duckdb") as con:
        assert replace_table(con, "review_decisions", frame) == 2
        back = read_table(con, "review_decisions").sort_values("action").reset_index(drop=True)
    assert json.loads(back.loc[0, "fields_json"]) == {"kind": "algorithm"}
    assert list(back.loc[1, "source_keys"]) == ["a:1", "b:2"]
    assert back["applied"].isna().all()


def test_decisions_frame_empty_has_the_table_shape(tmp_path):
    frame = decisions_frame([])
    assert len(frame) == 0 and "fields_json" in frame.columns
    with connect(tmp_path / "w.duckdb") as con:
        assert replace_table(con, "review_decisions", frame) == 0


@pytest.mark.parametrize(
    "fields, reason, words",
    [
        ({"status": "gedaan"}, None, "fields.item"),
        ({"item": "aia-01", "status": "klaar"}, None, "status must be one of niet gestart, bezig, gedaan"),
        ({"item": "aia-01", "status": "niet van toepassing"}, None, "a reason is required"),
        ({"item": "aia-01", "date": "1-11-2026"}, None, "'date' must be a date"),
    ],
)
def test_requirement_decisions_are_checked(tmp_path, fields, reason, words):
    with pytest.raises(DecisionLogError, match=words):
        append_decision(log_path(tmp_path), _ev(action="requirement", fields=fields, reason=reason))


def test_assessment_and_review_decisions_are_checked(tmp_path):
    with pytest.raises(DecisionLogError, match="fields.assessment must be one of DPIA, IAMA, FRIA"):
        append_decision(log_path(tmp_path), _ev(action="assessment", fields={"assessment": "PIA"}))
    with pytest.raises(DecisionLogError, match="a reason is required when an assessment is 'niet nodig'"):
        append_decision(log_path(tmp_path), _ev(action="assessment", fields={"assessment": "IAMA", "status": "niet nodig"}))
    with pytest.raises(DecisionLogError, match="'system_id' is required for action 'review'"):
        append_decision(log_path(tmp_path), {"reviewer": "x", "action": "review", "source_keys": ["a:b"]})
