"""The inbox: new source files dropped in ``<data_dir>/inbox/<source_id>/`` (no Dagster here).

A file dropped in a source's inbox folder is checked (the source's own connector must read it and
load at least one row) and then either **added** to the source or **replaces** it, by source type:

- added (``ADD_TYPES``): a purchase ledger (a new month), a survey (a new round), a training
  register (a new LMS export). The file joins ``<data_dir>/sources/<source_id>/added/``; every run
  reads the configured file plus every added file. A row whose reference already came in an earlier
  file is quarantined as delivered twice, so the accounting still holds.
- replaced (every other type): an application portfolio, a DPIA register, a register dump, a tender
  export. The file becomes ``<data_dir>/sources/<source_id>/current/<name>`` and is read instead of
  the configured file; the file it replaces moves to ``<data_dir>/inbox/archive/<source_id>/``.

A file that cannot be read, has no usable row, has the wrong kind of name, or names a source that
does not exist moves to ``<data_dir>/inbox/rejected/`` with ``<name>.waarom.txt`` beside it saying why
(in Dutch). ``aigrip.yaml`` is never rewritten. Files whose name starts with ``.`` or ``~$`` (editor
temp files) and files changed in the last ``settle_seconds`` (still being copied) are left for later.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from connectors import ConnectorResult, SourceSpec, load_source
from transforms.errors import AigripError

__all__ = ["ADD_TYPES", "EXTENSIONS", "InboxOutcome", "inbox_dir", "source_files", "load_source_files",
           "process_inbox"]

ADD_TYPES = ("spend_ledger", "survey", "training_register")
EXTENSIONS = {
    "spend_ledger": (".csv", ".txt", ".xlsx"),
    "survey": (".xlsx", ".csv"),
    "training_register": (".xlsx", ".csv"),
    "application_portfolio": (".xlsx", ".csv"),
    "dpia_register": (".xlsx", ".csv"),
    "headcount": (".xlsx", ".csv"),
    "tenderned": (".json",),
    "ted": (".json", ".xml"),
    "national_register": (".json", ".csv", ".xlsx"),
    "amsterdam_register": (".json",),
    "eurocities_register": (".csv",),
}


@dataclass
class InboxOutcome:
    accepted: list[tuple[str, str, str]] = field(default_factory=list)  # (source_id, file name, "toegevoegd"/"vervangen")
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (source_id or folder, file name, why)


def inbox_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "inbox"


def _store(data_dir: Path, source_id: str) -> Path:
    return Path(data_dir) / "sources" / source_id


def source_files(data_dir: Path, spec: SourceSpec) -> list[Path]:
    """The files a run reads for a file source: the configured or replacing file, then added files."""
    store = _store(data_dir, spec.id)
    current = sorted((store / "current").glob("*")) if (store / "current").is_dir() else []
    first = current[-1] if current else spec.path
    added = sorted(p for p in (store / "added").glob("*") if p.is_file()) if (store / "added").is_dir() else []
    return [p for p in [first, *added] if p is not None]


def _answer_keys(frame: pd.DataFrame) -> pd.Series:
    """The file row each frame row comes from: a survey answer naming several systems gives several
    rows (``row_ref`` R12-1, R12-2) of one answer (R12); any other source has one row per file row."""
    if "answer_index" in frame.columns and "response_id" in frame.columns:
        return frame["response_id"].astype(str)
    return frame["row_ref"].astype(str)


def load_source_files(data_dir: Path, spec: SourceSpec) -> ConnectorResult:
    """Load a source from all its files (see :func:`source_files`); API sources load as configured."""
    if spec.path is None:
        return load_source(spec)
    files = source_files(data_dir, spec)
    if len(files) == 1:
        return load_source(replace(spec, path=files[0]))
    results: list[tuple[Path, ConnectorResult]] = [(f, load_source(replace(spec, path=f))) for f in files]
    frames, quarantines, seen = [], [], {}
    rows_in = rows_loaded = rows_filtered = 0
    redactions: Counter = Counter()
    for i, (path, res) in enumerate(results):
        rows_in += int(res.rows_in or 0)
        rows_loaded += int(res.rows_loaded or 0)
        rows_filtered += int(getattr(res, "rows_filtered", 0) or 0)
        redactions.update(getattr(res, "redactions", {}) or {})
        q = res.quarantine.copy()
        frame = res.frame
        if i > 0:
            q["row_ref"] = path.name + ":" + q["row_ref"].astype(str)
            if "row_ref" in frame.columns:
                refs = frame["row_ref"].astype(str)
                answer = _answer_keys(frame)
                dup = answer.isin(set(answer[refs.isin(seen)]))  # a whole answer, even when it names two systems
                if dup.any():
                    twice = pd.DataFrame({"answer": answer[dup], "ref": refs[dup]})
                    twice = twice[twice["ref"].isin(seen)].drop_duplicates("answer")  # one line per file row
                    q = pd.concat([q, pd.DataFrame({
                        "row_ref": path.name + ":" + twice["ref"],
                        "reason": [f"dubbel aangeleverd: {r} staat al in {seen[r]}" for r in twice["ref"]],
                        "raw_text": None,
                    })], ignore_index=True)
                    frame = frame[~dup.to_numpy()]
                    rows_loaded -= len(twice)
        if "row_ref" in frame.columns:
            seen.update({str(r): path.name for r in frame["row_ref"]})
        frames.append(frame)
        quarantines.append(q)
    out = ConnectorResult(frame=pd.concat(frames, ignore_index=True),
                          quarantine=pd.concat(quarantines, ignore_index=True), rows_in=rows_in,
                          rows_loaded=rows_loaded, rows_filtered=rows_filtered, redactions=dict(redactions))
    out.notes.append(f"{len(files)} bestanden: " + ", ".join(p.name for p in files))
    return out


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _reject(data_dir: Path, path: Path, why: str, now: dt.datetime) -> Path:
    folder = inbox_dir(data_dir) / "rejected"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_stamp(now)}-{path.name}"
    shutil.move(str(path), target)
    target.with_name(target.name + ".waarom.txt").write_text(
        f"{path.name} is niet verwerkt ({now:%d-%m-%Y %H:%M}).\nReden: {why}\n"
        "Verbeter het bestand en zet het opnieuw in de inbox.\n", encoding="utf-8")
    return target


def _check(spec: SourceSpec, path: Path) -> str | None:
    """Why ``path`` cannot be taken as a file of this source, or None when it can."""
    allowed = EXTENSIONS.get(spec.type, ())
    if spec.path is None:
        return f"bron '{spec.id}' haalt zijn gegevens uit een API, niet uit een bestand"
    if path.suffix.lower() not in allowed:
        return f"een {spec.type}-bestand moet eindigen op {' of '.join(allowed)}, niet op '{path.suffix or '(niets)'}'"
    try:
        res = load_source(replace(spec, path=path))
    except AigripError as exc:
        return f"het bestand kan niet gelezen worden: {exc}"
    if res.rows_loaded == 0:
        first = res.quarantine["reason"].iloc[0] if len(res.quarantine) else "het bestand heeft geen gegevensrijen"
        return f"geen enkele bruikbare rij ({res.rows_quarantined} in quarantaine; bijvoorbeeld: {first})"
    return None


def process_inbox(data_dir: Path, specs: list[SourceSpec], settle_seconds: float = 10.0,
                  now: dt.datetime | None = None) -> InboxOutcome:
    """Check and file every settled file in the inbox; returns what was taken and what was refused."""
    now = now or dt.datetime.now()
    root = inbox_dir(data_dir)
    outcome = InboxOutcome()
    if not root.is_dir():
        return outcome
    by_id = {s.id: s for s in specs}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in ("rejected", "archive")):
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.name.startswith((".", "~$")) or time.time() - path.stat().st_mtime < settle_seconds:
                continue
            spec = by_id.get(folder.name)
            why = (f"er is geen bron met id '{folder.name}' in aigrip.yaml" if spec is None else _check(spec, path))
            if why:
                _reject(data_dir, path, why, now)
                outcome.rejected.append((folder.name, path.name, why))
                continue
            store = _store(data_dir, spec.id)
            if spec.type in ADD_TYPES:
                target = store / "added" / f"{_stamp(now)}-{path.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), target)
                outcome.accepted.append((spec.id, path.name, "toegevoegd"))
            else:
                current = store / "current"
                archive = root / "archive" / spec.id
                for old in sorted(current.glob("*")) if current.is_dir() else []:
                    archive.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(old), archive / old.name)
                current.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), current / f"{_stamp(now)}-{path.name}")
                outcome.accepted.append((spec.id, path.name, "vervangen"))
    return outcome
