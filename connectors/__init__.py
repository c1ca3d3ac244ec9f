"""Connectors: fetch and parse one kind of source into a DataFrame of that source's own shape.

Each connector module exposes ``load(spec: SourceSpec) -> ConnectorResult``; :func:`load_source`
dispatches on ``spec.type``. No Dagster here.
"""

from __future__ import annotations

from collections import Counter
from importlib import import_module

from connectors.base import ConnectorResult, SourceSpec, empty_quarantine
from transforms.errors import ConfigError
from transforms.privacy.redact import IDENTIFIER_COLUMNS, redact_frame

__all__ = [
    "ConnectorResult",
    "SourceSpec",
    "empty_quarantine",
    "load_source",
    "redact_result",
    "SOURCE_TYPES",
    "MENTION_TYPES",
    "PEER_TYPES",
    "LITERACY_TYPES",
]

_MODULES = {
    "spend_ledger": "connectors.ledger",
    "tenderned": "connectors.tenderned",
    "ted": "connectors.ted",
    "application_portfolio": "connectors.portfolio",
    "survey": "connectors.survey",
    "dpia_register": "connectors.dpia",
    "national_register": "connectors.national_register",
    "amsterdam_register": "connectors.amsterdam",
    "eurocities_register": "connectors.eurocities",
    "training_register": "connectors.training",
    "headcount": "connectors.headcount",
}
SOURCE_TYPES = tuple(_MODULES)
MENTION_TYPES = ("spend_ledger", "tenderned", "ted", "application_portfolio", "survey")
PEER_TYPES = ("national_register", "amsterdam_register", "eurocities_register")
LITERACY_TYPES = ("training_register", "headcount")  # AI literacy (transforms.monitor.literacy)


def load_source(spec: SourceSpec) -> ConnectorResult:
    """Read one configured source; raises a :class:`~transforms.errors.SourceError` on failure."""
    try:
        module = import_module(_MODULES[spec.type])
    except KeyError:
        raise ConfigError(
            f"source '{spec.id}': unknown type '{spec.type}'; use one of {', '.join(SOURCE_TYPES)}"
        ) from None
    return redact_result(module.load(spec))


def redact_result(result: ConnectorResult) -> ConnectorResult:
    """``result`` with personal data redacted from every text column and from quarantined raw text,
    before anything is stored (docs/security.md); identifier columns are left alone."""
    frame, n_frame = redact_frame(result.frame, skip=IDENTIFIER_COLUMNS)
    quarantine, n_quarantine = redact_frame(result.quarantine, ("reason", "raw_text"))
    counts = Counter(result.redactions)
    counts.update(n_frame)
    counts.update(n_quarantine)
    return ConnectorResult(frame=frame, quarantine=quarantine, rows_in=result.rows_in, notes=result.notes,
                           rows_loaded=result.rows_loaded, rows_filtered=result.rows_filtered, redactions=dict(counts))
