"""The peer model: what real organisations register as algorithms, learned at run time.

Fitted per run (per municipality) on the loaded peers' registrations (positives: each entry's name
alone and its name with its description) against ordinary procurement vocabulary (the shipped
Dutch CPV labels, ``transforms/vocab/cpv_labels_nl.tsv``) and the municipality's own bulk of ledger
lines and portfolio applications (negatives: mostly not AI). A logistic regression over word (1-2) and character (3-5)
n-grams of the folded text; deterministic (fixed order, liblinear, no random sampling).

A text used for fitting is never scored by a model that saw it: the own distinct texts are
split into two folds by a stable hash and each fold is scored by the model fitted on the other fold
(other texts by the mean of both). Only distinct texts are vectorised and scored.

Every score is explainable in Dutch: the words of the text that weighed most, and the nearest real
registrations ("lijkt op 'Parkeervergunningen' van Gemeente X en Gemeente Y").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.detect.tfidf import transform_texts
from transforms.detect.vocabulary import VOCAB_DIR, spaced_series

__all__ = ["PeerModel", "fit_peer_model", "peer_documents", "load_cpv_labels", "own_texts", "OWN_BULK_SOURCES", "MODEL_LIMITS"]

# caps that keep a fit to a second or two on 2 cores, whatever the size of the municipality
MODEL_LIMITS = {"max_positive_docs": 8000, "max_own_negatives": 6000, "min_positive_docs": 20,
                "own_weight": 3.0, "max_registrations": 12000,
                "description_chars": 400, "max_words": 60}
_EXPLAIN_MIN_SIMILARITY = 0.18
_CHUNK = 500


@lru_cache(maxsize=2)
def load_cpv_labels(path: str | None = None) -> tuple[str, ...]:
    """The shipped ordinary procurement labels (AI-like labels screened out; see docs/detection.md)."""
    file = Path(path) if path else VOCAB_DIR / "cpv_labels_nl.tsv"
    lines = file.read_text(encoding="utf-8").splitlines()[1:]
    return tuple(line.split("\t")[0].strip() for line in lines if line.strip())


def _stable_fold(texts: pd.Series, folds: int = 2) -> np.ndarray:
    return np.array([int(hashlib.blake2b(t.encode("utf-8"), digest_size=4).hexdigest(), 16) % folds
                     for t in texts], dtype=np.int64)


def peer_documents(entries: pd.DataFrame | None) -> pd.DataFrame:
    """Peer registrations as model documents: DataFrame[name, organisation, title, full] (spaced text)."""
    cols = ["name", "organisation", "title", "full"]
    if entries is None or len(entries) == 0 or "name" not in entries.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    df = entries.reset_index(drop=True)
    name = df["name"].astype(object).where(df["name"].notna(), "").astype(str).str.strip()
    desc = pd.Series("", index=df.index, dtype="object")
    for col in ("description_short", "goal", "description"):
        if col in df.columns:
            more = df[col].astype(object).where(df[col].notna(), "").astype(str)
            desc = desc.where(desc.str.len() > 0, more)
    desc = desc.str.slice(0, MODEL_LIMITS["description_chars"])
    org = df["organisation"].astype(object).where(df["organisation"].notna(), "").astype(str) \
        if "organisation" in df.columns else pd.Series("", index=df.index, dtype="object")
    title = spaced_series(name)
    full = spaced_series(name + " " + desc)
    out = pd.DataFrame({"name": name, "organisation": org, "title": title, "full": full})
    return out[out["title"].str.len() > 0].drop_duplicates(["organisation", "full"]).reset_index(drop=True)


OWN_BULK_SOURCES = ("spend_ledger", "application_portfolio")


def own_texts(mentions: pd.DataFrame | None) -> pd.Series:
    """The municipality's own bulk texts, mostly not AI: the distinct texts (as detection reads them)
    of its ledger lines and application portfolio, sorted. The negatives its model adds."""
    from transforms.detect.texts import mention_texts

    if mentions is None or len(mentions) == 0 or "source_type" not in mentions.columns:
        return pd.Series(dtype="object")
    bulk = mentions[mentions["source_type"].astype(object).isin(OWN_BULK_SOURCES)]
    cols = [c for c in ("title", "product", "description") if c in bulk.columns]
    bulk = bulk[cols].drop_duplicates()
    return pd.Series(sorted(set(mention_texts(bulk)[2].tolist()) - {""}), dtype="object")


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                 token_pattern=r"(?u)\b[a-z0-9][a-z0-9]+\b", dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                 max_features=200_000, dtype=np.float32)),
    ])


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", max_iter=500)


def _cap(texts: pd.Series, n: int) -> pd.Series:
    """At most ``n`` texts, a deterministic spread (every k-th of the sorted distinct texts)."""
    texts = pd.Series(sorted(set(texts.tolist())), dtype="object")
    if len(texts) <= n:
        return texts
    return texts.iloc[np.linspace(0, len(texts) - 1, n).round().astype(int)].drop_duplicates().reset_index(drop=True)


@dataclass
class PeerModel:
    """A fitted peer model: ``probability`` and ``explain`` over spaced texts."""

    vectorizer: object
    classifiers: list
    held_out: list[frozenset]
    peers: pd.DataFrame
    peer_matrix: object
    title_matrix: object
    n_positive: int
    n_negative: int
    words: dict = field(default_factory=dict)

    def _fold_weights(self, texts: pd.Series) -> np.ndarray:
        """Per text and classifier: 1 when that classifier may score it (it did not fit on it), normalised."""
        w = np.ones((len(texts), len(self.classifiers)), dtype=float)
        for k, held in enumerate(self.held_out):
            if held:
                w[:, k] = [0.0 if t in held else 1.0 for t in texts]
        w[w.sum(axis=1) == 0] = 1.0  # cannot happen with two folds; safe either way
        return w / w.sum(axis=1, keepdims=True)

    def probability(self, texts: pd.Series) -> np.ndarray:
        """Probability per (spaced) text that it reads like a peer registration; scored once per distinct text."""
        texts = pd.Series(texts, dtype="object").fillna("")
        codes, uniq = pd.factorize(texts)
        uniq = pd.Series(uniq, dtype="object")
        if len(uniq) == 0:
            return np.zeros(len(texts))
        x = transform_texts(self.vectorizer, _clip(uniq))
        probs = np.column_stack([c.predict_proba(x)[:, 1] for c in self.classifiers])
        p = (probs * self._fold_weights(uniq)).sum(axis=1)
        p[uniq.str.len().to_numpy() == 0] = 0.0
        return p[codes]

    def nearest(self, texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Per text the most similar distinct peer registration (row of ``peers``) and its cosine
        similarity (the best of name and name + description); computed in chunks, keeping only the best."""
        texts = pd.Series(texts, dtype="object")
        best = np.zeros(len(texts), dtype=np.int64)
        sim = np.zeros(len(texts), dtype=float)
        for start in range(0, len(texts), _CHUNK):
            x = transform_texts(self.vectorizer, _clip(texts.iloc[start:start + _CHUNK]))
            m = (x @ self.peer_matrix.T).maximum(x @ self.title_matrix.T).tocsr()
            if m.nnz == 0:
                continue
            arg = np.asarray(m.argmax(axis=1)).ravel()
            best[start:start + len(arg)] = arg
            sim[start:start + len(arg)] = m[np.arange(m.shape[0]), arg].A1
        return best, sim

    def explain(self, texts: pd.Series) -> list[str]:
        """A Dutch reason per text: the words that weighed most and the nearest real registrations."""
        texts = pd.Series(texts, dtype="object").fillna("")
        uniq = pd.Series(pd.unique(texts), dtype="object")
        coef = np.mean([c.coef_.ravel() for c in self.classifiers], axis=0)
        word_lists = [list(dict.fromkeys(w for w in t.split(" ") if len(w) >= 3))[:MODEL_LIMITS["max_words"]]
                      for t in _clip(uniq)]
        vocab = sorted({w for ws in word_lists for w in ws})
        weight = {}
        if vocab:
            contrib = np.asarray(transform_texts(self.vectorizer, pd.Series(vocab, dtype="object")) @ coef).ravel()
            weight = dict(zip(vocab, contrib.tolist(), strict=True))
        best, sim = self.nearest(uniq)
        out = {}
        for i, text in enumerate(uniq.tolist()):
            top = sorted((w for w in word_lists[i] if weight.get(w, 0) > 0), key=lambda w: -weight[w])[:3]
            parts = []
            if top:
                parts.append("woorden die zwaar wogen: " + ", ".join(f"'{w}'" for w in top))
            near = _nearest_phrase(int(best[i]), float(sim[i]), self.peers)
            if near:
                parts.append(near)
            out[text] = "; ".join(parts)
        return [out[t] for t in texts.tolist()]


