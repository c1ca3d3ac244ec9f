"""The texts detection reads from a mention: ``head`` (title, with the product when it differs),
``body`` (description, blank when it repeats the head) and ``both`` (head and body), spaced-folded.
One construction for the signals and for the peer model's own-text negatives, so a text the model
fitted on is recognised exactly when it is scored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.detect.vocabulary import spaced_series

__all__ = ["mention_texts", "column"]


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as objects, or all None when the frame lacks it."""
    if name in frame.columns:
        return frame[name].astype("object")
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def mention_texts(mentions: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(head, body, both) per mention, spaced-folded (each distinct value folded once)."""
    title = column(mentions, "title")
    product = column(mentions, "product")
    with_product = product.notna().to_numpy() & (product.fillna("").astype(str).str.len() > 0).to_numpy()
    if with_product.any():
        t, p = title.fillna("").astype(str), product.fillna("").astype(str)
        title = pd.Series(np.where(with_product & (p.to_numpy() != t.to_numpy()), t + " | " + p, t),
                          index=mentions.index, dtype="object")
    head = spaced_series(title)
    description = column(mentions, "description")
    if description.notna().any():
        body = spaced_series(description)
        body = body.where(body != head, "")
    else:
        body = pd.Series("", index=mentions.index, dtype="object")
    return head, body, (head + " " + body).str.strip()
