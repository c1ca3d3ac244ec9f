"""Detection: which mentions are AI or algorithm use, with the signals and reasons behind each score.

Modules, in the order a run uses them:
- ``vocabulary``: the shipped term, vendor and CPV vocabulary and its compiled patterns;
- ``sources``: signals particular to one kind of source (portfolio, survey, knowledge base);
- ``cross``: evidence across sources (the same vendor or product seen elsewhere);
- ``score``: all signals of a mention combined into ``ai_score`` and ``is_candidate``.

Scoring any table of descriptions (``aigrip classify``) is ``transforms.classify.table``.
"""

from transforms.detect.score import (
    DEFAULT_THRESHOLD,
    SCORE_COLUMNS,
    SIGNAL_COLUMNS,
    detect_signals,
    score_mentions,
)

__all__ = ["detect_signals", "score_mentions", "SIGNAL_COLUMNS", "SCORE_COLUMNS", "DEFAULT_THRESHOLD"]
