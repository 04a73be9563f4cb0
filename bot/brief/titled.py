"""Names the NER missed or folded into an organisation after a role title ("Economy Minister Taras Melnychuk",
"Head of the Regional Administration Oleh Syniehubov")."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span

from .cues import ROLE_NOUNS
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
    for ent in doc.ents:
        if ent.label_ == "ORG" and len(ent) >= 4 and any(fold(t.text) in _INSTITUTIONS for t in ent[:-2]):
            a, b = ent[-2], ent[-1]
            if (all(_name_word(t, 0) for t in (a, b)) and fold(ent[-3].text) in _INSTITUTIONS
                    and ent.end < len(doc) and doc[ent.end].pos_ in {"VERB", "AUX"}):
                out.append(Span(doc, a.i, b.i + 1, label="PERSON"))
    return out


_INSTITUTIONS = {"administration", "ministry", "office", "council", "committee", "service", "agency", "department",
                 "directorate", "headquarters", "commission", "staff", "guard", "police", "court", "parliament"}


def _name_word(tok: Any, start: int) -> bool:
    """A capitalised proper noun with no entity, or with one that starts inside the name (not before it)."""
    word = fold(tok.text)
    untagged = not tok.ent_type_ or tok.ent_type_ in {"ORG", "FAC", "PRODUCT"} and _entity_start(tok) >= start
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
