"""Reading register files for ``aigrip validate``: JSON (an entry, a list, or the register's site-data
download) and CSV exports in UTF-8 (with or without BOM), UTF-16 or Windows-1252, comma or semicolon.

:func:`read_register_file` returns ``(label, entry, note)`` per record: ``entry`` is the dict to check
against standard 1.0, or None when the record is of another standard version (then ``note`` says so).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

from transforms.errors import RegisterValidationError

__all__ = ["read_register_file", "decode_text", "DOWNLOAD_METADATA"]

# Keys the register's downloads add to an entry that are not fields of the standard.
DOWNLOAD_METADATA = ("create_dt", "language", "state", "owner", "id", "uuid", "algorithm_id_old", "released",
                     "published", "version_id", "last_update_dt")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a file: BOMs first, then UTF-8, then Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8"
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        return data.decode("utf-16-le"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def read_register_file(path: Path | str, from_csv: Callable[[dict], dict]) -> list[tuple[str, dict | None, str]]:
    """The records of a register file; ``from_csv`` turns one CSV row into an entry."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterValidationError(f"{path}: cannot read the file ({exc.strerror}); give a JSON or CSV export") from None
    text, _encoding = decode_text(data)
    if text.lstrip()[:1] in ("{", "["):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise RegisterValidationError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno}); fix the file") from None
        return _json_records(doc)
    return _csv_records(path, text, from_csv)


def _json_records(doc: Any) -> list[tuple[str, dict | None, str]]:
    if isinstance(doc, dict) and isinstance(doc.get("algoritme_versions"), list):
        out = []
        for n, rec in enumerate(doc["algoritme_versions"], start=1):
            if not isinstance(rec, dict):
                out.append((f"#{n}", rec, ""))
                continue
            label = _label(n, rec)
            version = str(rec.get("standard_version") or "")
            if not version.startswith("1.0"):
                out.append((label, None, f"standaard {version or 'onbekend'}: niet getoetst aan 1.0"))
                continue
            entry = {k: v for k, v in rec.items() if k not in DOWNLOAD_METADATA and v not in (None, "", [])}
            entry["standard_version"] = "1.0"
            out.append((label, entry, ""))
        return out
    entries = doc if isinstance(doc, list) else [doc]
    return [(_label(n, e if isinstance(e, dict) else {}), e, "") for n, e in enumerate(entries, start=1)]


def _csv_records(path: Path, text: str, from_csv) -> list[tuple[str, dict | None, str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if "name" not in (reader.fieldnames or []):
        raise RegisterValidationError(f"{path}: neither JSON nor a register CSV export with a 'name' column; "
                                      "export the register as JSON or CSV (publicatiestandaard 1.0)")
    return [(_label(n, row), from_csv(row), "") for n, row in enumerate(reader, start=1)]


def _label(n: int, rec: dict) -> str:
    name = rec.get("name") if isinstance(rec, dict) else None
    lars = rec.get("lars") or rec.get("algorithm_id") if isinstance(rec, dict) else None
    return f"#{n} {name or '(zonder naam)'}" + (f" ({lars})" if lars else "")
