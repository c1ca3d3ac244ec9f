"""The one exception hierarchy of aigrip.

Every error a user may see derives from :class:`AigripError`; ``str(error)`` is one readable line
that names the file or source and says how to fix it. The CLI prints that line and exits non-zero,
never a traceback.

::

    AigripError
     ├── ConfigError                 aigrip.yaml invalid, missing file, bad URL
     ├── SourceError                 one source failed; the run goes on without it (.source_id)
     │    ├── SourceFormatError      unreadable file: corrupt/password-protected XLSX, HTML for JSON, no header
     │    └── SourceFetchError       HTTP failure after retries, timeout
     ├── WarehouseError              warehouse or snapshot missing, locked, or too new
     ├── DecisionLogError            decision log unreadable, or a decision that cannot be applied
     └── RegisterValidationError     register entries fail publication standard 1.0 (.problems)
"""

from __future__ import annotations

__all__ = [
    "AigripError",
    "ConfigError",
    "SourceError",
    "SourceFormatError",
    "SourceFetchError",
    "WarehouseError",
    "DecisionLogError",
    "RegisterValidationError",
]


class AigripError(Exception):
    """Base class: a user-facing error with one readable line."""


class ConfigError(AigripError):
    """The configuration file is missing, invalid, or points at something that does not exist."""


class SourceError(AigripError):
    """One source could not be read; the rest of the run continues without it."""

    def __init__(self, message: str, source_id: str | None = None):
        self.source_id = source_id
        super().__init__(f"source '{source_id}': {message}" if source_id else message)


class SourceFormatError(SourceError):
    """A file or response is not in the expected format."""


class SourceFetchError(SourceError):
    """A server kept failing or timed out after the allowed retries."""


class WarehouseError(AigripError):
    """The warehouse or its published snapshot cannot be used."""


class DecisionLogError(AigripError):
    """The review decision log cannot be read, or a decision is invalid."""


class RegisterValidationError(AigripError):
    """Register entries do not meet the national publication standard 1.0."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)
