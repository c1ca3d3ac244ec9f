"""Detection: which mentions are AI or algorithm use, with the signals and reasons behind each score.

Modules, in the order a run uses them:
- ``vocabulary``: the shipped term, vendor and CPV vocabulary and its compiled patterns;
- ``sources``: signals particular to one kind of source (portfolio, survey, knowledge base);
- ``cross``: evidence across sources (the same vendor or product seen elsewhere);
- ``peer_model`` / ``learned``: a model fitted per run on the peers' registrations against ordinary
  procurement vocabulary and the municipality's own ledger, and its ``peer_model`` signal;
- ``score``: all signals of a mention combined into ``ai_score`` and ``is_candidate``;
- ``kind``: the kind guess per candidate (``ai`` or rule-based ``algorithm``) with its reason.

Scoring any table of descriptions (``aigrip classify``) is ``transforms.classify.table``.
"""

from transforms.detect.kind import KIND_COLUMNS, guess_kinds
from transforms.detect.peer_model import PeerModel, fit_peer_model, own_texts
from transforms.detect.score import (
    DEFAULT_THRESHOLD,
    SCORE_COLUMNS,
    SIGNAL_COLUMNS,
    detect_signals,
    score_mentions,
)

__all__ = ["detect_signals", "score_mentions", "SIGNAL_COLUMNS", "SCORE_COLUMNS", "DEFAULT_THRESHOLD",
           "guess_kinds", "KIND_COLUMNS", "PeerModel", "fit_peer_model", "own_texts"]
