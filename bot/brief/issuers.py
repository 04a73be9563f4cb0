"""Who issued a statement: "X said in a statement", "X issued a statement", "a statement from X"."""

from __future__ import annotations

from typing import Any

from .cues import CUE_WORDS, SPEECH_NOUNS
from .groups import group_antecedent
from .phrases import Found, speaker_phrase

_ISSUE_VERBS = {"issued", "issues", "released", "releases", "published", "publishes", "put", "posted", "sent", "gave"}
_WINDOW = 2500


def statement_issuer(doc: Any, start: int, end: int, quoted: Any) -> Any | None:
    """The token heading whoever issued the statement named at text[start:end] ("the statement", "a statement"),
    else the issuer of the latest earlier statement of that kind; None when no issuer is written."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    head = span.root
    if head.lower_ not in SPEECH_NOUNS:
        return None
    issuer = _issuer(head)
    if issuer is not None:
        return issuer
    for tok in reversed(doc[: span.start]):
        if start - tok.idx > _WINDOW:
            break
        if tok.lower_ == head.lower_ and not quoted(tok.idx):
            return _issuer(tok)
    return None


def _issuer(noun: Any) -> Any | None:
    if any(c.lower_ == "joint" for c in noun.children):
        return None  # a joint statement speaks for several issuers: it stays the speaker
    for child in noun.children:  # "a statement from Euroclear"
        if child.dep_ == "prep" and child.lower_ in {"from", "by"}:
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    verb = noun.head
    if noun.dep_ == "pobj" and verb.lower_ == "in":
        verb = verb.head  # "X said in a statement"
    elif noun.dep_ != "dobj" or verb.lower_ not in _ISSUE_VERBS:
        return None  # only "X issued a statement"
    if verb.pos_ not in {"VERB", "AUX"} or not (verb.lower_ in CUE_WORDS or verb.lower_ in _ISSUE_VERBS):
        return None
    subs = [c for c in verb.children if c.dep_ == "nsubj"]
    if not subs and verb.dep_ in {"conj", "advcl"}:
        subs = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not subs or subs[0].lower_ in {"which", "that", "who"}:
        return None
    return None if any(c.dep_ == "conj" for c in subs[0].children) else subs[0]


def via_issuer(doc: Any, found: Found | None, quoted: Any) -> Found | None:
    """`found` with a statement speaker ("the statement said") replaced by the statement's issuer, if written."""
    if found is None or found.kind != "phrase":
        return found
    tok = statement_issuer(doc, found.start, found.end, quoted)
    if tok is not None and tok.lower_ in {"it", "they"}:  # "In a brief statement, it said": the Kremlin, earlier
        phrase = group_antecedent(doc, tok.idx, tok.lower_, quoted=quoted)
    else:
        phrase = speaker_phrase(tok) if tok is not None else None
    if phrase is None:
        return found
    return Found(phrase.phrase, phrase.start, phrase.end, phrase.kind, found.cue, found.how, phrase.appos)
