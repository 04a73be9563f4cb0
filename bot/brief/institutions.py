"""Short names of institutions ("the ministry", "the IAEA") resolved to the fuller name the article gave earlier."""

from __future__ import annotations

import re

_INSTITUTIONS = {"ministry", "office", "agency", "commission", "council", "committee", "embassy", "department",
                 "government", "headquarters", "service", "company", "operator", "fund", "bank"}
_ARTICLES = re.compile(r"^(?:The|In|On|At|A|An)\s+")
_SMALL = {"of", "for", "the", "and", "on", "in", "de", "des", "du"}
_ACRONYM = re.compile(r"^(?:the\s+)?([A-Z]{3,6})$")
_ORG_HEADS = _INSTITUTIONS | {"organisation", "organization", "union", "association", "alliance", "court", "institute",
                              "authority", "corporation", "programme", "program", "forces", "bureau", "federation"}


def named_institution(text: str, phrase: str, pos: int) -> str | None:
    """The fuller earlier name of a short institution name at `pos`, as the article wrote it, if any."""
    return _by_head(text, phrase, pos) or _by_acronym(text, phrase, pos)


def _by_head(text: str, phrase: str, pos: int) -> str | None:
    """ "the ministry" after "Ukraine's Energy Ministry" or "The Ruritanian defence ministry said ..."."""
    words = phrase.split()
    if len(words) != 2 or words[1].lower() not in _INSTITUTIONS:
        return None
    head = words[1].lower()
    pattern = re.compile(rf"(?:\b[A-Z][\w.-]*(?:'s|’s)?[ \t]+){{1,4}}(?:[a-z][\w-]*[ \t]+){{0,2}}"
                         rf"[{head[0].upper()}{head[0]}]{re.escape(head[1:])}\b")
    found = None
    for m in pattern.finditer(text, max(0, pos - 3000), pos):
        if len(_ARTICLES.sub("", m.group(0)).split()) >= 2:  # not a bare "The ministry"
            found = m
    if found is None:
        return None
    name = found.group(0)
    return _ARTICLES.sub(lambda m: "the " if m.group(0).startswith("The") else "", name)


def _by_acronym(text: str, phrase: str, pos: int) -> str | None:
    """ "the IAEA" after "The International Atomic Energy Agency": the full name the acronym stands for."""
    m = _ACRONYM.match(phrase.strip())
    if m is None:
        return None
    letters = m.group(1)
    words = r"[A-Z][\w’'-]*"
    pattern = re.compile(rf"\b{words}(?:[ \t]+(?:{'|'.join(_SMALL)}|{words})){{{len(letters) - 1},{2 * len(letters)}}}")
    for found in pattern.finditer(text, 0, pos):
        parts = [w for w in found.group(0).split() if w.lower() not in _SMALL]
        for i in range(len(parts) - len(letters) + 1):
            if "".join(w[0] for w in parts[i : i + len(letters)]) == letters:
                if not any(w.lower() in _ORG_HEADS for w in parts[i : i + len(letters)]):
                    continue  # "the UAE" stays: a country is not spelled out
                start = found.group(0).index(parts[i])
                end = found.group(0).index(parts[i + len(letters) - 1], start) + len(parts[i + len(letters) - 1])
                return "the " + found.group(0)[start:end]
    return None
