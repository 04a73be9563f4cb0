"""Short names of institutions ("the ministry", "the IAEA") resolved to the fuller name the article gave earlier."""

from __future__ import annotations

import re
from typing import Any

_INSTITUTIONS = {"ministry", "office", "agency", "commission", "council", "committee", "embassy", "department",
                 "government", "headquarters", "service", "company", "operator", "fund", "bank", "administration",
                 "bureau", "authority", "directorate"}
# "Coordination Headquarters for the Treatment of Prisoners of War", "Ministry of Energy": the name goes on
_TAIL = re.compile(r"(?:[ \t]+(?:of|for|on)(?:[ \t]+the)?(?:[ \t]+(?:and[ \t]+)?[A-Z][\w’'-]*)+)+")
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
    if len(words) not in (2, 3) or words[-1].lower() not in _INSTITUTIONS or len(words) == 3 and words[0].lower() != "the":
        return None
    head = words[-1].lower()
    pattern = re.compile(rf"(?:\b[A-Z][\w.-]*(?:'s|’s)?[ \t]+){{1,4}}(?:[a-z][\w-]*[ \t]+){{0,3}}"
                         rf"[{head[0].upper()}{head[0]}]{re.escape(head[1:])}\b")
    found = None
    for m in pattern.finditer(text, max(0, pos - 3000), pos):
        if len(_ARTICLES.sub("", m.group(0)).split()) >= 2 and words[1].lower() in m.group(0).lower():
            found = m  # not a bare "The ministry"; "the regional administration" after "The Odesa regional ..."
    if found is None:
        return None
    tail = _TAIL.match(text, found.end())
    name = found.group(0) + (tail.group(0) if tail else "")
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


_KINDS = ({"company", "firm", "operator", "utility", "corporation", "provider", "producer", "insurer", "carrier"},
          {"agency", "watchdog", "organisation", "organization", "body", "authority"})
_DESCRIBED = re.compile(r"^the\s+(?:[\w’'-]+\s+){0,3}([a-z]+)$")
_ORG_WINDOW = 3000


def described_organisation(doc: Any, phrase: str, pos: int, quoted: Any) -> str | None:
    """ "the company" after "the grid operator, Ukrenergo", "the Vienna-based agency" after "the Atomic Energy
    Agency": the one organisation named earlier whose name or introduction has that kind; else None."""
    m = _DESCRIBED.match(phrase.strip().lower())
    if m is None or not phrase.split()[-1].islower():
        return None  # "The International Atomic Energy Agency" is a name, not a description
    kind = next((k for k in _KINDS if m.group(1) in k), None)  # a ministry or office is left to _by_head
    if kind is None:
        return None
    found: dict[str, str] = {}
    bodies: dict[str, str] = {}  # "the organisation" after "The International Committee of the Red Cross"
    for ent in doc.ents:
        if ent.start_char >= pos or pos - ent.start_char > _ORG_WINDOW or quoted(ent.start_char):
            continue
        key = re.sub(r"^the\s+", "", ent.text.lower())
        if ent.label_ == "ORG" and ent[-1].lower_ in kind or ent.label_ in {"ORG", "PERSON"} and _introduced_as(ent, kind):
            found.setdefault(key, ent.text)
        elif kind is _KINDS[1] and ent.label_ == "ORG" and any(t.lower_ in _ORG_HEADS for t in ent):
            bodies.setdefault(key, ent.text)  # a named body of another kind: only when nothing fits better
    found = found or bodies
    if len(found) != 1:
        return None
    name = next(iter(found.values()))
    return "the " + name[4:] if name.startswith("The ") else name


def _introduced_as(ent: Any, kind: set[str]) -> bool:
    """ "the grid operator, Ukrenergo," / "Ukrenergo, the grid operator," / "operator Ukrenergo"."""
    root = ent.root
    if root.dep_ == "appos" and root.head.lower_ in kind:
        return True
    if any(c.dep_ == "appos" and c.lower_ in kind for c in root.children):
        return True
    return ent.start > 0 and ent.doc[ent.start - 1].lower_ in kind
