"""Full names the NER left untagged for people it knows only by a first name ("Valentyna Boiko keeps ...")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cues import FEMALE_HINTS, MALE_NAMES, ROLE_NOUNS
from .speakers import fold, skeleton

_NOT_NAMES = {"GPE", "LOC", "NORP", "FAC", "ORG", "DATE", "TIME", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}


def full_name_spans(doc: Any, first: str, inside_quote: Callable[[int], bool], places: set[str]) -> list[Any]:
    """Spans "<first> <Surname>" outside quotes where the word after `first` is a capitalised proper noun."""
    key = skeleton(first)
    out = []
    for tok in doc[:-1]:
        if tok.whitespace_ != " " or skeleton(tok.text) != key or inside_quote(tok.idx):
            continue
        nxt = tok.doc[tok.i + 1]
        word = fold(nxt.text)
        if (nxt.pos_ == "PROPN" and nxt.is_title and nxt.is_alpha and len(nxt) > 1 and nxt.ent_type_ not in _NOT_NAMES
                and word not in places and word not in ROLE_NOUNS and skeleton(nxt.text) != key):
            out.append(tok.doc[tok.i : tok.i + 2])
    return out


def given_name(word: str) -> bool:
    """True for a first name this module knows ("Tatyana", "Serhii"), as the first word of a name tagged ORG."""
    return fold(word) in MALE_NAMES or fold(word) in FEMALE_HINTS


def tagged_name(ent: Any) -> Any | None:
    """The name at the end of an entity the NER did not call a person: "Tatyana Moskalkova", a dateline's "Kyiv -
    Olha Marynets": two or three capitalised words after any dash, the first a known given name."""
    dashes = [i for i, t in enumerate(ent) if t.text in {"-", "–", "—"}]
    tail = ent[dashes[-1] + 1 :] if dashes else ent
    if 2 <= len(tail) <= 3 and all(t.is_title for t in tail) and given_name(tail[0].text) and \
            fold(tail[-1].text) not in _PLACE_OR_BODY:  # not "Taras Shevchenko University", "Ivan Franko Street"
        return tail
    return None


_PLACE_OR_BODY = {"university", "institute", "academy", "school", "foundation", "fund", "prize", "award", "street",
                  "avenue", "square", "boulevard", "bridge", "airport", "station", "hospital", "museum", "park",
                  "stadium", "library", "theatre", "theater", "center", "centre", "district", "brigade", "battalion",
                  "ministry", "office", "council", "group", "company", "bank", "party", "movement"}
