"""Find the cue verb and the speaker phrase next to a quote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .cues import CUE_WORDS, PRONOUNS, SPEECH_NOUNS

_VERB_ONLY = {"claims", "calls", "called", "notes", "remarks", "posts", "read", "reads", "states", "thanks", "echoes",
              "objects", "counters", "points", "tells", "say", "tell", "write", "welcomes", "welcomed"}
_SUBJ_DEPS = {"nsubj", "nsubjpass"}
_PHRASE_LEFT = {"det", "amod", "compound", "poss", "nmod", "nummod", "case", "quantmod", "advmod", "npadvmod"}
_SKIP_AFTER_CUE = {"the", "a", "an", "also", "then", "later", "on", "in"}


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


def _is_cue(tok: Any) -> bool:
    word = tok.lower_
    if word not in CUE_WORDS:
        return False
    if word in _VERB_ONLY:
        return tok.pos_ in {"VERB", "AUX"}
    return tok.pos_ not in {"NOUN", "PROPN"} or word in {"said", "says", "told", "added", "wrote"}


def _ent_span(tok: Any) -> Any | None:
    if tok.ent_type_ == "PERSON":
        for ent in tok.doc.ents:
            if ent.start <= tok.i < ent.end:
                return ent
    return None


def _phrase(tok: Any) -> Found | None:
    """The speaker phrase headed by `tok` (a name entity, a pronoun or a short noun phrase)."""
    if tok.lower_ in PRONOUNS:
        return Found(tok.text, tok.idx, tok.idx + len(tok), "pronoun", None, "cue")
    ent = _ent_span(tok)
    appos = None
    for child in tok.children:
        if child.dep_ == "appos":
            sub = child.doc[child.left_edge.i : child.right_edge.i + 1]
            appos = sub.text.strip(" ,")
            named = [t for t in sub if t.ent_type_ == "PERSON"]
            if named and ent is None:
                inner = _ent_span(named[0])
                if inner is not None:
                    return Found(inner.text, inner.start_char, inner.end_char, "person", None, "cue",
                                 tok.doc[tok.left_edge.i : tok.i + 1].text)
    if ent is not None:
        return Found(ent.text, ent.start_char, ent.end_char, "person", None, "cue", appos)
    left = tok.i
    for child in sorted(tok.lefts, key=lambda c: -c.i):
        if child.dep_ in _PHRASE_LEFT and child.i == left - 1 or (child.dep_ in _PHRASE_LEFT and child.i < left):
            left = min(left, child.left_edge.i)
    right = tok.i
    for child in tok.rights:
        if child.dep_ in {"compound", "prep"} and child.i == right + 1 and child.lower_ in {"of", "for"}:
            right = child.right_edge.i
    span = tok.doc[left : right + 1]
    named = [t for t in span if t.ent_type_ == "PERSON"]
    if named:
        inner = _ent_span(named[-1])
        if inner is not None:
            return Found(inner.text, inner.start_char, inner.end_char, "person", None, "cue", appos)
    text = span.text.strip(" ,")
    if not text or tok.pos_ in {"VERB", "AUX"} or tok.is_punct:
        return None
    return Found(text, span.start_char, span.end_char, "phrase", None, "cue", appos)


def _adjacent(tokens: list[Any], cue_i: int) -> Found | None:
    """Fallback when the parse gives the cue no subject: the phrase right after, else right before, the cue."""
    after = [t for t in tokens if t.i > cue_i]
    for t in after[:6]:
        if t.is_punct or t.pos_ in {"VERB", "AUX", "ADP"} and t.lower_ not in _SKIP_AFTER_CUE:
            break
        if t.lower_ in PRONOUNS or t.ent_type_ == "PERSON" or t.pos_ in {"PROPN", "NOUN"}:
            head = t
            while head.head is not head and head.head.i > cue_i and head.head.pos_ in {"PROPN", "NOUN"} and head.dep_ == "compound":
                head = head.head
            return _phrase(head)
    before = [t for t in tokens if t.i < cue_i]
    for t in reversed(before[-6:]):
        if t.is_punct:
            break
        if t.lower_ in PRONOUNS or t.ent_type_ == "PERSON" or t.pos_ in {"PROPN", "NOUN"}:
            return _phrase(t)
    return None


def _speaker_of(cue: Any, tokens: list[Any]) -> Found | None:
    ids = {t.i for t in tokens}
    for verb in (cue, cue.head):
        subs = [c for c in verb.children if c.dep_ in _SUBJ_DEPS and c.i in ids]
        if subs:
            found = _phrase(subs[0])
            if found is not None:
                return found
        if cue.dep_ not in {"advcl", "conj", "xcomp"}:
            break
    return _adjacent(tokens, cue.i)


def _according_to(tokens: list[Any]) -> Found | None:
    for k, t in enumerate(tokens[:-1]):
        if t.lower_ == "according" and tokens[k + 1].lower_ == "to":
            rest = tokens[k + 2 :]
            for r in rest:
                if r.dep_ == "pobj" or r.ent_type_ == "PERSON" or r.pos_ in {"PROPN", "NOUN", "PRON"}:
                    head = r
                    while head.dep_ == "compound" and head.head.i > r.i:
                        head = head.head
                    found = _phrase(head)
                    if found is not None:
                        found.cue, found.how = "according to", "according_to"
                    return found
    return None


def find_speaker(doc: Any, start: int, end: int, *, prefer: str) -> Found | None:
    """The cue and speaker in text[start:end] (a window next to a quote); `prefer` 'first' or 'last' cue."""
    if end <= start:
        return None
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    tokens = list(span)
    found = _according_to(tokens)
    if found is not None:
        return found
    cues = [t for t in tokens if _is_cue(t)]
    if not cues:
        return _colon_intro(doc, tokens)
    ordered = cues if prefer == "first" else list(reversed(cues))
    for cue in ordered:
        found = _speaker_of(cue, tokens)
        if found is not None:
            found.cue = cue.lower_
            if prefer == "last" and re.search(r":\s*$", doc.text[start:end]):
                found.how = "colon"
            return found
    return None


def _colon_intro(doc: Any, tokens: list[Any]) -> Found | None:
    """`Zelenskyy on Telegram: "…"` and `In a statement, the Kremlin: "…"`: a named subject ending in a colon."""
    if not tokens or tokens[-1].text != ":":
        return None
    for t in tokens:
        if t.ent_type_ == "PERSON" or t.lower_ in SPEECH_NOUNS:
            found = _phrase(t) if t.ent_type_ == "PERSON" else None
            if found is not None:
                found.how = "colon"
                return found
    return None
