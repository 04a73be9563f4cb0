"""Extractive key claims: greedy coverage of the article in MiniLM space, with centrality, lead and redundancy terms."""

from __future__ import annotations

import numpy as np

from bot.brief.types import Claim

MAX_SENTENCES = 120  # only the first sentences are considered; news puts its points up front

# Weights tuned on tests/fixtures/eval with bench/claims.py (key-point coverage, both bench modes).
_EDGE = 0.2  # cosine above which one sentence counts as (partly) covering another
_COVER = 250.0  # weight of the marginal coverage gain (mean over sentences of newly covered cosine above _EDGE)
_DEGREE = 1.0  # weight of graph centrality: z-score of a sentence's similarity mass above _EDGE
_CENTROID = 2.0  # weight of centrality to the article: z-score of the cosine to the mean embedding
_LEAD = 1.0  # weight of the lead prior exp(-rank / _LEAD_DECAY), rank among eligible sentences
_LEAD_DECAY = 12.0
_REDUNDANCY = 10.0  # MMR penalty per unit of cosine above _RED_FLOOR to the closest chosen claim
_RED_FLOOR = 0.5
_DUPLICATE = 0.8  # cosine to a chosen claim from which a candidate is a restatement ...
_DUP_PENALTY = 3.0  # ... and loses this much more, so it is only taken to reach k_min
_GAP = 0.05  # past k_min, stop when a claim would add < this share of the first claim's coverage


def select_claims(
    sentences: list[str],
    embeddings: np.ndarray,
    *,
    k_min: int = 3,
    k_max: int = 5,
    eligible: list[bool] | None = None,
) -> list[Claim]:
    """Choose k_min..k_max key sentences (fewer only if fewer are eligible), in article order.

    `embeddings` are the unit vectors of `sentences`; `eligible[i]` False keeps sentence i out of the claims
    (it still counts as article content). Only the first MAX_SENTENCES sentences are considered.
    """
    if k_min < 1 or k_max < k_min:
        raise ValueError(f"need 1 <= k_min <= k_max, got {k_min}, {k_max}")
    if len(embeddings) != len(sentences):
        raise ValueError(f"{len(sentences)} sentences but {len(embeddings)} embeddings")
    if eligible is not None and len(eligible) != len(sentences):
        raise ValueError(f"{len(sentences)} sentences but {len(eligible)} eligibility flags")
    n = min(len(sentences), MAX_SENTENCES)
    if n == 0:
        return []
    vecs = _unit(np.asarray(embeddings[:n], dtype=np.float32))
    mask = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible[:n], dtype=bool)
    mask &= np.array([bool(s.strip()) for s in sentences[:n]])
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return []
    sims = vecs @ vecs.T
    static = _static_scores(vecs, sims, candidates)
    k = _target_k(candidates.size, k_min, k_max)
    chosen = _greedy(sims, static, candidates, min(k_min, k), k)
    return [Claim(sentences[i].strip(), int(i)) for i in sorted(chosen)]


def _unit(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-12)


def _zscore(values: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    sub = values[candidates]
    spread = float(sub.std())
    return (values - float(sub.mean())) / spread if spread > 1e-9 else np.zeros_like(values)


def _static_scores(vecs: np.ndarray, sims: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Order-independent salience: graph degree, cosine to the article centroid, lead position."""
    degree = np.maximum(sims - _EDGE, 0.0).sum(axis=1)
    centroid = vecs.sum(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    lead = np.zeros(len(vecs), dtype=np.float32)
    lead[candidates] = np.exp(-np.arange(candidates.size, dtype=np.float32) / _LEAD_DECAY)
    return (
        _DEGREE * _zscore(degree, candidates)
        + _CENTROID * _zscore(vecs @ centroid, candidates)
        + _LEAD * lead
    )


def _target_k(n_candidates: int, k_min: int, k_max: int) -> int:
    """More claims for longer articles: 3 up to 12 candidate sentences, 4 up to 24, then 5."""
    wanted = 3 if n_candidates <= 12 else 4 if n_candidates <= 24 else 5
    return max(1, min(max(k_min, min(k_max, wanted)), n_candidates))


def _greedy(sims: np.ndarray, static: np.ndarray, candidates: np.ndarray, k_min: int, k: int) -> list[int]:
    """Greedy picks maximising salience + marginal coverage (facility location) - redundancy (MMR).

    A sentence j is covered by the chosen claim most similar to it; a candidate's coverage gain is how much
    closer it would bring the article's sentences (itself included), so a restatement gains almost nothing.
    """
    support = np.maximum(sims - _EDGE, 0.0)
    covered = np.zeros(len(sims), dtype=support.dtype)
    closest = np.zeros(len(sims), dtype=sims.dtype)
    pool = candidates.copy()
    chosen: list[int] = []
    first_fresh = 0.0
    while pool.size and len(chosen) < k:
        fresh = np.maximum(support[pool] - covered, 0.0).mean(axis=1)
        gains = static[pool] + _COVER * fresh - _REDUNDANCY * np.maximum(closest[pool] - _RED_FLOOR, 0.0)
        dup = closest[pool] >= _DUPLICATE
        if dup.all() and len(chosen) >= k_min:
            break
        best = int(np.argmax(np.where(dup, gains - _DUP_PENALTY, gains)))
        if not chosen:
            first_fresh = float(fresh[best])
        elif len(chosen) >= k_min and float(fresh[best]) < _GAP * first_fresh:
            break
        pick = int(pool[best])
        chosen.append(pick)
        covered = np.maximum(covered, support[pick])
        closest = np.maximum(closest, sims[pick])
        pool = np.delete(pool, best)
    return chosen
