"""Names the NER missed or folded into an organisation after a role title ("Economy Minister Taras Melnychuk",
"Head of the Regional Administration Oleh Syniehubov")."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span

from .cues import CUE_WORDS, ROLE_NOUNS, SPEAKER_NOUNS
from .speakers import fold

_TITLES = {"minister", "secretary", "president", "chancellor", "ambassador", "envoy", "spokesman", "spokeswoman",
           "spokesperson", "adviser", "advisor", "commissioner", "governor", "mayor", "senator", "chief", "director"}
_NOT_NAMES = {"of", "for", "and", "the", "ministry", "office", "department", "council", "house", "state"}


def titled_names(doc: Any) -> list[Span]:
    """Two or three capitalised words after a role title, ending where the name does, that the NER left untagged
    or tagged as an organisation of their own ("spokeswoman Lidia Orlova" as ORG); and a name closing an
    organisation's entity ("the Regional Military Administration Oleh Syniehubov said")."""
    out: list[Span] = []
    for tok in doc:
        if fold(tok.text) not in _TITLES or not tok.text[:1].isalpha():
            continue
        j = tok.i + 1
        while j < len(doc) and j - tok.i <= 3 and _name_word(doc[j], tok.i + 1):
            j += 1
        if j - tok.i - 1 >= 2 and (j == len(doc) or not doc[j].text[:1].isupper()) and _whole(doc, tok.i + 1, j):
            out.append(Span(doc, tok.i + 1, j, label="PERSON"))
    for ent in doc.ents:  # "Ukraine's ambassador, Oleksii Makeiev," / "Al Jazeera's Nadia Hamdan said", tagged ORG
        if ent.label_ in {"ORG", "FAC", "NORP", "GPE"} and (named := _name_tail(ent)) is not None:
            out.append(named)
    i = 0
    while i < len(doc):  # "Iryna Tkachenko, a 38-year-old pharmacist," left untagged
        j = i
        while j < len(doc) and not doc[j].ent_type_ and _name_word(doc[j], 0):
            j += 1
        if j > i and (named := _name_tail(Span(doc, i, j))) is not None:
            out.append(named)
        i = max(j, i + 1)
    for ent in doc.ents:
        if ent.label_ == "ORG" and len(ent) >= 4 and any(fold(t.text) in _INSTITUTIONS for t in ent[:-2]):
            a, b = ent[-2], ent[-1]
            if (all(_name_word(t, 0) for t in (a, b)) and fold(ent[-3].text) in _INSTITUTIONS
                    and ent.end < len(doc) and doc[ent.end].pos_ in {"VERB", "AUX"}):
                out.append(Span(doc, a.i, b.i + 1, label="PERSON"))
    return out


def _name_tail(ent: Any) -> Span | None:
    """The two or three name words closing `ent` when they stand where a person does: in apposition to a role or
    trade, or as the speaking subject right after an outlet's possessive."""
    doc = ent.doc
    start = ent.start
    for t in ent:
        if t.text in {"'s", "’s", ","}:  # "Al Jazeera's Nadia Hamdan", "Brovary, Iryna Shevchenko"
            start = t.i + 1
    words = doc[start : ent.end]
    if not 2 <= len(words) <= 3 or not all(_name_word(t, 0) and fold(t.text) not in _INSTITUTIONS for t in words):
        return None
    head = words[-1]
    human = head.dep_ == "appos" and head.head.pos_ == "NOUN" and fold(head.head.text) in SPEAKER_NOUNS | ROLE_NOUNS
    human = human or any(c.dep_ == "appos" and c.pos_ == "NOUN" and c.i > head.i and _HUMAN.search(c.lower_)
                         for c in head.children)  # "Kemi Badenoch, the Conservative leader," tagged GPE
    owned = start > ent.start or start > 0 and doc[start - 1].text in {"'s", "’s"}  # "Al Jazeera's Nadia Hamdan"
    speaking = owned and head.dep_ == "nsubj" and fold(head.head.text) in CUE_WORDS
    return Span(doc, start, ent.end, label="PERSON") if human or speaking else None


_HUMAN = re.compile(r"(?:er|or|ist|ian|ant|man|woman|person|ee|leader|chief|head|official|diplomat|minister|"
                    r"president|mother|father|wife|husband|son|daughter|resident|pensioner|veteran|soldier|medic)$")
_INSTITUTIONS = {"administration", "ministry", "office", "council", "committee", "service", "agency", "department",
                 "directorate", "headquarters", "commission", "staff", "guard", "police", "court", "parliament"}


def _name_word(tok: Any, start: int) -> bool:
    """A capitalised proper noun with no entity, or with one that starts inside the name (not before it)."""
    word = fold(tok.text)
    kinds = {"ORG", "FAC", "PRODUCT"} if start else {"ORG", "FAC", "PRODUCT", "GPE", "NORP"}
    untagged = not tok.ent_type_ or tok.ent_type_ in kinds and _entity_start(tok) >= start
    return (tok.is_alpha and tok.is_title and tok.pos_ == "PROPN" and untagged
            and word not in ROLE_NOUNS and word not in _NOT_NAMES)


def _entity_start(tok: Any) -> int:
    i = tok.i
    while i > 0 and tok.doc[i].ent_iob_ == "I":
        i -= 1
    return i


def _whole(doc: Any, start: int, end: int) -> bool:
    """The name does not cut an entity in two: nothing of it runs on past the name."""
    return end >= len(doc) or doc[end].ent_iob_ != "I"
