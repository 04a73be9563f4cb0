"""What a later article adds to its story: quotes and claims that are not near-duplicates of those already shown."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from bot.brief.speakers import fold

# Cosine (MiniLM) at or above which a claim repeats one already shown. Outlets' paraphrases of one fact score
# about 0.62-0.75 ("referendum only once guns had been silent for 60 days" / "only during a ceasefire of at least
# 60 days": 0.66); other facts of the same event mostly stay below 0.6 (the envoys' lunch / their Kremlin talks).
CLAIM_SIMILARITY = 0.62
QUOTE_JACCARD = 0.6  # word overlap at or above which two quotes are the same words
QUOTE_CONTAINED = 0.85  # share of a shorter quote's words found in order-free overlap with a longer one
_MIN_PARTIAL_WORDS = 4  # a shorter fragment must have this many words to count as part of a longer quote
_WORD = re.compile(r"[a-z0-9]+")


def quote_words(text: str) -> tuple[str, ...]:
    """The normalised words of a quote (case, accents, punctuation and curly marks ignored)."""
    return tuple(_WORD.findall(fold(text.replace("’", "'"))))


def same_quote(a: str, b: str) -> bool:
    """Whether two quote texts are the same words as reported by different outlets (trimmed, re-punctuated, or one
    a long enough excerpt of the other)."""
    wa, wb = quote_words(a), quote_words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    if jaccard >= QUOTE_JACCARD:
        return True
    short, long_ = (sa, sb) if len(wa) <= len(wb) else (sb, sa)
    return min(len(wa), len(wb)) >= _MIN_PARTIAL_WORDS and len(short & long_) / len(short) >= QUOTE_CONTAINED


def repeated_quotes(quotes: Sequence[str], seen: Sequence[str]) -> list[int | None]:
    """For each quote, the index in `seen` of the quote it repeats, or None when it is new."""
    return [next((j for j, old in enumerate(seen) if same_quote(q, old)), None) for q in quotes]


def repeated_claims(vectors: np.ndarray | Sequence[np.ndarray], seen: np.ndarray | Sequence[np.ndarray],
                    threshold: float = CLAIM_SIMILARITY) -> list[int | None]:
    """For each claim vector, the index of the nearest already-shown claim at cosine >= `threshold`, else None."""
    new = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1) if len(vectors) else None
    if new is None:
        return []
    if not len(seen):
        return [None] * len(new)
    sims = new @ np.asarray(seen, dtype=np.float32).reshape(len(seen), -1).T
    best = sims.argmax(1)
    return [int(j) if sims[i, j] >= threshold else None for i, j in enumerate(best)]


def has_news(claims: Sequence[int | None], quotes: Sequence[int | None]) -> bool:
    """Whether an article adds anything: one claim or quote not repeating the story."""
    return any(c is None for c in claims) or any(q is None for q in quotes)
