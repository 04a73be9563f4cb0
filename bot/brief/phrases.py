"""The speaker phrase a cue's subject names: a person entity, a pronoun or a short noun phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .clauses import clip_clause
from .cues import PRONOUNS, SPEAKER_NOUNS
from .name_tokens import trimmed

_PHRASE_LEFT = {"det", "amod", "compound", "poss", "nmod", "nummod", "case", "quantmod", "advmod", "npadvmod"}
_SOURCE_MODIFIERS = {"familiar", "close", "involved", "briefed", "knowledgeable", "speaking", "present", "travelling",
                     "traveling", "working", "accompanying"}
_TIED_TO = {"adviser", "advisor", "aide", "spokesman", "spokeswoman", "spokesperson", "envoy", "ambassador", "assistant",
            "deputy", "counsellor", "counselor", "secretary", "confidant"}  # "an adviser to President Macron"
RELATIVE = {"who", "which", "that"}


@dataclass
class Found:
    """A speaker phrase found at text[start:end], introduced by `cue`."""

    phrase: str
    start: int
    end: int
    kind: str  # "person" | "pronoun" | "phrase"
    cue: str | None
    how: str  # "cue" | "colon" | "according_to"
    appos: str | None = None  # a description or name in apposition to the phrase


def ent_span(tok: Any) -> Any | None:
    """The PERSON entity `tok` belongs to (a per-doc index, built once)."""
    if tok.ent_type_ != "PERSON":
        return None
    index = tok.doc.user_data.get("briefbot_person_index")
    if index is None:
        index = {i: ent for ent in map(trimmed, tok.doc.ents) if ent.label_ == "PERSON"
                 and any(t.text[:1].isupper() for t in ent)  # not "the retired lorry driver" tagged PERSON
                 for i in range(ent.start, ent.end)}
        tok.doc.user_data["briefbot_person_index"] = index
    return index.get(tok.i)


def possessive(tok: Any) -> bool:
    """ "Putin" in "Putin's remarks" or "the spokesman for Putin" is not the speaker."""
    head = tok
    while head.dep_ in {"compound", "flat"} and head.head.i != head.i:
        head = head.head
    return head.dep_ in {"poss", "pobj"}


def _name_like(tok: Any) -> bool:
    """A capitalised proper-noun head the NER mislabelled ("Rustem Umerov" as ORG) still names someone."""
    return tok.pos_ == "PROPN" and tok.is_title and tok.ent_type_ not in {"GPE", "NORP", "LOC", "FAC"}


def left_apposition(tok: Any) -> Any | None:
    """ "Sen. Lindsey Graham, the South Carolina Republican who wrote the bill, said": the name before the comma."""
    doc = tok.doc
    i = tok.left_edge.i
    if i >= 2 and doc[i - 1].text == "," and doc[i - 2].ent_type_ == "PERSON" and not possessive(doc[i - 2]):
        return ent_span(doc[i - 2])
    return None


def subject_person(tok: Any) -> Any | None:
    """The first PERSON in a subject's subtree that is not a possessor or object ("Rustem Umerov, head of ...")."""
    doc = tok.doc
    for t in doc[tok.left_edge.i : tok.right_edge.i + 1]:
        if t.ent_type_ == "PERSON" and not possessive(t) and not _modifies_noun(t, tok) and not _attached(t, tok):
            return ent_span(t)
    return None


def _attached(t: Any, head: Any) -> bool:
    """ "an adviser to President Macron", "an executive at a company that met Mr. Dmitriev": a name hung on a common
    noun through a preposition or a relative clause is someone else."""
    if head.pos_ != "NOUN" or not head.is_lower:
        return False
    node = t
    while node.i != head.i and node.head.i != node.i:
        if node.dep_ in {"pobj", "relcl", "dobj"}:
            return True
        if node.dep_ == "appos":
            return False
        node = node.head
    return False


_CALLED = re.compile(
    r"\s*,?\s*(?:with the (?:call ?sign|nickname|nom de guerre)|(?:whose )?(?:call ?sign|nom de guerre)(?: is)?|named|"
    r"nicknamed|known as|who goes by|identified only as|"
    # "a sergeant in the 28th Brigade, who gave only his call sign, Tesla": a short modifier may come first
    r"(?:\s+(?:in|at|from|of|with|on|near|walking|standing|sitting|serving|working)\b[^,.;:()“”\"\n]{0,60}?)?,?\s*"
    r"who (?:gave|offered|asked to be identified|agreed to be identified)(?: only)?(?: by| as)?(?: (?:his|her|their))?"
    r"(?: first name| call ?sign| nom de guerre| name)?(?: as| only)?(?: in line with [^,]{1,40})?,?)\s*,?\s+"
    r"[\"“']?([A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?)")


