"""What clustering compares: one vector and the key named entities of an article's title, lead and claims."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from bot.brief.speakers import fold, name_words, skeleton, strip_titles
from bot.stories.title import clean_headline

KEY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "EVENT"})
LEAD_CHARS = 600  # about the first 100 words: as much as the encoder reads of one text (96 tokens by default)
# Shares of the vector: the lead says what happened in the words of a report (wire copy and rewrites share it);
# headlines (questions, capitals, analysis angles) and key claims (from anywhere in the article) are noisier.
_WEIGHTS = {"title": 0.1, "lead": 0.75, "claims": 0.15}
_MIN_PARAGRAPH_WORDS = 8  # shorter lines are outlet names, bylines, "See also:" links (see `lead_of`)
_PROSE_END = re.compile(r"[.!?…][\"'”’)]*$")
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'-]{1,40}(?:,[A-Za-z0-9 .]{1,30})?\s*(?:\([^)]{1,40}\))?\s+[-–—]\s+")
_TIMESTAMP = re.compile(r"^\d{1,2}[:.]\d\d\s*(?:[A-Z]{2,4}\s*)?[-–—:|]\s+")  # a live blog's "19:50 GMT - "
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z\"“‘])")
_STOP = {"the", "a", "an", "of"}
_LISTABLE = {"GPE", "PERSON"}
_LIST_SPLIT = re.compile(r",\s*|\s+and\s+|\s*&\s*")
_COMMA = re.compile(r",\s*")
_CAPITALISED = re.compile(r"^[A-Z]")
_HEADLINE_CASE = 0.6  # share of capitalised words above which a headline is in Title Case or capitals


SHINGLE_WORDS = 5  # passages compared as runs of this many words
_MAX_SHINGLE_WORDS = 3000  # words of a body that are compared (a reprint shows in its first pages)
_SHINGLE_WORD = re.compile(r"[a-z0-9]+")


def shingles(text: str) -> frozenset[int]:
    """Hashes of the body's runs of SHINGLE_WORDS words (case and accents ignored): what a reprint shares."""
    words = _SHINGLE_WORD.findall(fold(text).lower())[:_MAX_SHINGLE_WORDS]
    return frozenset(zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode())
                     for i in range(len(words) - SHINGLE_WORDS + 1))


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller passage set found in the other (1.0: one text contains the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Signal:
    """One article as clustering sees it: unit `vector`, normalised key `entities`, and its time."""

    vector: np.ndarray
    entities: frozenset[str]
    when: datetime
    passages: frozenset[int] = frozenset()  # `shingles` of the body: wire copy reused by another outlet


def strip_dateline(text: str) -> str:
    """`text` without a leading dateline ("KYIV, March 3 (Northwire) - ", "Berlin - ") or live-blog time."""
    text = text.strip()
    return _DATELINE.sub("", _TIMESTAMP.sub("", text, count=1), count=1)


def lead_of(text: str, max_chars: int = LEAD_CHARS) -> str:
    """The first sentences of the body, up to about `max_chars`, without datelines or live-blog times.

    Only paragraphs (lines) that read as prose count, ending like a sentence and `_MIN_PARAGRAPH_WORDS` words or
    longer: not outlet names, bylines, "With Northwire", "See also: <another story>" or "Advertisement" (a text
    without any such paragraph counts whole).
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    prose = [line for line in lines if len(line.split()) >= _MIN_PARAGRAPH_WORDS and _PROSE_END.search(line)]
    out = ""
    for line in prose or lines:
        for sent in _SENTENCE_END.split(strip_dateline(line)):
            if out and len(out) + len(sent) > max_chars:
                return out[: max_chars * 2]
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
    """Keys of the PERSON/ORG/GPE/LOC/EVENT entities in spaCy `docs` ("Kharkiv, Odesa" is two places)."""
    keys = (entity_key(part, ent.label_) for doc in docs for ent in doc.ents if ent.label_ in KEY_LABELS
            for part in (_LIST_SPLIT if ent.label_ in _LISTABLE else _COMMA).split(ent.text))
    return frozenset(k for k in keys if k)


def article_signal(title: str | None, text: str, claims: Sequence[str], when: datetime, *, encoder: Any,
                   nlp: Any) -> Signal:
    """Embed the headline, the lead and the claims (weighted mean, see `_WEIGHTS`) and collect the key entities
    of all of them.

    The entities of a headline in Title Case or capitals are left to the lead and claims (spaCy runs its words
    together: "Kremlin Says 'No Compromise Yet'" is one organisation).
    """
    headline = clean_headline(title) if title and title.strip() else ""
    lead = lead_of(text)
    body = [c for c in (strip_dateline(c) for c in claims) if c]
    groups = {"title": [headline] if headline else [], "lead": [lead] if lead else [], "claims": body}
    parts = [t for texts in groups.values() for t in texts]
    if not parts:
        raise ValueError("an article needs a title, a lead or claims to be clustered")
    vectors = encoder.encode(parts)
    mix, start = np.zeros(vectors.shape[1], dtype=np.float32), 0
    for group, texts in groups.items():
        if texts:
            mix += _WEIGHTS[group] * vectors[start : start + len(texts)].mean(0)
            start += len(texts)
    named = parts[1:] if headline and len(parts) > 1 and _headline_case(headline) else parts
    with nlp.memory_zone():  # the strings of these texts are not kept in spaCy's vocabulary
        entities = entity_keys(list(nlp.pipe(named)))
    return Signal(vector=unit(mix), entities=entities, when=when, passages=shingles(text))


def _headline_case(title: str) -> bool:
    words = [w.lstrip("'\"‘“") for w in title.split() if any(c.isalpha() for c in w)]
    return len(words) >= 3 and sum(bool(_CAPITALISED.match(w)) for w in words) / len(words) > _HEADLINE_CASE


def unit(vector: np.ndarray) -> np.ndarray:
    """`vector` scaled to length 1 (float32)."""
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v
