"""Whether a name is the subject of its clause, including where the parser lost the main verb's subject."""

from __future__ import annotations

from typing import Any

from .cues import ASKING, CUE_WORDS, SPEAKER_NOUNS
from .known_people import news_outlet

_LOST = {"appos", "conj", "npadvmod", "nmod", "dep"}


def is_main_subject(span: Any) -> bool:
    """A subject of the sentence's main verb or of a speech verb, or in apposition to one."""
    for tok in span:
        dep, head = tok.dep_, tok.head
        if dep == "appos" and head.dep_ in {"nsubj", "nsubjpass"}:
            dep, head = head.dep_, head.head
        if dep == "nsubj" and (head.dep_ == "ROOT" or head.lower_ in CUE_WORDS):
            return True
        if dep == "nsubjpass" and head.dep_ == "ROOT":
            return True  # "Witkoff was first sent to the Middle East": the topic all the same
        if dep in {"nsubj", "nsubjpass"} and span[0].i == span[0].sent.start:
            return True  # a name opening its sentence as a subject, whatever verb the parser made the root
        if dep in {"dobj", "dative"} and head.lower_ in ASKING and head.dep_ == "ROOT":
            return True  # "A reporter asked Stubb whether ...": the one who answers next
        if dep == "pobj" and head.lower_ == "to" and _reporting(head.head):
            return True  # "CNN spoke to Serhii Ivanov, 64, who ...": the one the article then quotes
        if dep == "appos" and _inside_subject(tok):
            return True
        if dep == "nsubj" and head.pos_ in {"NOUN", "PROPN"} and head.dep_ == "nsubj" and head.head.dep_ == "ROOT":
            return True  # "Every morning, Ola Berg climbs to ..." with "climbs" read as a noun
    return _lost_subject(span) or _titled_subject(span)


def _reporting(verb: Any) -> bool:
    """ "CNN spoke to", "We talked to", "a correspondent spoke to": the newsroom meeting whom it quotes next."""
    if verb.lower_ not in {"spoke", "talked", "speaks", "talks"} or verb.dep_ != "ROOT":
        return False
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return subj is not None and (subj.lower_ in {"we", "reporter", "correspondent", "journalist"}
                                 or news_outlet(verb.doc[subj.left_edge.i : subj.i + 1].text))


def _inside_subject(tok: Any) -> bool:
    """ "A former ambassador to Washington, Ushakov, 79, is ...": a name set off by commas that the parser hung on a
    word inside the main verb's subject, not on the subject itself."""
    root = tok.sent.root
    if tok.i > root.i or tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].text != ",":
        return False
    return any(a.dep_ in {"nsubj", "nsubjpass"} and a.head.i == root.i for a in tok.head.ancestors)


def _titled_subject(span: Any) -> bool:
    """ "Head of the Regional Administration Oleh Syniehubov said": the name closes a subject parsed as a title with
    the name inside it, right before the subject's verb."""
    last = span[-1]
    nxt = last.i + 1
    if last.dep_ == "appos" and nxt < len(last.doc) and last.doc[nxt].text == ",":
        nxt += 1  # "The speaker of Parliament, Ruslan Stefanchuk, has formed ..."
    while nxt < len(last.doc) and last.doc[nxt].dep_ in {"aux", "neg", "advmod"} and last.doc[nxt].head.i > nxt:
        nxt = last.doc[nxt].head.i
    if nxt >= len(last.doc) or last.dep_ not in {"pobj", "compound", "appos"}:
        return False
    verb = last.doc[nxt]
    if verb.pos_ not in {"VERB", "AUX"} or not (verb.dep_ == "ROOT" or verb.lower_ in CUE_WORDS):
        return False
    return any(c.dep_ == "nsubj" and c.i < last.i and c in last.ancestors for c in verb.children)


def _lost_subject(span: Any) -> bool:
    """ "On the pier, Ola Berg, 73, walks his dog": the root verb has no subject and the name stands before it,
    parsed as an apposition or conjunct of the opening phrase."""
    last = span[-1]
    root = last.sent.root
    if root.pos_ not in {"VERB", "AUX"} or last.i > root.i or last.dep_ not in _LOST:
        return False
    if any(c.dep_ in {"nsubj", "nsubjpass", "expl", "csubj"} for c in root.children):
        return False
    between = last.doc[last.i + 1 : root.i]
    return all(t.is_punct or t.like_num or t.ent_type_ == "DATE" or t.pos_ in {"AUX", "ADV", "PART"} for t in between)


def newcomer(doc: Any, mentions: list[Any], pos: int, gender: str | None, quoted: Any) -> Any | None:
    """The person a he/she at `pos` means when the paragraph just before brings in someone new who is no subject
    ("I spent an afternoon with a sergeant who asked to be named only as Danylo." then "he said"): the last
    mention, of known fitting gender, alone in a paragraph where no one else is a subject."""
    if gender is None or not mentions or mentions[-1].subject or mentions[-1].person.gender != gender:
        return None
    last = mentions[-1]
    text = doc.user_data.get("briefbot_text") or doc.text
    para = text.rfind("\n", 0, last.start) + 1
    if any(line.strip() for line in text[last.end : pos].split("\n")[1:-1]):
        return None  # a whole paragraph lies between
    if any(m.start >= para and m.person is not last.person for m in mentions):
        return None
    span = doc.char_span(para, pos, alignment_mode="contract")
    for tok in span or ():
        if tok.dep_ in {"nsubj", "nsubjpass"} and not quoted(tok.idx) and not last.start <= tok.idx < last.end and (
                tok.lower_ in {"he", "she", "they"} and tok.idx < last.start or tok.tag_ in {"NN", "NNP"}
                and (tok.ent_type_ in {"PERSON", "ORG", "NORP"} or tok.lower_ in SPEAKER_NOUNS)):
            return None
    return last
