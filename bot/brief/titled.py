"""Names the NER missed right after a capitalised role title ("Economy Minister Taras Melnychuk")."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span

from .cues import ROLE_NOUNS
from .speakers import fold

_TITLES = {"minister", "secretary", "president", "chancellor", "ambassador", "envoy", "spokesman", "spokeswoman",
           "spokesperson", "adviser", "advisor", "commissioner", "governor", "mayor", "senator", "chief", "director"}
_NOT_NAMES = {"of", "for", "and", "the", "ministry", "office", "department", "council", "house", "state"}


def titled_names(doc: Any) -> list[Span]:
    """Two or three untagged capitalised words after a role title, ending where the name does."""
    out: list[Span] = []
    for tok in doc:
        if fold(tok.text) not in _TITLES or not tok.text[:1].isalpha():
            continue
        j = tok.i + 1
        while j < len(doc) and j - tok.i <= 3 and _name_word(doc[j]):
            j += 1
        if j - tok.i - 1 >= 2 and (j == len(doc) or not doc[j].text[:1].isupper()):
            out.append(Span(doc, tok.i + 1, j, label="PERSON"))
    return out


def _name_word(tok: Any) -> bool:
    word = fold(tok.text)
    return (tok.is_alpha and tok.is_title and tok.pos_ == "PROPN" and not tok.ent_type_
            and word not in ROLE_NOUNS and word not in _NOT_NAMES)
