"""What clustering compares: one vector and the key named entities of an article's title, lead and claims."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from bot.brief.speakers import fold, name_words, skeleton, strip_titles

KEY_LABELS = frozenset({"PERSON", "ORG", "GPE", "EVENT"})
LEAD_CHARS = 400
_TITLE_WEIGHT = 0.75  # share of the vector from title + lead, the rest from the claims (tuned on the bench)
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'-]{1,40}(?:,[A-Za-z0-9 .]{1,30})?\s*(?:\([^)]{1,40}\))?\s+[-–—]\s+")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z\"“‘])")
_STOP = {"the", "a", "an", "of"}
_LISTABLE = {"GPE", "PERSON"}
_LIST_SPLIT = re.compile(r",\s*|\s+and\s+|\s*&\s*")
_COMMA = re.compile(r",\s*")


@dataclass(frozen=True)
class Signal:
    """One article as clustering sees it: unit `vector`, normalised key `entities`, and its time."""

    vector: np.ndarray
    entities: frozenset[str]
    when: datetime


def lead_of(text: str, max_chars: int = LEAD_CHARS) -> str:
    """The first sentences of the body (dateline removed), up to about `max_chars`."""
    body = text.strip().split("\n\n")
    first = next((p.strip() for p in body if len(p.split()) >= 8), body[0].strip() if body else "")
    first = _DATELINE.sub("", first, count=1)
    out = ""
    for sent in _SENTENCE_END.split(first):
        if out and len(out) + len(sent) > max_chars:
            break
        out = f"{out} {sent}".strip()
    return out[: max_chars * 2]


def entity_key(text: str, label: str) -> str | None:
    """A spelling-insensitive key of one named entity: a person's surname, else the folded phrase."""
    if label == "PERSON":
        words = name_words(strip_titles(text))
        return skeleton(words[-1]) if words else None
    words = [w for w in fold(text).split() if w not in _STOP]
    key = "".join(skeleton(w) for w in words)
    return key if len(key) > 1 else None


def entity_keys(docs: Sequence[Any]) -> frozenset[str]:
    """Keys of the PERSON/ORG/GPE/EVENT entities in spaCy `docs` ("Kharkiv, Odesa" is two places)."""
    keys = (entity_key(part, ent.label_) for doc in docs for ent in doc.ents if ent.label_ in KEY_LABELS
            for part in (_LIST_SPLIT if ent.label_ in _LISTABLE else _COMMA).split(ent.text))
    return frozenset(k for k in keys if k)


def signal_text(title: str | None, text: str) -> list[str]:
    """The headline and the lead: the texts that stand for the article next to its claims."""
    return [t for t in (title or "", lead_of(text)) if t.strip()]


def article_signal(title: str | None, text: str, claims: Sequence[str], when: datetime, *, encoder: Any,
                   nlp: Any) -> Signal:
    """Embed title + lead (3/4 of the weight) and the claims (1/4) and collect the key entities of all of them."""
    head = signal_text(title, text)
    parts = head + [c for c in claims if c.strip()]
    if not parts:
        raise ValueError("an article needs a title, a lead or claims to be clustered")
    vectors = encoder.encode(parts)
    vector = _combine(vectors[: len(head)], vectors[len(head):])
    return Signal(vector=vector, entities=entity_keys(list(nlp.pipe(parts))), when=when)


def _combine(head: np.ndarray, claims: np.ndarray) -> np.ndarray:
    if len(head) and len(claims):
        v = _TITLE_WEIGHT * head.mean(0) + (1 - _TITLE_WEIGHT) * claims.mean(0)
    else:
        v = (head if len(head) else claims).mean(0)
    return unit(v)


def unit(vector: np.ndarray) -> np.ndarray:
    """`vector` scaled to length 1 (float32)."""
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v
