"""Signals from the peer model (``transforms.detect.peer_model``): one ``peer_model`` signal per
mention whose text reads like what peer organisations register, with a Dutch reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.detect.peer_model import PeerModel
from transforms.detect.vocabulary import Vocabulary

__all__ = ["peer_model_signals", "peer_model_weight"]

_COLUMNS = ["source_key", "kind", "detail", "weight", "reason"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "weight" else "object") for c in _COLUMNS})


def peer_model_weight(probability: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """Signal weight of a peer-model probability: ``min(max, scale * p)`` from ``floor`` up, else 0
    (weights.yaml, ``peer_model``)."""
    w = vocab.weights.get("peer_model") or {}
    p = np.asarray(probability, dtype=float)
    weight = np.minimum(float(w.get("max", 0.95)), float(w.get("scale", 1.0)) * p)
    return np.where(p >= float(w.get("floor", 0.2)), weight, 0.0)


def _percent(p: float) -> str:
    return f"{round(p * 100):d}%"


def peer_model_signals(keys: pd.Series, texts: pd.Series, model: PeerModel | None,
                       vocab: Vocabulary) -> pd.DataFrame:
    """``peer_model`` signals of the mentions (``texts``: spaced title + description). Each distinct
    text is scored and explained once."""
    if model is None or len(keys) == 0:
        return _empty()
    texts = pd.Series(texts.to_numpy(dtype=object), dtype="object").fillna("")
    codes, uniq = pd.factorize(texts)
    uniq = pd.Series(uniq, dtype="object")
    prob = model.probability(uniq)
    weight = peer_model_weight(prob, vocab)
    hit = np.flatnonzero(weight > 0)
    if len(hit) == 0:
        return _empty()
    why = model.explain(uniq.iloc[hit])
    reason = np.full(len(uniq), "", dtype=object)
    reason[hit] = [
        f"lijkt op wat andere organisaties als algoritme registreren (model op hun registraties: {_percent(p)})"
        + (f"; {w}" if w else "") for p, w in zip(prob[hit].tolist(), why, strict=True)]
    sel = weight[codes] > 0
    return pd.DataFrame({
        "source_key": keys.to_numpy(dtype=object)[sel],
        "kind": "peer_model",
        "detail": "peer_model",
        "weight": weight[codes][sel].astype(float),
        "reason": reason[codes][sel],
    })
