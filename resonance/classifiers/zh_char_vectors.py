"""Character vectors from co-occurrence counts (PPMI + truncated SVD): a CPU-cheap start for the
encoder's embedding table.

Masked-LM pretraining on a shared CPU sees a few million tokens, not enough for the embedding
table to learn what characters mean. Counting which characters occur within ``window`` of each
other over the whole corpus (tens of millions of tokens) takes a minute, and the positive PMI
matrix factorised by SVD gives vectors in which near-synonyms lie close (Levy & Goldberg 2014,
"Neural word embedding as implicit matrix factorization"). They are scaled to the spread of
BERT's initial embeddings so the layers above see inputs of the usual size.
"""
from __future__ import annotations

import numpy as np


def cooccurrence(streams, vocab_size: int, window: int = 2, skip_below: int = 5) -> np.ndarray:
    """Symmetric (V, V) counts of token pairs at distance 1..window; specials (< skip_below) skipped."""
    counts = np.zeros(vocab_size * vocab_size, dtype=np.float64)
    for stream in streams:
        ids = stream.astype(np.int64)
        for d in range(1, window + 1):
            left, right = ids[:-d], ids[d:]
            keep = (left >= skip_below) & (right >= skip_below)
            pairs = left[keep] * vocab_size + right[keep]
            counts += np.bincount(pairs, minlength=vocab_size * vocab_size) / d
    matrix = counts.reshape(vocab_size, vocab_size)
    return matrix + matrix.T


def ppmi_svd(counts: np.ndarray, dim: int, smoothing: float = 0.75, seed: int = 0) -> np.ndarray:
    """Rows of U * sqrt(S) of the positive-PMI matrix (context distribution smoothed by ``smoothing``)."""
    from sklearn.utils.extmath import randomized_svd

    total = counts.sum()
    row = counts.sum(axis=1)
    col = counts.sum(axis=0) ** smoothing
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * col.sum() / (np.outer(row, col) + 1e-12) + 1e-12) if total else counts
    ppmi = np.where((counts > 0) & np.isfinite(pmi), np.maximum(pmi, 0.0), 0.0).astype(np.float32)
    u, s, _ = randomized_svd(ppmi, n_components=dim, random_state=seed, n_iter=4)
    return (u * np.sqrt(s)).astype(np.float32)


def scaled_like_bert(vectors: np.ndarray, std: float = 0.02, seed: int = 0) -> np.ndarray:
    """Scale to BERT's initial std; rows with no counts (specials, unseen) get N(0, std) noise."""
    rng = np.random.default_rng(seed)
    norms = np.linalg.norm(vectors, axis=1)
    seen = norms > 0
    out = rng.normal(0.0, std, size=vectors.shape).astype(np.float32)
    if seen.any():
        out[seen] = vectors[seen] / vectors[seen].std() * std
    return out
