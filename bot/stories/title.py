"""A story's headline: the cleanest, most central of its articles' headlines."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_PREFIX = re.compile(r"^\s*(?:(?:UPDATE|CORRECTED|REFILE|RPT)\s*\d*\s*[-:]\s*|(?:LIVE|BREAKING|EXCLUSIVE|WATCH|"
                     r"ANALYSIS|OPINION|Live updates?|Live)\s*[:|-]\s*)+", re.I)
_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,40}$")  # " | Outlet", " - Outlet"
_IDEAL = (40, 100)


def clean_headline(title: str) -> str:
    """A headline without wire tags ("UPDATE 2-", "LIVE:") and without a trailing " | Outlet"."""
    t = _PREFIX.sub("", title.strip())
    return _SUFFIX.sub("", t).strip() or title.strip()


def best_title(titles: Sequence[str | None], vectors: np.ndarray | None = None) -> str | None:
    """The best headline of a story's articles, cleaned; ties go to the earliest.

    With `vectors` (one unit vector per title), the headline nearest the others' mean is preferred; headlines
    shouted in capitals, asked as questions, or much shorter or longer than usual lose points.
    """
    scored = []
    centroid = None if vectors is None or not len(vectors) else np.asarray(vectors, dtype=np.float32).mean(0)
    for i, raw in enumerate(titles):
        if not raw or not raw.strip():
            continue
        t = clean_headline(raw)
        score = 0.0 if centroid is None or vectors is None else float(np.asarray(vectors[i]) @ centroid)
        score -= _style_penalty(raw, t)
        scored.append((score, i, t))
    if not scored:
        return None
    top = max(score for score, _, _ in scored)  # within float noise of the best is a tie (BLAS builds round apart)
    return min((i, t) for score, i, t in scored if score >= top - 1e-4)[1]


def _style_penalty(raw: str, t: str) -> float:
    penalty = 0.0
    if t != raw.strip():
        penalty += 0.05
    words = [w for w in re.findall(r"[A-Za-z']+", t) if len(w) > 1]
    if words and sum(w.isupper() for w in words) / len(words) > 0.3:  # shouted ("PUTIN'S WARNING: ...")
        penalty += 0.3
    if t.endswith("?"):
        penalty += 0.2
    if len(t) < _IDEAL[0]:
        penalty += 0.2 * (_IDEAL[0] - len(t)) / _IDEAL[0]
    elif len(t) > _IDEAL[1]:
        penalty += 0.2 * min(1.0, (len(t) - _IDEAL[1]) / _IDEAL[1])
    return penalty
