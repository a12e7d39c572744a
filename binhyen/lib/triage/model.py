"""The trained linear model: feature space, weights of the three heads, storage.

Inference does not call scikit-learn: a message's TF-IDF vector has a few hundred non-zero
entries, so its scores are one gather + one small matrix product in numpy (about 30 µs),
where going through ``TfidfVectorizer.transform`` + ``predict_proba`` per message costs
~1 ms. Training (``training.py``) uses scikit-learn's ``LogisticRegression`` and copies the
weights here.

An artifact is two files: ``<name>.npz`` (arrays only, loaded with ``allow_pickle=False``)
and ``<name>.json`` (human-readable metadata: version, creation time, training size,
parameters, held-back scores). Nothing is unpickled, so a model file cannot run code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from binhyen.lib.triage.features import Analysis, cue_features, token_char_grams

FORMAT = "binhyen-triage-model/1"
HEADS = ("intent", "category", "urgency")
_TOKEN_CACHE_MAX = 200_000


@dataclass
class Head:
    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)


@dataclass
class TrainedModel:
    version: str
    vocab: dict[str, int]  # n-gram -> column
    idf: np.ndarray
    cue_vocab: dict[str, int]  # cue feature -> column (after the n-grams)
    cue_weight: float
    heads: dict[str, Head]
    meta: dict[str, Any] = field(default_factory=dict)
    _stacked: np.ndarray | None = field(default=None, repr=False)
    _bias: np.ndarray | None = field(default=None, repr=False)
    _slices: dict[str, slice] = field(default_factory=dict, repr=False)
    _char_vocab: dict[str, int] = field(default_factory=dict, repr=False)
    _token_index: dict[str, int] = field(default_factory=dict, repr=False)
    _token_vecs: np.ndarray | None = field(default=None, repr=False)
    _token_sq: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _weighted: np.ndarray | None = field(default=None, repr=False)
    _idf2: np.ndarray | None = field(default=None, repr=False)
    _unigram_vocab: dict[str, int] = field(default_factory=dict, repr=False)
    _bigram_vocab: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    @property
    def n_features(self) -> int:
        return len(self.vocab) + len(self.cue_vocab)

    # --- features ----------------------------------------------------------------------

    def _gram_ids(self, tok: str) -> list[int]:
        """Feature ids of one token: its character n-grams and the word itself."""
        chars = self._char_vocab
        ids = [chars[g] for g in token_char_grams(tok) if g in chars]
        j = self._unigram_vocab.get(tok)
        if j is not None:
            ids.append(j)
        return ids

    def _ngram_ids(self, a: Analysis) -> list[int]:
        if not self._char_vocab:
            self._split_vocab()
        ids = [j for tok in a.model_tokens for j in self._gram_ids(tok)]
        ids += _known(self._bigram_vocab, pairwise(a.model_tokens))
        return ids

    def vectorize(self, a: Analysis) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of the message's feature vector (used for training).

        An n-gram's value is count × idf, divided by sqrt(Σ count × idf²) over the message:
        a length normalisation that, unlike the exact l2 norm, is a plain sum over tokens, so
        ``probabilities()`` can add up per-token contributions cached across messages."""
        ids = self._ngram_ids(a)
        if ids:
            cols, counts = np.unique(np.asarray(ids, dtype=np.intp), return_counts=True)
            idf = self.idf[cols]
            vals = counts * idf / np.sqrt(counts @ (idf * idf))
        else:
            cols, vals = np.zeros(0, dtype=np.intp), np.zeros(0)
        cue_cols = _known(self.cue_vocab, cue_features(a))
        if cue_cols:
            cols = np.concatenate([cols, np.asarray(cue_cols, dtype=np.intp)])
            vals = np.concatenate([vals, np.full(len(cue_cols), self.cue_weight)])
        return cols, vals

    def _split_vocab(self) -> None:
        """Look-up tables for inference: "c:" grams by string, words by token / token pair."""
        for gram, j in self.vocab.items():
            kind, text = gram[:2], gram[2:]
            if kind == "c:":
                self._char_vocab[text] = j
            elif " " in text:
                first, second = text.split(" ", 1)
                self._bigram_vocab[(first, second)] = j
            else:
                self._unigram_vocab[text] = j

    def matrix(self, analyses: list[Analysis]) -> Any:
        """Sparse feature matrix (scipy CSR) of many messages, for training."""
        # deferred: scipy is only needed to train, not to read a message
        from scipy import sparse

        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for a in analyses:
            cols, vals = self.vectorize(a)
            indices.append(cols)
            data.append(vals)
            indptr.append(indptr[-1] + len(cols))
        return sparse.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.intp),
                np.asarray(indptr),
            ),
            shape=(len(analyses), self.n_features),
        )

    # --- scoring -----------------------------------------------------------------------

    def _stack(self) -> None:
        blocks, biases, start = [], [], 0
        for name in HEADS:
            head = self.heads[name]
            blocks.append(head.coef.T)
            biases.append(head.intercept)
            self._slices[name] = slice(start, start + len(head.classes))
            start += len(head.classes)
        self._stacked = np.ascontiguousarray(np.hstack(blocks), dtype=np.float64)
        self._bias = np.concatenate(biases).astype(np.float64)
        n = len(self.vocab)
        self._weighted = self._stacked[:n] * self.idf[:, None]  # idf × weights per n-gram
        self._idf2 = self.idf * self.idf
        if not self._char_vocab:
            self._split_vocab()

    def _token_rows(self, toks: list[str]) -> list[int]:
        """Rows of the per-token table (Σ idf × weights, Σ idf²), adding unseen tokens.

        Messages share most of their tokens, so a message's n-gram part of the score is the
        sum of a few cached rows instead of hundreds of n-gram look-ups."""
        index = self._token_index
        missing = [t for t in dict.fromkeys(toks) if t not in index]
        if missing:
            if len(index) + len(missing) > _TOKEN_CACHE_MAX:
                index.clear()
            start = len(index)
            need = start + len(missing)
            if self._token_vecs is None or need > len(self._token_vecs):
                width = self._stacked.shape[1] if self._stacked is not None else 0
                vecs = np.zeros((max(1024, 2 * need), width))
                sqs = np.zeros(len(vecs))
                if self._token_vecs is not None and start:
                    vecs[:start] = self._token_vecs[:start]
                    sqs[:start] = self._token_sq[:start]
                self._token_vecs, self._token_sq = vecs, sqs
            assert self._weighted is not None and self._idf2 is not None
            for k, tok in enumerate(missing, start):
                ids = self._gram_ids(tok)
                self._token_vecs[k] = self._weighted[ids].sum(axis=0)
                self._token_sq[k] = self._idf2[ids].sum()
                index[tok] = k
        return [index[t] for t in toks]

    def scores(self, a: Analysis) -> np.ndarray:
        """Linear scores of all heads, stacked (same result as ``vectorize`` @ weights)."""
        if self._stacked is None:
            self._stack()
        assert self._stacked is not None and self._bias is not None
        assert self._weighted is not None and self._idf2 is not None
        total = self._bias.copy()
        if a.model_tokens:
            rows = self._token_rows(a.model_tokens)
            assert self._token_vecs is not None
            vec = self._token_vecs.take(rows, axis=0).sum(axis=0)
            sq = float(self._token_sq.take(rows).sum())
            bigrams = _known(self._bigram_vocab, pairwise(a.model_tokens))
            if bigrams:
                vec += self._weighted.take(bigrams, axis=0).sum(axis=0)
                sq += float(self._idf2.take(bigrams).sum())
            if sq > 0:
                total += vec / math.sqrt(sq)
        cue_cols = _known(self.cue_vocab, cue_features(a))
        if cue_cols:
            total += self.cue_weight * self._stacked.take(cue_cols, axis=0).sum(axis=0)
        return total

    def probabilities(self, a: Analysis) -> dict[str, dict[str, float]]:
        """Class probabilities of every head (softmax of the linear scores)."""
        raw = self.scores(a).tolist()
        out: dict[str, dict[str, float]] = {}
        for name, sl in self._slices.items():
            z = raw[sl]
            top = max(z)
            e = [math.exp(v - top) for v in z]
            total = sum(e)
            out[name] = {c: v / total for c, v in zip(self.heads[name].classes, e, strict=True)}
        return out


