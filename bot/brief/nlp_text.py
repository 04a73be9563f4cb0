"""spaCy helpers: paragraph-aware sentences for a cleaned article text."""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Span

from .cues import FEMALE_HINTS, MALE_NAMES


# "KYIV, Ukraine, Dec 3 (Wire) — " at the start of a paragraph: the sentence starts after it.
_DATELINE = re.compile(r"(?m)^[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][\w. ]{1,30}?)?(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
                       r"(?:\s*\([^)\n]{1,40}\))?\s*[-—–]{1,2}\s+(?=\S)")


@Language.component("briefbot_paragraphs")
def paragraph_breaks(doc: Any) -> Any:
    """Force a sentence start after every newline so sentences never span paragraphs."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    for m in _DATELINE.finditer(doc.text):
        span = doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            span[0].is_sent_start = True
    return doc


def add_paragraph_breaks(nlp: Any) -> Any:
    """Install the paragraph and name-repair components (idempotent)."""
    if "briefbot_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("briefbot_paragraphs", before="parser")
    if "briefbot_names" not in nlp.pipe_names and "ner" in nlp.pipe_names:
        nlp.add_pipe("briefbot_names", after="ner")
    return nlp


def sentences(doc: Any) -> list[tuple[int, int]]:
    """(start, end) character offsets of the non-empty sentences of `doc`."""
    out = []
    for sent in doc.sents:
        text = sent.text
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        if stripped:
            start = sent.start_char + lead
            out.append((start, start + len(stripped)))
    return out


_PARTICLES = {"von", "van", "der", "de", "den", "la", "le", "du", "da", "di", "al", "bin", "ben", "ter"}


@Language.component("briefbot_names")
def fix_person_names(doc: Any) -> Any:
    """Repair names cut at a particle: "Ursula von" + "der" + "Leyen" (GPE) becomes one PERSON entity."""
    ents = list(doc.ents)
    by_start = {e.start: e for e in ents}
    by_end = {e.end: e for e in ents}
    fixed: list[Span] = []
    drop: set[int] = set()
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and doc[j].lower_ in _PARTICLES and doc[j].text[:1].islower() or (
                j < len(doc) and j == i and doc[j].lower_ in _PARTICLES and j > 0 and doc[j - 1].ent_type_ == "PERSON"):
            j += 1
        if j > i and j < len(doc) and doc[j].text[:1].isupper() and doc[j].is_alpha:
            first = by_end.get(i) if i in by_end and by_end[i].label_ == "PERSON" else None
            if first is None and i > 0 and doc[i - 1].ent_type_ == "PERSON":
                first = next((e for e in ents if e.start < i <= e.end and e.label_ == "PERSON"), None)
            start = first.start if first is not None else i
            last = by_start.get(j)
            end = last.end if last is not None else j + 1
            if first is not None or doc[j].ent_type_ or doc[j].pos_ == "PROPN":
                drop.update(id(e) for e in ents if e.start < end and e.end > start)
                fixed.append(Span(doc, start, end, label="PERSON"))
                i = end
                continue
        i += 1
    kept = [e for e in ents if id(e) not in drop]
    relabelled = [_as_person(e) for e in kept]
    if fixed or any(a is not b for a, b in zip(relabelled, kept)):
        doc.ents = sorted(relabelled + fixed, key=lambda e: e.start)
    return doc


def _as_person(ent: Span) -> Span:
    """ "Helena Brandt" tagged ORG: a title-case pair opening with a known first name is a person."""
    if ent.label_ in {"ORG", "NORP", "GPE", "FAC"} and 1 <= len(ent) <= 3 and all(t.is_title and t.is_alpha for t in ent):
        first = ent[0].lower_
        if (first in FEMALE_HINTS or first in MALE_NAMES) and (len(ent) > 1 or _introduced_alone(ent[0])):
            return Span(ent.doc, ent.start, ent.end, label="PERSON")
    return ent


def _introduced_alone(tok: Any) -> bool:
    """ "Serhiy, 52, worked ...", "Olha said", "named only as Danylo": a lone known first name, not a place."""
    doc = tok.doc
    aged = tok.i + 2 < len(doc) and doc[tok.i + 1].text == "," and doc[tok.i + 2].like_num
    placed = tok.dep_ == "pobj" and tok.head.lower_ in {"in", "at", "from", "to", "near", "into", "of", "across"}
    return aged or tok.dep_ in {"nsubj", "appos", "pobj", "dobj", "attr", "oprd"} and not placed
