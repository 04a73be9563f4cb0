"""Definite descriptions ("the retired teacher", "the 61-year-old", "the MP") resolved to the person they describe."""

from __future__ import annotations

import re

from .cues import ROLE_NOUNS, SPEAKER_NOUNS
from .people import PeopleIndex, Person
from .roles import by_role
from .speakers import fold

_AGE = re.compile(r"\b(\d{1,3}) year old\b")
_PRE = re.compile(r"((?:[^\W\d_][\w’'.-]*[ \t]+){1,4})$")
_AFTER = re.compile(r"^,[ \t]*(\d{1,3}),[ \t]*([^,.;:()“”\"]{1,100})|^,[ \t]*([^,.;:()“”\"]{1,100})")
_WEAK = {"former", "senior", "current", "top", "then", "longtime", "veteran", "local"}
_NOT_PEOPLE = {"ministry", "office", "agency", "government", "council", "committee", "commission", "department",
               "embassy", "company", "group", "statement", "report", "paper", "document", "delegation", "team",
               "coalition", "alliance", "union", "kremlin", "side", "staff", "association", "service", "headquarters",
               "administration", "operator", "organisation", "organization", "institute", "centre", "center", "bank",
               "fund", "court", "army", "military", "police", "guard", "navy", "parliament", "party", "federation",
               "guardian", "times", "post", "telegraph", "independent", "house", "palace", "chancellery", "cabinet",
               "secretariat", "mission", "network", "channel", "outlet", "newspaper", "broadcaster", "elysee"}
_AGENT = re.compile(r"(?:er|or|ist|ian|ant|mp|owner|old|man|woman|person|crat|pal|ee)$")
_WINDOW = 2500
_NEVER_NAMED = {"source", "sources", "insider", "insiders"}
_PARTISANS = {"republican", "democrat", "conservative", "liberal", "tory", "socialist", "centrist", "populist"}
_ORIGIN_HEADS = {"native", "resident", "local", "emigre", "expat"}
_PLACE_WORD = re.compile(r"\b([A-Z][a-z][^\W\d_]*)(?=[ -])")
_NATIONALITY = re.compile(r"(?:ian|ish|ese|an|ic|i)$")
_SENT_END = re.compile(r"[.!?\n“”\"]")


def _stem(word: str) -> str:
    return word[:5]


def introduction(people: PeopleIndex, start: int, end: int) -> tuple[set[str], str | None]:
    """Stems of the words that introduce a mention ("MP Bohdan Lys", "Ola Berg, 61, a retired teacher") and the age."""
    text = people.text
    words: list[str] = []
    age = None
    pre = _PRE.search(text[max(0, start - 60) : start])
    if pre:
        words += fold(pre.group(1)).split()
    after = _AFTER.match(text[end : end + 160])
    if after:
        age = after.group(1)
        words += fold(after.group(2) or after.group(3) or "").split()
    return {_stem(w) for w in words if w not in {"the", "a", "an"}}, age


def resolve_description(people: PeopleIndex, phrase: str, pos: int, *, weak: bool) -> Person | None:
    """The named person a definite description at `pos` refers to: the only one whose introduction it matches;
    with `weak`, else the latest person who was a clause's subject, unless the article gave them another age."""
    words = [w for w in fold(phrase).split() if w not in {"the", "a", "an"}]
    plural = bool(words) and words[-1].endswith("s") and not words[-1].endswith("ss")
    if not words or "of" in words or words[-1] in _NOT_PEOPLE or plural:
        return None
    age = _AGE.search(" ".join(words))  # "the 61-year-old", "the 49-year-old principal"
    head = words[-1]
    places = _phrase_places(people, phrase)
    human = _AGENT.search(head) or head in _PARTISANS or head in ROLE_NOUNS or head in SPEAKER_NOUNS or places and head in _ORIGIN_HEADS
    if not age and (len(words) < 2 and head in ROLE_NOUNS or not human):
        return None  # a bare role ("the president") is left to the role matcher; "the success" is no one
    # A past role ("the former prime minister") is rarely on record; a trade or an age is the article's own detail.
    weak = weak and (bool(age) or "former" in words or head not in ROLE_NOUNS)
    wanted = {_stem(w) for w in words if w not in _WEAK}
    intros: dict[Person, tuple[set[str], str | None]] = {}
    latest: Person | None = None
    for m in people.mentions:  # introductions anywhere before; the fallback only looks at recent subjects
        if m.start >= pos or people.inside_quote(m.start):
            continue
        stems, years = introduction(people, m.start, m.end)
        old = intros.get(m.person, (set(), None))
        intros[m.person] = (old[0] | stems, old[1] or years)
        if m.subject and pos - m.start <= _WINDOW:
            latest = m.person
    if age:
        full = [p for p, (_, years) in intros.items() if years == age.group(1)]
    else:
        full = [p for p, (stems, _) in intros.items() if wanted and wanted <= stems]
    if len(full) == 1:
        return full[0]
    if not full and not age and head not in ROLE_NOUNS:  # "the Swedish analyst": "Andreas Lund, a fellow at the Swedish …"
        proper = {_stem(fold(w)) for w in phrase.split()[1:-1] if w[:1].isupper()}  # "Swedish", "New York"
        fits = [p for p, (stems, _) in intros.items() if proper and proper <= stems]
        if len(fits) == 1:
            return fits[0]
    if not full and not age and places and head not in ROLE_NOUNS:
        # "the Lviv-born lawyer": the one person the article placed there, else the one with that trade
        full = _by_place_or_head(people, places, pos) or _by_place_or_head(people, {_stem(head)}, pos)
        if len(full) == 1:
            return full[0]
    if full or not weak or latest is None:
        return None
    years = intros[latest][1]
    if age and years and years != age.group(1):
        return None
    return latest


def _phrase_places(people: PeopleIndex, phrase: str) -> set[str]:
    """Stems of the article's place words in a description ("the Lviv-born lawyer" -> {"lviv"})."""
    words = {w for w in _PLACE_WORD.findall(phrase[4:] + " ") if not _NATIONALITY.search(w)}
    placed = {w for w in words if fold(w) in people.places or re.search(rf"\b(?:in|from)\s+{w}\b", people.text)}
    return {_stem(fold(w)) for w in placed}


def _by_place_or_head(people: PeopleIndex, stems: set[str], pos: int) -> list[Person]:
    """People whose introducing sentence (outside quotes) holds one of `stems`."""
    text = people.text
    out: list[Person] = []
    for m in people.mentions:
        if m.start >= pos or pos - m.start > _WINDOW or people.inside_quote(m.start) or m.person in out:
            continue
        lo = max([m.start - 200, 0] + [text.rfind(c, 0, m.start) + 1 for c in '.!?\n“”"'])
        end = _SENT_END.search(text, m.end, m.end + 200)
        words = fold(text[lo : m.start] + " " + text[m.end : end.start() if end else m.end + 200]).split()
        if stems & {_stem(w) for w in words}:
            out.append(m.person)
    return out


def described_person(people: PeopleIndex, phrase: str, pos: int, *, role_like: bool) -> Person | None:
    """Who a description speaker is: by the article's introduction, then by role, then the latest subject."""
    definite = phrase[:4].lower() == "the "
    if phrase.lower().split()[-1] in _NEVER_NAMED:
        return None  # "the source said": whoever it is, the article chose not to name them
    person = resolve_description(people, phrase, pos, weak=False) if definite else None
    if person is None and (definite or role_like):
        person = by_role(people, phrase, pos)
    if person is None and definite:
        person = resolve_description(people, phrase, pos, weak=True)
    return person