_CALLED_IN_TEXT = re.compile(
    r"\b(?:(?:call ?sign|nom de guerre|nickname)|(?:gave|goes by)(?: only)? (?:his|her|their|the) (?:first )?name(?: as)?|"
    r"who goes by|"
    r"identified only as|(?P<noun>[a-z]+) (?:named|nicknamed))\s*,?\s+[\"“']?([A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?)")
_HUMAN = re.compile(r"(?:man|woman|boy|girl|er|or|ist|ian|ant|ee|son|daughter|wife|husband|mother|father|friend|"
                    r"sister|brother|colleague|deputy|medic|nurse|pensioner|veteran|resident|student|soldier|child)$")


_THINGS = {"tanker", "freighter", "carrier", "trawler", "bomber", "fighter", "cruiser", "destroyer", "reactor", "sector",
           "corridor", "tractor", "container", "transporter", "computer", "helicopter", "launcher", "river", "border",
           "center", "centre", "monitor", "operator", "server", "folder", "paper", "order", "letter", "quarter"}


def called_names(text: str) -> list[tuple[str, int, int]]:
    """People the text introduces by a call sign or a given name ("a medic named Olha", "the call sign Lys"):
    (name, start, end) of each."""
    out = []
    for m in _CALLED_IN_TEXT.finditer(text):
        noun = m.group("noun")
        if noun is None or _HUMAN.search(noun) and noun not in _THINGS:
            out.append((m.group(2), m.start(2), m.end(2)))
    return out


def _one_of_them(tok: Any) -> Found | None:
    """ "one of the people, a European official who has read the text": the apposition says who."""
    for child in tok.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.lower_ in SPEAKER_NOUNS:
            end = clip_clause(tok.doc, child.i, child.right_edge.i)
            span = tok.doc[child.left_edge.i : end + 1]
            return Found(span.text.strip(" ,"), span.start_char, span.end_char, "phrase", None, "cue")
    return None


def called_name(text: str, pos: int) -> str | None:
    """The name right after a description ending at `pos` (" named Artyom", " with the call sign Kit"), if any."""
    m = _called_at(text, pos)
    return m.group(1) if m is not None else None


def _called_at(text: str, pos: int) -> re.Match[str] | None:
    return _CALLED.match(text, pos, min(len(text), pos + 160))


def _called(tok: Any) -> Found | None:
    """ "a drone operator with the call sign Kit", "an IT specialist named Artyom": the name the person goes by."""
    doc = tok.doc
    end = tok.idx + len(tok)
    text = doc.user_data.get("briefbot_text")
    if text is None:  # Doc.text joins every token each time it is read
        text = doc.user_data["briefbot_text"] = doc.text
    m = _called_at(text, end)
    if m is None:
        return None
    desc = doc[tok.left_edge.i : tok.i + 1].text
    return Found(m.group(1), m.start(1), m.end(1), "person", None, "cue", desc)


def _placed_source(head: Any, prep: Any) -> bool:
    """ "a diplomat in Moscow", "a source in the Russian delegation": an unnamed source placed by a proper name
    (not "officials in private", "an aide in a statement")."""
    if head.lower_ not in SPEAKER_NOUNS or head.pos_ != "NOUN":
        return False
    sub = prep.doc[prep.i + 1 : prep.right_edge.i + 1]
    return 0 < len(sub) <= 6 and any(t.pos_ == "PROPN" or t.ent_type_ in {"GPE", "NORP", "ORG", "LOC"} for t in sub)


def _speaker_above(tok: Any) -> Any:
    """The person noun a phrase hangs from ("events" in "a person familiar with the day's events"), else `tok`."""
    for up in tok.ancestors:
        if up.pos_ in {"VERB", "AUX"}:
            break
        if up.pos_ in {"NOUN", "PROPN"} and (up.lower_ in SPEAKER_NOUNS or up.ent_type_ == "PERSON"):
            return up
    return tok


