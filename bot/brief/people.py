"""Who is who in one article: person clusters, their fullest names, roles, gender and mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .cues import FEMALE_HINTS, ROLE_NOUNS, ROLE_SYNONYMS
from .speakers import fold, name_words, same_person, skeleton

_ORG_WORDS = {"kremlin", "house", "ministry", "office", "government", "council", "commission", "nato", "un",
              "eu", "union", "department", "agency", "army", "forces", "party", "parliament", "rada", "duma"}
_PRE_TITLE_POS = {"PROPN", "NOUN", "ADJ"}
_APPOS = re.compile(r"^,\s+((?:the|a|an|[A-Z][\w’'.-]*(?:'s|’s))\s+[^,.;:\"“”()]{2,70}?)\s*(?=[,.;])")
_MALE_HINT = re.compile(r"\b(?:Mr|Sir|Lord)\.?\s*$")
_FEMALE_HINT = re.compile(r"\b(?:Ms|Mrs|Madam|Dame|Lady)\.?\s*$")


@dataclass(eq=False)
class Person:
    """One person in the article with every name form used for them."""

    names: list[str]
    roles: list[str] = field(default_factory=list)
    gender: str | None = None

    @property
    def canonical(self) -> str:
        return max(self.names, key=lambda n: (len(name_words(n)), len(n)))

    @property
    def role(self) -> str | None:
        return self.roles[0] if self.roles else None


@dataclass
class Mention:
    """A person named at [start, end) of the text; `subject` when the grammatical subject of a clause."""

    person: Person
    start: int
    end: int
    subject: bool


def _strip_possessive(text: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", text.strip())


class PeopleIndex:
    """Person clusters of one article, built from spaCy's PERSON entities."""

    def __init__(self, doc: Any, quoted: list[tuple[int, int]]):
        self.text: str = doc.text
        self.people: list[Person] = []
        self.mentions: list[Mention] = []
        self._quoted = quoted
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                self._add(ent)
            elif ent.label_ in {"ORG", "GPE", "NORP"} and len(ent) <= 2:
                person = self._match(ent.text)
                if person is not None and fold(ent.text) not in _ORG_WORDS:
                    self._add(ent, person)

    def inside_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self._quoted)

    def _match(self, name: str) -> Person | None:
        best = None
        for m in reversed(self.mentions):
            if any(same_person(name, n) for n in m.person.names):
                best = m.person
                break
        if best is None:
            for p in self.people:
                if any(same_person(name, n) for n in p.names):
                    return p
        return best

    def _add(self, ent: Any, person: Person | None = None) -> None:
        name = _strip_possessive(ent.text)
        words = name_words(name)
        if not words or not any(w[:1].isupper() for w in words):
            return
        name = " ".join(words)
        person = person or self._match(name)
        if person is None:
            person = Person([name])
            self.people.append(person)
        elif name not in person.names:
            person.names.append(name)
        role = _pre_title(ent) or _appositive(self.text, ent.end_char)
        if role and role not in person.roles and not self.inside_quote(ent.start_char):
            person.roles.append(role)
        if person.gender is None:
            person.gender = _gender(self.text[: ent.start_char], words, role)
        subject = any(t.dep_ in {"nsubj", "nsubjpass"} for t in ent)
        self.mentions.append(Mention(person, ent.start_char, ent.end_char, subject))

    def person_for(self, name: str) -> Person | None:
        """The person whose name `name` is, if the article names them."""
        return self._match(_strip_possessive(name))

    def antecedent(self, pos: int, pronoun: str, prefer: Person | None = None) -> Person | None:
        """The person a he/she at `pos` most likely refers to."""
        want = {"he": "m", "she": "f"}.get(pronoun.lower())
        before = [m for m in self.mentions if m.end <= pos and not self.inside_quote(m.start)]
        fits = [m for m in before if want is None or m.person.gender in (None, want) or m.person.gender == want]
        fits = [m for m in fits if not (want == "m" and m.person.gender == "f")]
        if want == "f":
            fits = [m for m in fits if m.person.gender == "f"] or fits
        if prefer is not None and prefer in {m.person for m in fits}:
            last_prefer = max(m.start for m in fits if m.person is prefer)
            later_subjects = [m for m in fits if m.start > last_prefer and m.subject and m.person is not prefer]
            if not later_subjects:
                return prefer
        subjects = [m for m in fits if m.subject and pos - m.end < 1500]
        if subjects:
            return subjects[-1].person
        return fits[-1].person if fits else None

    def by_description(self, phrase: str, pos: int) -> Person | None:
        """The named person a description like "the Ukrainian president" refers to, if any."""
        words = [w for w in fold(phrase).split() if w not in {"the", "top", "former", "senior", "current"}]
        if not words:
            return None
        head, mods = words[-1], words[:-1]
        targets = ROLE_SYNONYMS.get(head, ()) + (head,)
        best, best_score = None, 0.0
        recency = {m.person: m.start for m in self.mentions if m.start < pos}
        for person in self.people:
            if person not in recency:
                continue
            roles = " ".join(fold(r) for r in person.roles)
            if not roles or not any(re.search(rf"\b{re.escape(t)}", roles) for t in targets):
                continue
            score = 2.0
            for mod in mods:
                score += 1.0 if re.search(rf"\b{re.escape(mod[:5])}", roles) else -0.5
            score += recency[person] / 1e7
            if score > best_score:
                best, best_score = person, score
        return best if best_score >= 2.0 else None


def _pre_title(ent: Any) -> str | None:
    doc = ent.doc
    i = ent.start - 1
    toks = []
    while i >= 0 and len(toks) < 5:
        t = doc[i]
        if t.text in {"'s", "’s"} or t.text == "-" or (t.pos_ in _PRE_TITLE_POS and not t.is_punct and t.text != "\n"):
            if t.ent_type_ in {"DATE", "TIME", "CARDINAL"}:
                break
            toks.insert(0, t)
            i -= 1
        else:
            break
    while toks and (toks[0].text in {"'s", "’s", "-"} or toks[0].pos_ == "ADJ" and toks[0].text[:1].islower() and len(toks) == 1):
        toks.pop(0)
    if not toks:
        return None
    if not any(fold(t.text) in ROLE_NOUNS or t.text.lower().rstrip("s") in ROLE_NOUNS for t in toks):
        return None
    return doc[toks[0].i : toks[-1].i + 1].text


def _appositive(text: str, end: int) -> str | None:
    m = _APPOS.match(text[end : end + 100])
    if not m:
        return None
    phrase = m.group(1)
    if not any(w in ROLE_NOUNS for w in fold(phrase).split()):
        return None
    return re.sub(r"^(?:the|a|an)\s+", "", phrase)


def _gender(before: str, words: list[str], role: str | None) -> str | None:
    if _FEMALE_HINT.search(before[-12:]):
        return "f"
    if _MALE_HINT.search(before[-12:]):
        return "m"
    if len(words) > 1 and fold(words[0]) in FEMALE_HINTS:
        return "f"
    if role and any(w in FEMALE_HINTS for w in fold(role).split()):
        return "f"
    if len(words) > 1 or role:
        return "m" if len(words) > 1 and skeleton(words[0]) else None
    return None