def _clip(texts: pd.Series) -> pd.Series:
    """Texts as the model reads them: the first ``description_chars`` + 100 characters (it was fitted
    on names with at most that much description; long tender texts add cost, not evidence)."""
    return pd.Series(texts, dtype="object").str.slice(0, MODEL_LIMITS["description_chars"] + 100)


def _nearest_phrase(best: int, sim: float, peers: pd.DataFrame) -> str:
    if sim < _EXPLAIN_MIN_SIMILARITY:
        return ""
    name, orgs = peers["name"].iat[best], list(peers["organisations"].iat[best])
    if not orgs:
        return f"lijkt op de registratie '{name}'"
    shown = " en ".join(orgs[:2]) if len(orgs) <= 2 else ", ".join(orgs[:2]) + f" en {len(orgs) - 2} andere"
    return f"lijkt op '{name}' van {shown}"


def _distinct_registrations(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct registration text (name, title, full) with the organisations that
    register that name, sorted; capped to a deterministic spread for the similarity search."""
    orgs = docs.groupby("title")["organisation"].agg(lambda o: sorted({x for x in o if x}))
    out = docs.drop_duplicates("full").sort_values("full", kind="stable").reset_index(drop=True)
    if len(out) > MODEL_LIMITS["max_registrations"]:
        keep = np.linspace(0, len(out) - 1, MODEL_LIMITS["max_registrations"]).round().astype(int)
        out = out.iloc[np.unique(keep)].reset_index(drop=True)
    return out.assign(organisations=out["title"].map(orgs))[["name", "title", "full", "organisations"]]


_CACHE: dict[str, PeerModel | None] = {}


def _fingerprint(docs: pd.DataFrame, negatives, ledger) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (docs["organisation"], docs["full"], pd.Series(list(negatives or ()), dtype="object"),
                 pd.Series([] if ledger is None else list(ledger), dtype="object")):
        h.update("\x1f".join(map(str, part.tolist())).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


def fit_peer_model(entries: pd.DataFrame | None, negatives: list[str] | tuple[str, ...] | None = None,
                   ledger: pd.Series | None = None) -> PeerModel | None:
    """Fit the peer model, or None when there are too few peer registrations to learn from.

    ``entries``: peer register entries (name, description_short/goal, organisation);
    ``negatives``: ordinary procurement labels (default: the shipped CPV labels);
    ``ledger``: the municipality's own bulk texts (``own_texts``), split in two folds (module doc).
    The same inputs give the same model; the last fit is kept, so the assets of one run share it.
    """
    docs = peer_documents(entries)
    key = _fingerprint(docs, negatives, ledger)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _fit(docs, negatives, ledger)
    return _CACHE[key]


def _fit(docs: pd.DataFrame, negatives, ledger) -> PeerModel | None:
    if len(docs) < MODEL_LIMITS["min_positive_docs"]:
        return None
    pos = pd.concat([docs["title"], docs["full"]], ignore_index=True)
    pos = _cap(pos[pos.str.len() > 0], MODEL_LIMITS["max_positive_docs"])
    base_neg = spaced_series(pd.Series(list(load_cpv_labels() if negatives is None else negatives), dtype="object"))
    base_neg = pd.Series(sorted(set(base_neg[base_neg.str.len() > 0]) - set(pos)), dtype="object")
    led = pd.Series(dtype="object") if ledger is None else _cap(pd.Series(ledger, dtype="object"),
                                                                 MODEL_LIMITS["max_own_negatives"])
    led = led[~led.isin(set(pos))].reset_index(drop=True)
    vec = _vectorizer()
    vec.fit(pd.concat([pos, base_neg, led], ignore_index=True))
    x_pos, x_neg = transform_texts(vec, pos), transform_texts(vec, base_neg)
    classifiers, held = [], []
    folds = _stable_fold(led) if len(led) >= 2 else np.zeros(len(led), dtype=np.int64)
    fold_ids = sorted(set(folds.tolist())) if len(led) >= 2 else [None]
    from scipy.sparse import vstack

    for k in fold_ids:
        part = led[folds == k] if k is not None else led
        x = vstack([x_pos, x_neg, transform_texts(vec, part)]) if len(part) else vstack([x_pos, x_neg])
        y = np.r_[np.ones(x_pos.shape[0]), np.zeros(x_neg.shape[0] + len(part))]
        weight = np.r_[np.ones(x_pos.shape[0] + x_neg.shape[0]), np.full(len(part), MODEL_LIMITS["own_weight"])]
        clf = _classifier().fit(x, y, sample_weight=weight)
        classifiers.append(clf)
        held.append(frozenset(part.tolist()))
    if len(classifiers) == 1 and len(led):
        held = [frozenset()]  # one tiny ledger: nothing to swap with; its texts are few
    regs = _distinct_registrations(docs)
    return PeerModel(vectorizer=vec, classifiers=classifiers, held_out=held, peers=regs,
                     peer_matrix=transform_texts(vec, regs["full"]), title_matrix=transform_texts(vec, regs["title"]), n_positive=int(x_pos.shape[0]), n_negative=int(x_neg.shape[0] + len(led)))
