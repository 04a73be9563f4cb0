"""A person's likely gender from an honorific, a relation word, a role word or the first name."""

from __future__ import annotations

import re

from .cues import FEMALE_HINTS, MALE_A_NAMES, MALE_NAMES
from .known_people import known_gender
from .speakers import fold

_MALE_HINT = re.compile(r"\b(?:Mr|Sir|Lord)\.?\s*$")
_FEMALE_RELATION = re.compile(r"\b(?:mother|wife|daughter|sister|grandmother|widow|aunt|niece|woman)\b[^.]{0,12}$", re.I)
_MALE_RELATION = re.compile(r"\b(?:father|husband|son|brother|grandfather|widower|uncle|nephew|man)\b[^.]{0,12}$", re.I)
_FEMALE_HINT = re.compile(r"\b(?:Ms|Mrs|Miss|Mme|Madam|Dame|Lady)\.?\s*$")


_FEMALE_NOUNS = {"woman", "mother", "wife", "daughter", "sister", "grandmother", "widow", "girl", "aunt", "niece",
                 "nun"}
_MALE_NOUNS = {"man", "father", "husband", "son", "brother", "grandfather", "widower", "boy", "uncle", "nephew", "monk"}
GENDERED_NOUNS = _FEMALE_NOUNS | _MALE_NOUNS


def noun_gender(word: str) -> str | None:
    """ "f" or "m" for a noun that says it ("woman", "spokeswoman", "brother"), else None."""
    if word in _FEMALE_NOUNS or word.endswith("woman"):
        return "f"
    return "m" if word in _MALE_NOUNS or word.endswith("man") else None


def honorific_gender(before: str) -> str | None:
    """ "f" or "m" when `before` ends with an honorific ("Mrs", "Ms.", "Sir"), else None."""
    return "f" if _FEMALE_HINT.search(before) else "m" if _MALE_HINT.search(before) else None


def guess_gender(before: str, words: list[str], role: str | None) -> str | None:
    """Gender from an honorific, a relation word ("his mother, ..."), a role word or the first name."""
    near = before[-40:]
    if _FEMALE_HINT.search(near[-12:]) or _FEMALE_RELATION.search(near):
        return "f"
    if _MALE_HINT.search(near[-12:]) or _MALE_RELATION.search(near):
        return "m"
    if role and any(w in FEMALE_HINTS for w in fold(role).split()):
        return "f"
    first = fold(words[0]) if words else ""
    if len(words) > 1 and (first in FEMALE_HINTS or first.endswith("a") and first not in MALE_A_NAMES):
        return "f"
    if first in MALE_NAMES or len(words) == 1 and first in FEMALE_HINTS:  # a lone "Andriy", "Olha" too
        return "m" if first in MALE_NAMES else "f"
    return known_gender(" ".join(words))
