"""From a speaker phrase found beside a quote to the speaker: named people, pronouns, descriptions, sources."""

from __future__ import annotations

import re
from typing import Any

from .antecedents import indefinite_antecedent
from .cues import FEMALE_HINTS, MALE_NAMES, ROLE_NOUNS
from .descriptions import described_person
from .groups import described_subject, source_group
from .institutions import described_organisation, named_institution
from .marks import Span
from .name_tokens import TIME_STAMP
from .people import PeopleIndex, Person
from .phrases import Found
from .speakers import fold, is_person_name, strip_titles

_GOING_ON = {"continued", "continues", "went", "goes"}  # "He continued:" after an unnamed source's quote
_STAMP = re.compile(TIME_STAMP + r"[ \t\n]+")
_KIND_THEN_NAME = re.compile(r"(?:the\s+)?(?:[\w’'-]+\s+){0,3}(?:group|channel|movement|network|organi[sz]ation|"
                             r"initiative|foundation|outlet|blog|website|platform|newspaper|party)\s+"
                             r"((?:[A-Z][\w’'-]*)(?:\s+(?:of\s+|for\s+|the\s+)*[A-Z][\w’'-]*){0,5})$")
_POSSESSIVE_ROLE = re.compile(r"^[A-Z][\w.-]*(?:'s|’s)\s+(?:[\w-]+\s+){0,3}[\w-]+$")


def resolve(people: PeopleIndex, f: Found | None, span: Span,
            last: tuple[int, str, str, str | None, Person | None] | None,
            text: str, doc: Any) -> tuple[str | None, str | None, str, Person | None]:
    """(speaker, role, method, person) for the speaker phrase `f` found beside the quote `span`."""
    if f is None:
        return None, None, "unknown", None
    if (stamp := _STAMP.match(f.phrase)) and stamp.end() < len(f.phrase):  # a live blog's "19:12 Dmytro Lubinets"
        f = Found(f.phrase[stamp.end() :], f.start + stamp.end(), f.end, f.kind, f.cue, f.how, f.appos)
    how = {"cue": "direct", "colon": "colon", "according_to": "according_to", "continuation": "continuation"}[f.how]
    if f.kind == "person":
        person = people.person_for(f.phrase)
        if person is not None:
            if person.role is None and f.appos and _role_like(f.appos):
                person.roles.append(re.sub(r"^(?:the|a|an)\s+", "", f.appos))
            return person.canonical, person.role, how, person
        return f.phrase, f.appos, how, None
    if f.kind == "pronoun":
        pron = {"him": "he", "her": "she"}.get(f.phrase.lower(), f.phrase.lower())  # "according to him"
        if pron in {"he", "she"} and f.cue in _GOING_ON and last is not None and last[4] is None and \
                span.para - last[0] <= 1 and re.match(r"(?i)(?:an?|one|another)\s", last[1]):
            return last[1], last[3], "pronoun" if how == "direct" else how, None  # the unnamed source goes on
        if pron in {"he", "she"}:
            who = he_or_she(people, f.start, pron, span, last, text, doc)
            if who is not None:
                return who[0], who[1], "pronoun" if how == "direct" else how, who[2]
            return None, None, "unknown", None
        if last is not None:
            return last[1], last[3], "pronoun" if how == "direct" else how, last[4]
        return None, None, "unknown", None
    phrase = strip_titles(f.phrase)
    if f.appos and is_person_name(f.appos):
        person = people.person_for(f.appos)
        if person is not None:
            return person.canonical, person.role, how, person
    person = people.person_for(phrase) if is_person_name(phrase) else None
    if person is not None:
        return person.canonical, person.role, how, person
    if f.kind == "phrase" and (_looks_like_name(phrase) or _first_name(phrase, f.appos)):
        # a name the NER missed ("Taras Melnychuk", tagged NORP; "says Vitalii, a 34-year-old pilot")
        person = people.add_name(strip_titles(phrase), f.start, f.end,
                                 f.appos if f.appos and _role_like(f.appos) else None)
        return person.canonical, person.role, how, person
    if phrase.lower() in {"one", "another", "one of them", "a second", "a third"}:
        group = source_group(doc, f.start, quoted=people.inside_quote)
        if group is not None:
            return group.phrase, None, "description" if how == "direct" else how, None
    definite = re.match(r"(?i)the\s", phrase)
    if definite:
        earlier = (indefinite_antecedent(text, phrase, f.start, people) or named_institution(text, phrase, f.start)
                   or described_organisation(doc, phrase, f.start, people.inside_quote)
                   or _unnamed_before(people, phrase, f.start, doc))
        if earlier is not None:
            person = people.person_for(earlier) if is_person_name(earlier) else None
            if person is not None:
                return person.canonical, person.role, "description" if how == "direct" else how, person
            return earlier, None, "description" if how == "direct" else how, None
    person = described_person(people, phrase, f.start, role_like=bool(_POSSESSIVE_ROLE.match(phrase)))
    if person is not None:
        return person.canonical, person.role, "description" if how == "direct" else how, person
    if named := _KIND_THEN_NAME.match(phrase):  # "the Telegram channel Frontovaya Svodka": the channel's name
        return named.group(1), None, how, None
    return phrase, None, how, None