def _known(vocab: Mapping[Any, int], keys: Iterable[Any]) -> list[int]:
    get = vocab.get
    return [j for j in map(get, keys) if j is not None]


def _paths(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    base = p.with_suffix("") if p.suffix in (".npz", ".json") else p
    return base.with_suffix(".npz"), base.with_suffix(".json")


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write ``<path>.npz`` + ``<path>.json``; returns the .npz path."""
    npz, meta_path = _paths(path)
    npz.parent.mkdir(parents=True, exist_ok=True)
    grams = sorted(model.vocab, key=model.vocab.__getitem__)
    cues = sorted(model.cue_vocab, key=model.cue_vocab.__getitem__)
    arrays: dict[str, np.ndarray] = {
        "idf": model.idf.astype(np.float64),
        "grams": np.asarray(grams, dtype=np.str_),
        "cues": np.asarray(cues, dtype=np.str_),
    }
    for name, head in model.heads.items():
        arrays[f"{name}_classes"] = np.asarray(head.classes, dtype=np.str_)
        arrays[f"{name}_coef"] = head.coef.astype(np.float32)
        arrays[f"{name}_intercept"] = head.intercept.astype(np.float64)
    with open(npz, "wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    meta = {
        "format": FORMAT,
        "version": model.version,
        "cue_weight": model.cue_weight,
        "n_features": model.n_features,
        **model.meta,
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return npz


def load_model(path: str | Path) -> TrainedModel:
    """Read a model written by ``save_model`` (no pickle involved)."""
    npz, meta_path = _paths(path)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{meta_path}: not a {FORMAT} file")
    with np.load(npz, allow_pickle=False) as z:
        grams = [str(g) for g in z["grams"]]
        cues = [str(c) for c in z["cues"]]
        heads = {
            name: Head(
                classes=[str(c) for c in z[f"{name}_classes"]],
                coef=z[f"{name}_coef"].astype(np.float64),
                intercept=z[f"{name}_intercept"],
            )
            for name in HEADS
        }
        idf = z["idf"]
    vocab = {g: i for i, g in enumerate(grams)}
    cue_vocab = {c: len(grams) + i for i, c in enumerate(cues)}
    extra = {k: v for k, v in meta.items() if k not in ("format", "version", "cue_weight")}
    return TrainedModel(
        version=meta["version"],
        vocab=vocab,
        idf=idf,
        cue_vocab=cue_vocab,
        cue_weight=float(meta["cue_weight"]),
        heads=heads,
        meta=extra,
    )
