"""Unnamed sources taken up again: "the official" after "A U.S. official who ..." is that official."""

from __future__ import annotations

import re

from .people import PeopleIndex
from .phrases import called_name

_NAME_BEFORE = re.compile(r"[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3},\s*$")
_NAME_AFTER = re.compile(r",\s*[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3}\s*,")
_COPULA = re.compile(r"\b(?:was|is|had been|has been|used to be)\s+$")
_CUE_NEXT = re.compile(r"[ \t]+(?:said|says|told|tells|added)\b")
_IN_PLACE = r"(?:[ \t]+(?:based[ \t]+)?in[ \t]+[A-Z][\w’'-]+(?=[ \t]+(?:who|which|said|says|told|added)\b|[,.;:]))?"
_WITH = (r"(?:[ \t]+to(?:[ \t]+[A-Z][\w.’'-]*){1,4}(?=[ \t,.;:])|[ \t]+(?:travelling|traveling|working|accompanying)[ \t]+"
         r"with[ \t]+(?:the[ \t]+)?(?:[\w’'-]+[ \t]+){0,2}?[\w’'-]+(?=[ \t]+(?:who|which|said|says|told|added)\b|[,.;:]))?")
_POST = (r"(?P<post>[ \t]+(?:in|at|with|from|inside|within)[ \t]+(?:the[ \t]+)?(?:[\w’'-]+[ \t]+){0,2}?[\w’'-]+"
         r"(?=[ \t]+(?:who|which|said|says|told|tells|added|as)\b|[,.;:]))?")


def indefinite_antecedent(text: str, phrase: str, pos: int, people: PeopleIndex) -> str | None:
    """ "the official" after "A U.S. official who ..." is that official: return the first phrase as written."""
    words = phrase.split()
    head = words[-1].lower()
    if len(words) > 3 or not head.isalpha():
        return None
    pattern = re.compile(rf"\b(?:[Aa]n?|[Oo]ne|[Aa]nother)[ \t]+(?:(?:[\w’'-]+|[A-Z](?:\.[A-Z])+\.?)[ \t]+){{0,4}}?"
                         rf"{re.escape(head)}\b{_IN_PLACE}{_POST}{_WITH}(?:[ \t]+(?:familiar with|close to|involved in|briefed on)"
                         r"[ \t]+(?:[\w’'-]+|[A-Z](?:\.[A-Z])+\.?)(?:[ \t]+(?:[\w’'-]+|[A-Z](?:\.[A-Z])+\.?)){0,5}?"
                         r"(?=[ \t]+(?:said|says|told|who|which|added)\b|[,.;:]))?")
    found = None
    for m in pattern.finditer(text, max(0, pos - 2500), pos):
        if not people.inside_quote(m.start()):
            found = m
    mods = [w.lower() for w in words[1:-1] if w.lower() not in {"the", "former", "senior"}]
    if found is None and mods and words[0].lower() == "the":  # "the bank manager", long after "A senior manager at
        for m in pattern.finditer(text, 0, pos):                # a large state-owned bank": the details agree
            if not people.inside_quote(m.start()) and all(w in text[m.start() : m.end() + 80].lower() for w in mods):
                found = m
    cue_next = _CUE_NEXT.match(text, found.end()) if found is not None else None  # "..., a U.S. official said."
    if found is not None and any(found.end() < m.start <= found.end() + 2 for m in people.mentions):
        return None  # "a joint briefing with ministry spokesperson Oksana Vdovenko": a title before a name
    named_before = found is not None and not cue_next and any(
        found.start() - 4 <= m.end <= found.start() for m in people.mentions)  # not "In Paris, an adviser ..."
    if found is None or named_before and _NAME_BEFORE.search(text, max(0, found.start() - 60), found.start()) or \
            _NAME_AFTER.match(text, found.end()):
        return None  # "Yuri Ushakov, a senior Kremlin aide": the description names a person, resolved by role
    name = called_name(text, found.end())
    if name is not None:
        return name  # "A pensioner who gave his name as Gennady": the pensioner is Gennady
    if _COPULA.search(text, max(0, found.start() - 16), found.start()):
        sentence = max(text.rfind(". ", 0, found.start()), text.rfind("\n", 0, found.start())) + 1
        named = [m for m in people.mentions
                 if sentence <= m.start < found.start() and not people.inside_quote(m.start)]
        if named:  # "Its commander, a major with the call sign Bohun, was an accountant": the accountant is Bohun
            return named[0].person.canonical
    earlier = found.group(0)
    if found.group("post") and not re.search(r"[A-Z]", found.group("post")):  # "a diplomat in the room": no one named
        earlier = text[found.start() : found.start("post")] + text[found.end("post") : found.end()]
    return earlier[0].lower() + earlier[1:] if earlier[:2] in {"A ", "An"} or earlier[:3] in {"One", "Ano"} else earlier
