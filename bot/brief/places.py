"""Words an article uses as places, so that a place the NER or the parser mistakes for a person is not a speaker."""

from __future__ import annotations

import re
from typing import Any

from .cues import FEMALE_HINTS, MALE_NAMES
from .speakers import fold, name_words

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Places the story keeps naming that the small NER model sometimes tags as people ("have listened to Kyiv");
# none of them is a name a person goes by.
_STORY_PLACES = frozenset(
    """kyiv kiev moscow kharkiv odesa odessa donetsk luhansk zaporizhzhia kherson crimea donbas dnipro mariupol
    bakhmut avdiivka pokrovsk kramatorsk sloviansk sumy chernihiv mykolaiv lviv enerhodar belgorod kursk
    brussels geneva istanbul riyadh minsk warsaw ankara beijing tehran budapest helsinki tallinn riga vilnius
    ukraine russia belarus""".split())
_STORY_PLACE_NAMES = {"abu dhabi", "saudi arabia", "united arab emirates", "new york", "the hague", "palm beach",
                      "mar-a-lago", "south africa", "north korea", "black sea", "sea of azov"}  # never a person
_LOCATIVE = {"in", "near", "outside", "inside", "around", "across", "through", "of"}
_PLACE_NOUNS = {"district", "city", "town", "village", "region", "province", "oblast", "suburb", "neighbourhood",
                "neighborhood", "port", "river", "island", "county", "state", "country", "capital", "area"}


def place_words(doc: Any) -> set[str]:
    """Folded single words the article treats as places: GPE/LOC/FAC entities and names after "in", "from" ..."""
    out: set[str] = set()
    for ent in doc.ents:
        if ent.label_ in _PLACE_LABELS and len(ent) == 1:
            out.add(fold(ent.text))
    for tok in doc:
        if tok.pos_ != "PROPN" or not tok.is_title or tok.dep_ != "pobj":
            continue
        if any(c.dep_ == "compound" for c in tok.children):
            continue
        prep = tok.head.lower_
        if prep == "of" and fold(tok.head.head.text) not in _PLACE_NOUNS:
            continue  # "the office of Umerov" says nothing; "the district of Saltivka" does
        if prep in _LOCATIVE and not (tok.i + 1 < len(doc) and doc[tok.i + 1].tag_ == "POS"):
            out.add(fold(tok.text))
    named = {fold(t.text) for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent}
    named |= {w for w in out if w in MALE_NAMES or w in FEMALE_HINTS}
    # "Larysa" of "Larysa Horbenko" is a person, whatever the parser made of one mention
    return (out | _STORY_PLACES) - named


def is_place(name: str, places: set[str]) -> bool:
    """A one-word "name" the article also uses as a place ("in Brennvik", a town tagged GPE elsewhere)."""
    words = name_words(re.sub(r"(?:'s|’s|'|’)$", "", name.strip()))
    return len(words) == 1 and fold(words[0]) in places or " ".join(fold(w) for w in words) in _STORY_PLACE_NAMES