def _unnamed_subject(people: PeopleIndex, doc: Any, pos: int, pron: str) -> Found | None:
    """described_subject with the article's named mentions (outside quotes) as what stops it."""
    named = {i for m in people.mentions if not people.inside_quote(m.start) for i in range(m.start, m.end)}
    return described_subject(doc, pos, pron, people.inside_quote, lambda at: at in named)


def _described(people: PeopleIndex, pos: int, pron: str, span: Span,
               last: tuple[int, str, str, str | None, Person | None] | None,
               text: str, doc: Any) -> tuple[tuple[str | None, str | None, str, Person | None] | None, bool]:
    """A he/she whose antecedent is a described person: "An Emirati official ... “…,” he said" is the official.
    Returns (resolution, weak); weak unless the description is indefinite or resolves to a named person: "the former
    minister" or "his mother" that name no one are outranked by a named antecedent."""
    desc = _unnamed_subject(people, doc, pos, pron)
    if desc is None:
        return None, False
    found = resolve(people, desc, span, last, text, doc)
    if found[3] is not None and found[3].gender not in (None, "f" if pron == "she" else "m"):
        return None, False  # "The diplomat added that, in her words, ...": not the male diplomat named earlier
    # Strong when it resolved to someone else ("the bank manager" -> "a senior manager at a bank") or introduces
    # someone ("The owner of a logistics company"); a bare "the former minister" that names no one is weak.
    other = found[0] is not None and found[0].lower() != desc.phrase.lower()
    return found, found[3] is None and not other and not re.match(r"(?i)(?:an?|one|another)\s|the \w+ of ", desc.phrase)


def _unnamed_before(people: PeopleIndex, phrase: str, pos: int, doc: Any) -> str | None:
    """ "A member of the delegation has told us ..." then "the source said": an unnamed source taken up again under
    another generic noun is the unnamed person who was the latest main-clause subject."""
    words = phrase.lower().split()
    if len(words) not in (2, 3) or words[-1] not in _GENERIC_SOURCES:
        return None  # only a bare "the source": "the senior administration official" is a particular one
    desc = _unnamed_subject(people, doc, pos, "")
    if desc is None or not re.match(r"(?i)(?:an?|one|another)\s", desc.phrase):
        return None
    if len(words) == 3 and words[1] not in desc.phrase.lower().split():
        return None  # "the former official" after "A former employee of the administration", not "the U.S. official"
    return desc.phrase[0].lower() + desc.phrase[1:]


_GENERIC_SOURCES = {"source", "official", "person", "insider", "diplomat"}


def he_or_she(people: PeopleIndex, pos: int, pron: str, span: Span,
              last: tuple[int, str, str, str | None, Person | None] | None,
              text: str, doc: Any) -> tuple[str | None, str | None, Person | None] | None:
    """Who a he/she at `pos` is: a described person who was the latest subject, else the named antecedent, else a
    definite description nobody named: (speaker, role, person) or None."""
    described, weak = _described(people, pos, pron, span, last, text, doc)
    if described is not None and not weak:
        return described[0], described[1], described[3]
    person = people.antecedent(pos, pron, last[4] if last is not None else None)
    if person is not None:
        return person.canonical, person.role, person
    return (described[0], described[1], None) if described is not None else None


def _looks_like_name(phrase: str) -> bool:
    words = phrase.split()
    return 2 <= len(words) <= 4 and is_person_name(phrase) and not any(w.lower() in ROLE_NOUNS for w in words)


def _first_name(phrase: str, appos: str | None) -> bool:
    """A lone given name ("Vitalii"), known as one or set beside a description of a person."""
    if not re.fullmatch(r"[A-Z][a-z’'-]{2,}", phrase) or phrase.lower() in ROLE_NOUNS:
        return False
    return fold(phrase) in MALE_NAMES or fold(phrase) in FEMALE_HINTS or bool(appos and _PERSON_APPOS.match(appos))


_PERSON_APPOS = re.compile(r"(?:an?|the) (?:\d+-year-old|[a-z-]+ (?:\w+ )?(?:man|woman|pilot|soldier|medic|officer|"
                           r"commander|sergeant|resident|pensioner|teacher|nurse|driver|volunteer|student))\b")


def _role_like(phrase: str) -> bool:
    return any(w in ROLE_NOUNS for w in phrase.lower().split())