def speaker_phrase(tok: Any) -> Found | None:
    """The speaker phrase headed by `tok` (a name entity, a pronoun or a short noun phrase)."""
    if tok.lower_ in RELATIVE and tok.head.dep_ == "relcl" and tok.head.head.pos_ in {"NOUN", "PROPN"}:
        tok = tok.head.head  # "the ministry, which said ..."
        if tok.lower_ not in SPEAKER_NOUNS and tok.ent_type_ != "PERSON":
            tok = _speaker_above(tok)  # "a person familiar with the day's events, who said": the person
    if tok.lower_ in PRONOUNS:
        return Found(tok.text, tok.idx, tok.idx + len(tok), "pronoun", None, "cue")
    if tok.pos_ == "NOUN" and (called := _called(tok)) is not None:
        return called
    if tok.lower_ == "one" and (better := _one_of_them(tok)) is not None:
        return better
    ent = ent_span(tok)
    appos = None
    for child in tok.children:
        if child.dep_ == "appos":
            sub = child.doc[child.left_edge.i : child.right_edge.i + 1]
            appos = sub.text.strip(" ,")
            named = [t for t in sub if t.ent_type_ == "PERSON" and not possessive(t)]
            if named and ent is None and not _name_like(tok):
                inner = ent_span(named[0])
                if inner is not None:
                    return Found(inner.text, inner.start_char, inner.end_char, "person", None, "cue",
                                 tok.doc[tok.left_edge.i : tok.i + 1].text)
            if ent is None and tok.pos_ == "NOUN" and 2 <= len(sub) <= 4 and all(t.pos_ == "PROPN" for t in sub):
                desc = tok.doc[tok.left_edge.i : tok.i + 1].text  # "his Belgian counterpart, Maxime Prévot"
                return Found(sub.text, sub.start_char, sub.end_char, "phrase", None, "cue", desc)
    if ent is not None:
        return Found(ent.text, ent.start_char, ent.end_char, "person", None, "cue", appos)
    left = tok.i
    for child in sorted(tok.lefts, key=lambda c: -c.i):
        if child.dep_ in _PHRASE_LEFT and child.i == left - 1 or (child.dep_ in _PHRASE_LEFT and child.i < left):
            left = min(left, child.left_edge.i)
    right = tok.i
    for child in tok.rights:
        if child.dep_ in {"compound", "prep"} and child.i == right + 1 and (
                child.lower_ in {"of", "for", "at", "from"} or child.lower_ == "in" and _placed_source(tok, child)
                or child.lower_ == "to" and tok.lower_ in _TIED_TO and any(
                    t.pos_ == "PROPN" for t in tok.doc[child.i : child.right_edge.i + 1])):
            right = clip_clause(tok.doc, tok.i, child.right_edge.i)  # "analysts at Norbridge Securities"
        elif child.dep_ in {"amod", "acl"} and child.lower_ in _SOURCE_MODIFIERS and tok.pos_ == "NOUN":
            stops = (t.i - 1 for t in tok.doc[child.i : child.right_edge.i + 1] if t.text == "," or t.dep_ == "relcl")
            end = next(stops, child.right_edge.i)  # not the clause after it: "…, who said ..."
            if end - tok.i <= 8:
                right = end  # "a source familiar with the talks", "an official involved in the planning"
    span = tok.doc[left : right + 1]
    named = [t for t in span if t.ent_type_ == "PERSON" and not possessive(t) and not _modifies_noun(t, tok)]
    if named:
        inner = ent_span(named[-1])
        if inner is not None:
            return Found(inner.text, inner.start_char, inner.end_char, "person", None, "cue", appos)
    text = span.text.strip(" ,")
    if not text or tok.pos_ in {"VERB", "AUX"} or tok.is_punct or text.lower() in RELATIVE:
        return None
    named = _following_name(tok.doc, span.end)
    if named is not None:
        return Found(named.text, named.start_char, named.end_char, "person", None, "cue", text)
    return Found(text, span.start_char, span.end_char, "phrase", None, "cue", appos)


def _modifies_noun(t: Any, head: Any) -> bool:
    """ "Krakow" in "the Krakow native": a name tagged PERSON that only modifies a common noun after a determiner."""
    node = t  # "Krakow" in "the Krakow-born lawyer" modifies "born", which modifies "lawyer"
    while node.i < head.i and node.dep_ in {"compound", "npadvmod", "amod", "nmod"}:
        node = node.head
    return (node.i == head.i and head.pos_ == "NOUN" and head.is_lower
            and head.doc[head.left_edge.i].lower_ in {"the", "a", "an"})


def _following_name(doc: Any, end: int) -> Any | None:
    """A PERSON in apposition right after a phrase: "Their co-leader, Franziska Brantner, said"."""
    i = end
    while i < len(doc) and doc[i].text in {"-", "–"} or i < len(doc) and doc[i].i > 0 and doc[i - 1].text == "-" and i == end:
        i += 1
    while i < len(doc) and doc[i].pos_ in {"NOUN", "PROPN"} and doc[i].ent_type_ != "PERSON" and i - end < 2:
        i += 1
    if i < len(doc) and doc[i].text == ",":  # not "According to a source, Lund's team ...": a possessor
        return ent_span(doc[i + 1]) if i + 1 < len(doc) and not possessive(doc[i + 1]) else None
    return None
