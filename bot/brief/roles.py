"""Descriptions by role ("the Ukrainian president", "the official") matched to the named person holding it."""

from __future__ import annotations

import re

from .cues import ROLE_SYNONYMS
from .known_people import known_roles
from .name_tokens import is_role_word
from .people import PeopleIndex, Person
from .speakers import fold, name_words

_GENERIC_ROLES = {"official", "officials", "leader", "representative", "diplomat", "negotiator", "deputy", "member"}


def by_role(people: PeopleIndex, phrase: str, pos: int) -> Person | None:
    """The named person a description like "the Ukrainian president" refers to, if any."""
    if re.search(r"(?i)\sof\s+(?:an?|one)\s", phrase):
        return None  # "The head of a mid-sized logistics company": someone new, not an office holder
    head_of = re.match(r"(?i)(the\s+(?:[\w.’'-]+\s+){0,3}?[\w’'-]+)\s+of\s", phrase)  # "the US secretary of state"
    phrase = head_of.group(1) if head_of and is_role_word(fold(head_of.group(1)).split()[-1]) else phrase
    former = "former" in fold(phrase).split()
    words = [w for w in fold(phrase).split() if w not in {"the", "top", "former", "senior", "current", "s"}]
    if not words or not is_role_word(words[-1]):
        return None
    head, mods = words[-1], words[:-1]
    # "the official" alone is whoever holds office; "the senior administration official" is a particular one
    targets = (ROLE_SYNONYMS.get(head, ()) if head != "official" or not mods else ()) + (head,)
    best, best_score = None, 0.0
    recency = {m.person: m.start for m in people.mentions if m.start < pos}
    for person in people.people:
        if person not in recency:
            continue
        roles = " ".join(fold(r) for r in person.roles + list(known_roles(person.canonical)))
        context = _context(people, person)
        intro = _intro(people, person)
        if former and "former" not in roles:
            continue  # "the former Dutch prime minister" is not the prime minister in office
        score = 2.0
        if not roles or not any(re.search(rf"\b{re.escape(t)}", roles) for t in targets):
            if head in _GENERIC_ROLES or not any(re.search(rf"\b{re.escape(t)}\b", intro) for t in targets):
                continue
            score = 1.5  # the role is in the apposition that introduces them ("X, envoy ... and head of the RDIF")
        for mod in mods:
            stem = rf"\b{re.escape(mod[:5])}"
            score += 1.0 if re.search(stem, roles) else 0.3 if re.search(stem, context) else -0.5
        score += recency[person] / 1e7
        if score > best_score:
            best, best_score = person, score
    if best is not None and best_score >= 1.0:
        return best
    for person in people.recent(pos):  # no role on record: the latest fully named person not contradicting it
        if len(name_words(person.canonical)) < 2:
            continue
        roles = " ".join(fold(r) for r in person.roles + list(known_roles(person.canonical)))
        if former and "former" not in roles:
            continue
        if not roles or any(re.search(rf"\b{re.escape(t)}", roles) for t in targets):
            return person
    return None


def _intro(people: PeopleIndex, person: Person) -> str:
    """The appositions that introduce `person` ("Kirill Dmitriev, special envoy ... and head of the RDIF,")."""
    out = []
    for m in people.mentions:
        if m.person is person and not people.inside_quote(m.start) and people.text[m.end : m.end + 1] == ",":
            end = min(len(people.text), m.end + 220)
            stop = min((i for i in (people.text.find(c, m.end, end) for c in ".\n") if i >= 0), default=end)
            out.append(fold(people.text[m.end : stop]))
    return " ".join(out)


def _context(people: PeopleIndex, person: Person) -> str:
    words = []
    for m in people.mentions:
        if m.person is person and not people.inside_quote(m.start):
            words.append(fold(people.text[max(0, m.start - 60) : m.end + 60]))
    return " ".join(words)
