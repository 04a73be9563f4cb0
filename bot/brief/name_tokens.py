"""Token-level clues to people's names in a parse: titles before a name, appositives after it, lone words."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span

from .cues import ROLE_NOUNS, ROLE_SYNONYMS, SPEAKER_NOUNS
from .speakers import fold

ORG_WORDS = {"kremlin", "house", "ministry", "office", "government", "council", "commission", "nato", "un",
              "eu", "union", "department", "agency", "army", "forces", "party", "parliament", "rada", "duma"}
_PRE_TITLE_POS = {"PROPN", "NOUN", "ADJ"}
_APPOS = re.compile(r"^,\s+((?:the|a|an|[A-Z][\w’'.-]*(?:'s|’s))\s+[^,.;:\"“”()]{2,70}?)\s*(?=[,.;])")


_GROUP_WORDS = {"younger", "older", "young", "old", "ordinary", "many", "most", "some", "few", "other", "fellow",
                "local", "wealthy", "poor", "angry", "frustrated", "exhausted", "elderly", "retired", "rural", "urban"}


_AT_PLACE = {"captured", "killed", "wounded", "fought", "fighting", "stationed", "born", "died", "based", "served",
             "held", "arrived", "landed", "struck", "hit"}


def stop_word(ent: Any) -> bool:
    """ "Down in her kitchen, ..." tagged PERSON: a lone common word that is not a clause's subject."""
    tok = ent[0]  # or a sentence-opening adjective of a noun ("Frozen assets"), or a people ("Younger Muscovites")
    if ent[-1].tag_ in {"NNPS", "NNS"} and ent[-1].lower_.endswith(("ites", "ians", "ans", "ers")) and (
            len(ent) == 1 or tok.tag_ in {"JJR", "JJS", "JJ"} or tok.lower_ in _GROUP_WORDS):
        return True
    if len(ent) == 1 and tok.dep_ == "pobj" and (tok.head.lower_ in {"near", "outside", "around", "in", "into"} or (
            tok.head.lower_ == "at" and tok.head.head.lower_ in _AT_PLACE)):
        return True  # "captured at Avdiivka", "fighting near Pokrovsk": a place the NER took for a name
    return len(ent) == 1 and (tok.is_stop and tok.dep_ not in {"nsubj", "appos"}
                              or tok.is_sent_start and tok.pos_ == "ADJ" and tok.dep_ == "amod")


def with_first_names(tok: Any) -> str | None:
    """ "Rustem Umerov" when `tok` (Umerov) follows capitalised name words it is compounded with."""
    first = [c for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN" and c.is_title
             and fold(c.text) not in ROLE_NOUNS]
    if not first or first[-1].i != tok.i - 1 or len(first) > 2:
        return None
    if any(c.ent_type_ in {"GPE", "NORP", "DATE"} or fold(c.text) in ORG_WORDS for c in first):
        return None
    return tok.doc[first[0].i : tok.i + 1].text


def bare_subject_name(tok: Any) -> bool:
    """A capitalised word the NER left untagged that is the subject of a verb: most likely a person."""
    subject = tok.dep_ == "nsubj" and tok.head.pos_ in {"VERB", "AUX"} or (
        tok.dep_ == "appos" and tok.head.dep_ == "nsubj")  # "Her son, Denys, ..."
    word = tok.lower_
    common = word in SPEAKER_NOUNS or word.rstrip("s") in SPEAKER_NOUNS or word in ROLE_NOUNS
    return (subject and not common and tok.is_alpha and tok.is_title and len(tok) >= 4 and word not in ORG_WORDS
            and tok.i + 1 < len(tok.doc) and (tok.doc[tok.i + 1].pos_ in {"VERB", "AUX", "ADV"}
                                             or tok.doc[tok.i + 1].text == ","))


def is_role_word(word: str) -> bool:
    return word in ROLE_NOUNS or word in ROLE_SYNONYMS or word.rstrip("s") in ROLE_NOUNS


def pre_title(ent: Any) -> str | None:
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


def appositive(text: str, end: int) -> str | None:
    m = _APPOS.match(text[end : end + 100])
    if not m:
        return None
    phrase = m.group(1)
    if not any(w in ROLE_NOUNS for w in fold(phrase).split()):
        return None
    return re.sub(r"^(?:the|a|an)\s+", "", phrase)


_ZONES = {"GMT", "UTC", "CET", "CEST", "EET", "EEST", "BST", "ET", "EST", "EDT", "MSK", "Kyiv"}
# A live blog's time stamp as written before a post or a name: "18:30", "14.05 GMT", "9:15 a.m."
TIME_STAMP = r"\d{1,2}[:.]\d{2}(?:[ \t]*(?:GMT|UTC|CET|EET|BST|ET|MSK|[AaPp]\.?[Mm]\.?))?"


def trimmed(ent: Any) -> Any:
    """An entity without the live-blog time stamp or line break the tagger swept into it ("18:30\nZelensky")."""
    start = ent.start
    while start < ent.end - 1 and (ent.doc[start].is_space or not any(c.isalpha() for c in ent.doc[start].text)
                                   or ent.doc[start].text in _ZONES):  # "14.05 GMT Kallas"
        start += 1
    return ent if start == ent.start else Span(ent.doc, start, ent.end, label=ent.label_)


def person_entities(doc: Any) -> list[Any]:
    """The NER's PERSON spans with a name it split mended: "Oleksandr" + "Prokudin" tagged as two people side by
    side, or "Anne-Sophie" with the surname "Perrin" left untagged after it."""
    out: list[Any] = []
    for ent in map(trimmed, doc.ents):
        if ent.label_ != "PERSON":
            continue
        if out and out[-1].end == ent.start:
            out[-1] = Span(doc, out[-1].start, ent.end, label="PERSON")
            continue
        end = ent.end
        if " " not in ent.text and end < len(doc) and _surname_after(doc[end]):
            end += 1
        out.append(Span(doc, ent.start, end, label="PERSON") if end != ent.end else ent)
    return out


def _surname_after(tok: Any) -> bool:
    word = fold(tok.text)
    return (tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha and tok.ent_type_ in {"", "PERSON"}
            and word not in ROLE_NOUNS and word not in ORG_WORDS)
