"""Readable lines for storage failures: a full disk, a read-only file system or file, no permission,
a file in use. Each line names the path and the real cause, never a traceback, and never calls a
read-only file "in use by another process".

:func:`describe_os_error` handles Python's ``OSError`` (by errno); :func:`describe_message` reads
the text of a DuckDB ``IOException`` (DuckDB reports the operating system's message in words).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

__all__ = ["describe_os_error", "describe_message", "storage_cause"]

_CAUSES = (  # (pattern in a DuckDB/OS message, cause)
    (re.compile(r"no space left on device|disk (is )?full|could not allocate|quota exceeded", re.I), "full"),
    (re.compile(r"read-only file system", re.I), "read_only_fs"),
    (re.compile(r"permission denied|operation not permitted|access is denied", re.I), "permission"),
    (re.compile(r"conflicting lock|could not set lock|lock on file", re.I), "locked"),
)
_ERRNO = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only_fs", errno.EACCES: "permission",
          errno.EPERM: "permission"}
_PATH_IN_MESSAGE = re.compile(r'"(/[^"]+)"|\'(/[^\']+)\'')


def storage_cause(message: str) -> str | None:
    """'full', 'read_only_fs', 'permission', 'locked' or None for a storage error message."""
    for pattern, cause in _CAUSES:
        if pattern.search(message or ""):
            return cause
    return None


def _free(path: Path) -> str:
    probe = path if path.is_dir() else path.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return ""
    return f" ({free / 1e6:,.1f} MB free)".replace(",", "_").replace(".", ",").replace("_", ".")


def _line(cause: str, path: Path, what: str) -> str:
    if cause == "full":
        return f"the disk is full: cannot {what} {path}{_free(path)}; free up space (or move data_dir) and run again"
    if cause == "read_only_fs":
        return f"cannot {what} {path}: the file system is mounted read-only; point data_dir to a writable folder"
    if cause == "permission":
        kind = "the file is read-only or belongs to another user" if path.exists() else "no permission in that folder"
        return f"cannot {what} {path}: {kind}; fix the permissions (chmod/chown) or point data_dir elsewhere"
    if cause == "locked":
        return f"cannot {what} {path}: it is in use by another aigrip process; wait for it to finish"
    return f"cannot {what} {path}"


def describe_os_error(exc: OSError, path: str | os.PathLike | None = None, what: str = "write") -> str:
    """One readable line for an ``OSError`` while writing ``path`` (default: the error's filename)."""
    target = Path(path or exc.filename or "?")
    cause = _ERRNO.get(exc.errno or -1) or storage_cause(str(exc))
    if cause:
        return _line(cause, target, what)
    return f"cannot {what} {target}: {exc.strerror or exc}"


def describe_message(message: str, path: str | os.PathLike | None = None, what: str = "write") -> str | None:
    """One readable line for a storage failure described in ``message`` (e.g. a DuckDB IOException),
    or None when the message is not about storage. The path is taken from the message if not given."""
    cause = storage_cause(message)
    if cause is None:
        return None
    if path is None:
        m = _PATH_IN_MESSAGE.search(message or "")
        path = (m.group(1) or m.group(2)) if m else "?"
    return _line(cause, Path(path), what)
