"""Who is who in one article: person clusters, their fullest names, roles, gender and mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .first_names import full_name_spans, tagged_name
from .gender import guess_gender, honorific_gender
from .known_people import known_gender, news_outlet, story_person
from .name_tokens import (
    ORG_WORDS,
    appositive,
    bare_subject_name,
    person_entities,
    pre_title,
    stop_word,
    with_first_names,
)
from .phrases import called_names
from .places import is_place, place_words
from .speakers import fits_names, fold, name_words, skeleton
from .subjects import is_main_subject, newcomer
from .titled import titled_names


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


# "Halyna, 68, who did not want to give her surname": someone else than the article's "Halyna Minaieva"
_NO_SURNAME = re.compile(r"[^\n]{0,120}?\b(?:surname|last name|family name)\b")  # "He asked that his surname ..."
_INTRODUCED = re.compile(r"\b(?:named|nicknamed|call ?sign|callsign|nom de guerre|name as|first name,?|known as|"
                         r"goes by|identified only as)\s*,?\s*[\"“']?$")


def _first_fits(full: str, person: Person) -> bool:
    """ "Sofia Kuzma" is no fuller form of "Oleksa Kuzma"; it is of a lone "Kuzma"."""
    words = name_words(person.canonical)
    return len(words) < 2 or skeleton(words[0]) == skeleton(name_words(full)[0])


def _modifier(tok: Any) -> bool:
    """ "Trump" in "the Trump administration": a name modifying a common noun mentions no one."""
    return tok.dep_ in {"compound", "amod", "nmod"} and tok.head.pos_ == "NOUN"


class PeopleIndex:
    """Person clusters of one article, built from spaCy's PERSON entities."""

    def __init__(self, doc: Any, quoted: list[tuple[int, int]]):
        self.text: str = doc.text
        doc.user_data["briefbot_text"] = self.text  # read by helpers that only see tokens (Doc.text rebuilds it)
        self.people: list[Person] = []
        self.mentions: list[Mention] = []
        self._quoted = quoted
        called = {fold(w) for name, _, _ in called_names(self.text) for w in name_words(name)}
        self._places = place_words(doc) - called  # "a major with the call sign Bohun": a person, tagged GPE or not
        self._doc = doc
        self._covered: set[int] = set()
        for ent in person_entities(doc):
            if not is_place(ent.text, self._places) and not stop_word(ent):
                self._add(ent)
        for ent in titled_names(doc):  # "Economy Minister Taras Melnychuk" left untagged
            if not is_place(ent.text, self._places):
                self._add(ent)
        for ent in doc.ents:  # "Hanna Vogt" tagged FAC before the article names her as a PERSON
            if ent.label_ not in {"ORG", "GPE", "NORP", "FAC"}:
                continue
            person = self._match(ent.text) if len(ent) <= 2 else None
            if person is not None and fold(ent.text) not in ORG_WORDS:
                self._add(ent, person)
            elif (name := tagged_name(ent)) is not None:
                self._add(name)  # "commissioner, Tatyana Moskalkova, says", "Kyiv - Olha Marynets has" tagged ORG
        self._complete_first_names(doc)
        self._add_bare_surnames(doc)
        self._merge_first_names()
        self._add_called()
        self.people = [p for p in self.people if not news_outlet(p.canonical)]  # "told Meduza": a newsroom, no one
        kept = {id(p) for p in self.people}
        self.mentions = sorted((m for m in self.mentions if id(m.person) in kept), key=lambda m: m.start)
        for m in self.mentions:  # "an IT specialist named Artyom ... says": the named newcomer leads the clause
            if not m.subject and _INTRODUCED.search(self.text, max(0, m.start - 40), m.start):
                m.subject = True

    @property
    def places(self) -> set[str]:
        """Folded words the article uses as places."""
        return self._places

    def _complete_first_names(self, doc: Any) -> None:
        """A person tagged only as "Valentyna" takes the one untagged full name the text gives ("Valentyna Boiko")."""
        for lone in [p for p in self.people if len(name_words(p.canonical)) == 1]:
            spans = full_name_spans(doc, lone.canonical, self.inside_quote, self._places)
            if len({s.text for s in spans}) != 1 or self._match(spans[0].text) not in (None, lone):
                continue
            lone.names.append(spans[0].text)
            for s in spans:
                self.mentions.append(Mention(lone, s.start_char, s.end_char, is_main_subject(s[1:])))
                self._covered.add(s[1].idx)

    def _merge_first_names(self) -> None:
        """A lone "Serhiy" is "Serhiy Bondar" when he is the only Serhiy with a surname in the article."""
        full = [p for p in self.people if len(name_words(p.canonical)) > 1]
        for lone in [p for p in self.people if len(name_words(p.canonical)) == 1]:
            key = skeleton(lone.canonical)
            same = [p for p in full if skeleton(name_words(p.canonical)[0]) == key]
            if len(same) == 1 and not any(skeleton(name_words(p.canonical)[-1]) == key for p in full) and not any(
                    _NO_SURNAME.match(self.text, m.end) for m in self.mentions if m.person is lone):
                target = same[0]
                target.names.extend(n for n in lone.names if n not in target.names)
                for m in self.mentions:
                    if m.person is lone:
                        m.person = target
                self.people.remove(lone)

    def _add_bare_surnames(self, doc: Any) -> None:
        """Surnames the NER missed ("Zelenskiy called on ...", "Rustem Umerov" tagged ORG) still count as mentions."""
        surnames = {skeleton(name_words(p.canonical)[-1]): p for p in self.people}
        taken = {m.start for m in self.mentions}
        lower = {t.lower_ for t in doc if t.is_lower}
        for tok in doc:
            if tok.ent_type_ == "PERSON" or not tok.text[:1].isupper():
                continue
            person = surnames.get(skeleton(tok.text))
            full = with_first_names(tok)
            if person is not None:  # two people may share the surname ("Rees" and "Mrs Rees")
                person = (self._match(full) if full else None) or self._match(
                    tok.text, self.text[max(0, tok.idx - 6) : tok.idx]) or person
            # "Kravets said" parsed as a common noun, "Trump" tagged ORG: a surname the article or the story knows
            missed = (tok.pos_ in {"NOUN", "PROPN"} and tok.is_title and tok.lower_ not in lower
                      and (person is not None or story_person(tok.text)) and not _modifier(tok))
            if tok.pos_ != "PROPN" and not missed:
                continue
            other = person is not None and full is not None and not _first_fits(full, person)
            if other:  # "Halina Sorvik" beside a known "Agata Sorvik": someone else of that family
                person = self._match(full)
            elif person is not None and full is not None and full not in person.names:
                person.names.append(full)  # the fuller form of a known person
            if tok.idx in taken or tok.idx in self._covered or tok.ent_type_ and not missed:
                continue
            if person is None and (missed or other):
                person = Person([full or tok.text])
                person.gender = known_gender(full or tok.text) or guess_gender(
                    self.text[: tok.idx], name_words(full or tok.text), None)
                self.people.append(person)
                surnames[skeleton(tok.text)] = person
            if person is None and bare_subject_name(tok):
                person = self._match(full or tok.text)
            if person is None and bare_subject_name(tok) and not is_place(full or tok.text, self._places):
                person = Person([full or tok.text])
                person.gender = guess_gender(self.text[: tok.idx], name_words(full or tok.text), None)
                self.people.append(person)
                surnames[skeleton(tok.text)] = person
            if person is not None:
                self.mentions.append(Mention(person, tok.idx, tok.idx + len(tok), is_main_subject(tok.doc[tok.i : tok.i + 1])))

    def _add_called(self) -> None:
        """People known by a call sign or a given name ("a commander who goes by the call sign Lys") lead the clause
        that introduces them, whether or not the NER tagged the name."""
        taken = {m.start for m in self.mentions}
        for name, start, end in called_names(self.text):
            if start in taken or self.inside_quote(start) or is_place(name, self._places):
                continue
            person = self._match(name)
            if person is None:
                person = Person([name])
                person.gender = guess_gender(self.text[:start], name_words(name), None)
                self.people.append(person)
            self.mentions.append(Mention(person, start, end, True))

    def add_name(self, name: str, start: int, end: int, role: str | None = None) -> Person:
        """Register a speaker name found by the parser but missed by the NER, as a subject mention."""
        person = self._match(name)
        if person is None:
            person = Person([name], [re.sub(r"^(?:the|a|an)\s+", "", role)] if role else [])
            person.gender = guess_gender(self.text[:start], name_words(name), role)
            self.people.append(person)
        self.mentions.append(Mention(person, start, end, True))
        self.mentions.sort(key=lambda m: m.start)
        return person

    def inside_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self._quoted)

    def _match(self, name: str, before: str = "") -> Person | None:
        """The person `name` names. A bare surname two people share ("Rees") is the first one the article
        introduced, or the one an honorific points to ("Mrs Rees"); else the latest mention that fits wins."""
        if len(name.split()) == 1:
            sharing = [p for p in self.people if len(name_words(p.canonical)) > 1 and fits_names(name, p.names)]
            if len(sharing) > 1:
                gender = honorific_gender(before)
                fits = [p for p in sharing if gender is None or p.gender == gender]
                if fits:
                    first = {p: min((m.start for m in self.mentions if m.person is p), default=1 << 30) for p in fits}
                    return min(fits, key=lambda p: first[p])
        best = None
        for m in reversed(self.mentions):
            if fits_names(name, m.person.names):
                best = m.person
                break
        if best is None:
            for p in self.people:
                if fits_names(name, p.names):
                    return p
        if best is None and len(name.split()) == 1:  # "Serhiy" for "Serhiy Bondar", when only one person has it
            firsts = [p for p in self.people if len(name_words(p.canonical)) > 1
                      and skeleton(name_words(p.canonical)[0]) == skeleton(name)]
            if len(firsts) == 1:
                return firsts[0]
        return best

    def _add(self, ent: Any, person: Person | None = None) -> None:
        name = _strip_possessive(ent.text)
        words = name_words(name)
        if not words or not any(w[:1].isupper() for w in words):
            return
        name = " ".join(words)
        first = ent.text.split()[0]
        before = first if honorific_gender(first) else self.text[max(0, ent.start_char - 6) : ent.start_char]
        person = person or self._match(name, before)
        if person is None:
            person = Person([name])
            self.people.append(person)
        elif name not in person.names:
            person.names.append(name)
        role = pre_title(ent) or appositive(self.text, ent.end_char)
        if role and role not in person.roles and not self.inside_quote(ent.start_char):
            person.roles.append(role)
        if person.gender is None:
            person.gender = guess_gender(self.text[: ent.start_char], words, role)
        self.mentions.append(Mention(person, ent.start_char, ent.end_char, is_main_subject(ent)))

    def person_for(self, name: str) -> Person | None:
        """The person whose name `name` is, if the article names them."""
        words = _strip_possessive(name).split()
        if len(words) == 2 and honorific_gender(words[0]):  # "Mrs Rees": the Rees the title points to
            return self._match(words[1], words[0])
        return self._match(" ".join(words))

    def antecedent(self, pos: int, pronoun: str, prefer: Person | None = None) -> Person | None:
        """The person a he/she at `pos` most likely refers to: the latest main-clause subject, else the latest mention."""
        want = {"he": "m", "she": "f"}.get(pronoun.lower())
        before = [m for m in self.mentions if m.end <= pos and not self.inside_quote(m.start)]
        if want is not None:
            fits = [m for m in before if m.person.gender in (None, want)]
        else:
            fits = before
        if not fits:
            return None
        fresh = newcomer(self._doc, fits, pos, want, self.inside_quote)
        if fresh is not None:
            return fresh.person
        if prefer is not None and any(m.person is prefer for m in fits):
            mine = [m for m in fits if m.person is prefer]  # not "Zelenskiy, standing beside Merz, said"
            last_prefer = max(m.start for m in [m for m in mine if not self._beside(m)] or mine)
            if not any(m.start > last_prefer and m.subject and m.person is not prefer for m in fits):
                return prefer
        subjects = [m for m in fits if m.subject and pos - m.end < 1500]
        if subjects:
            return subjects[-1].person
        return fits[-1].person

    def _beside(self, m: Mention) -> bool:
        """A mention as the object of "beside", "with", "next to" ...: someone the subject stands with."""
        span = self._doc.char_span(m.start, m.end, alignment_mode="expand")
        root = span.root if span is not None else None
        return root is not None and root.dep_ == "pobj" and root.head.lower_ in {"beside", "with", "to", "alongside"}

    def recent(self, pos: int, within: int = 1200) -> list[Person]:
        """People mentioned (outside quotes) in the `within` characters before `pos`, latest first."""
        seen: list[Person] = []
        for m in reversed(self.mentions):
            if m.end <= pos and pos - m.end <= within and not self.inside_quote(m.start) and m.person not in seen:
                seen.append(m.person)
        return seen
