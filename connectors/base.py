"""What every connector takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["SourceSpec", "ConnectorResult", "QUARANTINE_COLUMNS", "empty_quarantine"]

QUARANTINE_COLUMNS = ["row_ref", "reason", "raw_text"]


@dataclass(frozen=True)
class SourceSpec:
    """One configured source, free of any config-file machinery.

    ``options`` holds the type-specific keys of the source's config block (buyer, auth_env,
    sheet, date_from, …); ``columns`` maps the connector's field names to the file's headers.
    """

    id: str
    type: str
    path: Path | None = None
    url: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS})


@dataclass
class ConnectorResult:
    """A connector's output: loaded rows in the source's own shape, plus quarantined rows.

    Invariant: ``rows_in == len(frame) + len(quarantine)``.
    """

    frame: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=empty_quarantine)
    rows_in: int | None = None
    notes: list[str] = field(default_factory=list)
    #: personal data already redacted by the connector, by kind (transforms.privacy.redact.KINDS)
    redactions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_in is None:
            self.rows_in = len(self.frame) + len(self.quarantine)

    @property
    def rows_loaded(self) -> int:
        return len(self.frame)

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantine)
