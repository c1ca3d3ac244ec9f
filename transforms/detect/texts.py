"""The texts detection reads from a mention: ``head`` (title, with the product when it differs),
``body`` (description, blank when it repeats the head) and ``both`` (head and body), spaced-folded.
One construction for the signals and for the peer model's own-text negatives, so a text the model
fitted on is recognised exactly when it is scored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.detect.vocabulary import spaced_series
from transforms.text import factorize_text

__all__ = ["mention_texts", "column", "text_column"]


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as objects, or all None when the frame lacks it."""
    if name in frame.columns:
        return frame[name].astype("object")
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as it is (pandas' ``str`` columns factorise natively, see
    ``transforms.text.factorize_text``), or all None when the frame lacks it."""
    return frame[name] if name in frame.columns else column(frame, name)


def mention_texts(mentions: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(head, body, both) per mention, spaced-folded. Computed once per distinct (title, product,
    description): a ledger of a million lines repeats a few hundred descriptions."""
    names = ("title", "product", "description")
    code = np.zeros(len(mentions), dtype=np.int64)
    distinct_values = []
    for name in names:
        codes, uniques = factorize_text(text_column(mentions, name))
        code = code * (len(uniques) + 1) + (codes + 1)
        code = pd.factorize(code)[0]  # keep the combined code small
        distinct_values.append((codes, uniques))
    code, first = _first_rows(code)
    distinct = pd.DataFrame({name: np.append(uniques, None)[codes[first]]  # code -1 (missing) -> None
                             for name, (codes, uniques) in zip(names, distinct_values, strict=True)})
    head, body, both = _texts(distinct)
    return tuple(pd.Series(s.to_numpy(dtype=object)[code], index=mentions.index, dtype="object")
                 for s in (head, body, both))


def _first_rows(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group per row, first row of each group) for dense group codes 0..k-1."""
    first = np.full(int(code.max()) + 1 if len(code) else 0, len(code), dtype=np.int64)
    np.minimum.at(first, code, np.arange(len(code), dtype=np.int64))
    return code, first


def _texts(mentions: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
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
