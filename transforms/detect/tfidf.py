"""The peer model's vectoriser, applied fast: the same matrix as ``FeatureUnion.transform``.

Character n-grams of the ``char_wb`` kind never cross a word boundary, so a text's counts are the sum
of its words' counts. A municipality's 60,000 distinct application names and ledger descriptions
share fewer than a thousand distinct words: each distinct word is analysed once by scikit-learn's
own ``CountVectorizer.transform`` and the text counts follow from one sparse product, instead of
slicing every n-gram of every text in Python. The tf-idf weighting is the vectoriser's own. Any other
kind of part (the word n-grams) is left to scikit-learn. ``tests/test_detect_equivalence.py`` checks
that the result equals ``vectorizer.transform`` exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

__all__ = ["transform_texts"]


def _by_words(part: object) -> bool:
    """Whether ``part`` is a fitted tf-idf vectoriser of char_wb n-grams with the default text handling."""
    return (isinstance(part, TfidfVectorizer) and part.analyzer == "char_wb" and part.input == "content"
            and part.preprocessor is None and part.tokenizer is None and part.strip_accents is None
            and part.lowercase and not part.binary and hasattr(part, "_tfidf"))


def _char_wb_counts(part: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    words_per_text = [t.lower().split() for t in texts]
    lengths = np.fromiter((len(w) for w in words_per_text), dtype=np.int64, count=len(texts))
    flat = [w for words in words_per_text for w in words]
    codes, uniq = pd.factorize(pd.Series(flat, dtype="object"))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    ones = np.ones(len(flat), dtype=part.dtype)
    per_text = sparse.csr_matrix((ones, (rows, codes)), shape=(len(texts), len(uniq)), dtype=part.dtype)
    per_word = CountVectorizer.transform(part, list(uniq))  # the counts, before tf-idf weighting
    counts = sparse.csr_matrix(per_text @ per_word, dtype=part.dtype)
    counts.eliminate_zeros()
    counts.sort_indices()
    return counts


def transform_texts(vectorizer: object, texts: pd.Series | list[str]) -> sparse.csr_matrix:
    """``vectorizer.transform(texts)`` for the peer model's ``FeatureUnion`` of tf-idf vectorisers."""
    texts = [str(t) for t in texts]
    if not isinstance(vectorizer, FeatureUnion) or vectorizer.transformer_weights or not texts:
        return vectorizer.transform(texts)
    parts = []
    for _name, part in vectorizer.transformer_list:
        if _by_words(part):
            parts.append(part._tfidf.transform(_char_wb_counts(part, texts), copy=False))
        else:
            parts.append(part.transform(texts))
    return sparse.hstack(parts).tocsr()
