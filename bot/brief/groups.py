"""What an "it" or "they" speaker stands for: the latest group or institution that was a clause's subject."""

from __future__ import annotations

from typing import Any

from .cues import SPEAKER_NOUNS
from .phrases import Found, speaker_phrase


def group_antecedent(doc: Any, pos: int, pronoun: str, within: int = 800,
                     quoted: Any = lambda pos: False) -> Found | None:
    """What an "it" or "they" speaker refers to: the latest non-person subject before `pos`, outside quotes."""
    plural = pronoun.lower() == "they"
    for tok in reversed(doc[: max(0, _token_at(doc, pos))]):
        if pos - tok.idx > within:
            break
        if tok.dep_ != "nsubj" or tok.pos_ not in {"NOUN", "PROPN"} or tok.ent_type_ == "PERSON" or quoted(tok.idx):
            continue
        if plural != (tok.tag_ in {"NNS", "NNPS"}) and tok.lower_ not in _GROUPS:
            continue
        return speaker_phrase(tok)
    return None


def source_group(doc: Any, pos: int, within: int = 800, quoted: Any = lambda pos: False) -> Found | None:
    """Whom a bare "One said" / "Another added" speaker belongs to: the latest plural source that was a subject
    ("Western diplomats in Moscow say ..."), outside quotes."""
    for tok in reversed(doc[: max(0, _token_at(doc, pos))]):
        if pos - tok.idx > within:
            break
        if (tok.dep_ in {"nsubj", "pobj", "appos"} and tok.tag_ == "NNS" and tok.lower_ in SPEAKER_NOUNS
                and not quoted(tok.idx) and tok.lower_ not in {"people", "forces"}):
            return speaker_phrase(tok)  # "Western diplomats say", "according to three EU diplomats"
    return None


_GROUPS = {"kremlin", "government", "ministry", "office", "delegation", "team", "administration", "house"}


def _token_at(doc: Any, pos: int) -> int:
    span = doc.char_span(pos, pos + 1, alignment_mode="expand")
    return span.start if span is not None else len(doc)
