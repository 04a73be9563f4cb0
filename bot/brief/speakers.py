"""Speaker keys that fold spelling variants and partial names, and canonical names per article."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sir", "dame", "gen", "general", "lt", "col", "sen", "senator", "rep",
    "president", "prime", "minister", "chancellor", "secretary", "envoy", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "adviser", "advisor", "aide", "foreign", "defense", "defence", "state",
    "special", "vice", "deputy", "chief", "head", "commander", "top", "former", "acting", "mayor", "governor",
    "pope", "king", "queen", "prince", "lord", "lady", "first", "the", "u.s.", "us", "ukrainian", "russian",
    "kremlin", "white", "house",
}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_PARTICLES = {"von", "van", "der", "de", "den", "la", "le", "du", "da", "di", "al", "bin", "ben"}
_SOURCE_CUT = {"familiar", "close", "involved", "briefed", "briefing", "who", "with", "knowledgeable", "speaking", "that",
               "which", "in", "at", "on", "based", "quoted", "cited", "present", "attending"}
_UNNAMED_FILLER = {"a", "an", "the", "one", "another", "two", "three", "four", "several", "some", "second", "third",
                   "fourth", "other", "them"}
_SINGULAR = {"source", "official", "diplomat", "analyst", "expert", "observer", "resident", "soldier", "lawmaker",
             "negotiator", "aide", "adviser", "advisor", "leader", "delegate", "officer", "critic", "voter", "insider"}
_SPEAKS_FOR = re.compile(r"^(?:an?|the|one)\s+(?:[\w.-]+\s+){0,2}?(?:spokes\w+|adviser|advisor|aide|lawyer|"
                         r"representative|assistant|official|source|member|envoy|people|person)s?\s+(?:for|to|close to)\s",
                         re.IGNORECASE)
_UNNAMED_LEAD = re.compile(r"^(?:a|an|one|two|three|several|some|the|two)\s", re.I)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII skeleton of `text`: accents stripped, punctuation dropped."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("'s", "").replace(".", "").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """Transliteration-insensitive form of one name word (Zelenskyy = Zelenskiy = Zelensky)."""
    w = fold(word).replace(" ", "")
    w = w.replace("kh", "h").replace("ph", "f").replace("ck", "k").replace("w", "v").replace("tz", "ts")
    w = w.replace("y", "i").replace("j", "i")
    w = re.sub(r"^i(?=[aeiou])", "", w)  # Yury / Iury / Ury, Yevgeny / Evgeny
    w = re.sub(r"(.)\1+", r"\1", w)  # Zelenskii -> Zelenski
    w = re.sub(r"(?<=[a-z])i$", "i", w)
    return w


def name_words(name: str) -> list[str]:
    """The words of a person's name without titles, roles, initials or suffixes."""
    return list(_name_words(name))


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    words = [w for w in name.split() if fold(w) and fold(w) not in _SUFFIXES]
    while len(words) > 1 and fold(words[0]) in _TITLES:
        words = words[1:]
    return tuple([w for w in words if len(fold(w)) > 1] or words)


_TITLE_WORDS = _TITLES | {"cardinal", "archbishop", "bishop", "father", "rabbi", "imam", "patriarch", "metropolitan",
                          "secretary-general", "chairman", "chairwoman", "commissioner", "mp", "mep", "rep", "gov"}


def strip_titles(name: str) -> str:
    """ "Vatican Secretary of State Cardinal Pietro Parolin" -> "Pietro Parolin": the words after the last title."""
    words = name.split()
    if len(words) < 3 or not words[0][:1].isupper() or _SPEAKS_FOR.search(name):
        return name  # "A spokesperson for Chancellor Friedrich Merz" speaks for Merz but is not Merz
    last = -1
    for i, w in enumerate(words[:-1]):
        if fold(w) in _TITLE_WORDS and fold(w) != "the" or fold(w) == "of":
            last = i
    rest = " ".join(words[last + 1 :])
    return rest if last >= 0 and len(rest.split()) >= 2 and is_person_name(rest) else name


def surname(name: str) -> str:
    """The family name of `name` ("Ursula von der Leyen" -> "von der Leyen")."""
    words = name_words(name)
    if not words:
        return name
    last = [words[-1]]
    i = len(words) - 2
    while i > 0 and fold(words[i]) in _PARTICLES:
        last.insert(0, words[i])
        i -= 1
    return " ".join(last)


_ORG_NAME_WORDS = {"ministry", "office", "house", "street", "kremlin", "council", "commission", "agency", "department",
                   "headquarters", "government", "embassy", "parliament", "party", "union", "nato", "service",
                   "committee", "army", "forces", "bank", "fund", "company", "group", "institute", "centre", "center",
                   "foundation", "association", "organisation", "organization", "court", "guard", "police"}


def is_person_name(name: str) -> bool:
    """True when `name` looks like a person's proper name rather than a description, group or institution."""
    words = name.split()
    if not words or _UNNAMED_LEAD.match(name):
        return False
    if any(fold(w) in _ORG_NAME_WORDS for w in words) or re.search(r"['’]s\b", name):
        return False
    return all(w[:1].isupper() or fold(w) in _PARTICLES for w in words)


@lru_cache(maxsize=65536)
def speaker_key(name: str) -> str:
    """One key per person whatever the spelling or how much of the name is given; groups keep their words."""
    name = name.strip()
    if not name:
        return ""
    if is_person_name(name):
        return skeleton(name_words(name)[-1])
    words = fold(name).split()
    for i, w in enumerate(words):  # "a U.S. official familiar with the talks" is keyed as "a U.S. official"
        if i > 0 and w in _SOURCE_CUT:
            words = words[:i]
            break
    if words[:2] == ["one", "of"]:  # "one of the Ukrainian officials" is a Ukrainian official
        words = words[2:]
    words = [w for w in words if w not in _UNNAMED_FILLER]
    words = [w[:-1] if w[:-1] in _SINGULAR else w for w in words]  # "Western diplomats" and "a Western diplomat"
    return "-".join(words) or fold(name)


def query_keys(query: str) -> list[str]:
    """Keys a free-text speaker query should match: the whole query's key and each name word's."""
    keys = [speaker_key(query)]
    for w in name_words(query):
        k = skeleton(w)
        if len(k) >= 3 and k not in keys:
            keys.append(k)
    return keys


@lru_cache(maxsize=65536)
def same_person(a: str, b: str) -> bool:
    """True when two name mentions in one article refer to the same person (by surname skeleton)."""
    if not a or not b:
        return False
    sa, sb = [skeleton(w) for w in name_words(a)], [skeleton(w) for w in name_words(b)]
    if not sa or not sb:
        return False
    if sa[-1] != sb[-1]:
        return False
    # First names, when both given, must agree (Yuri = Yury).
    if len(sa) > 1 and len(sb) > 1 and sa[0] != sb[0]:
        return False
    return True


def fits_names(name: str, names: list[str]) -> bool:
    """`name` fits a person known as `names`: one form matches and no full form gives another first name."""
    if not any(same_person(name, n) for n in names):
        return False
    return len(name_words(name)) < 2 or all(same_person(name, n) for n in names if len(name_words(n)) > 1)
