"""What an "it" or "they" speaker stands for: the latest group or institution that was a clause's subject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cues import SPEAKER_NOUNS
from .phrases import Found, speaker_phrase


def group_antecedent(doc: Any, pos: int, pronoun: str, within: int = 800,
                     quoted: Any = lambda pos: False) -> Found | None:
    """What an "it" or "they" speaker refers to: the latest non-person subject before `pos`, outside quotes."""
    plural = pronoun.lower() == "they"
    return _latest(doc, pos, within, quoted, lambda tok: (
        tok.dep_ == "nsubj" and tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ != "PERSON"
        and (plural == (tok.tag_ in {"NNS", "NNPS"}) or tok.lower_ in _GROUPS)))


def source_group(doc: Any, pos: int, within: int = 800, quoted: Any = lambda pos: False) -> Found | None:
    """Whom a bare "One said" / "Another added" speaker belongs to: the latest plural source named before `pos`
    ("Western diplomats in Moscow say ...", "according to three EU diplomats"), outside quotes."""
    return _latest(doc, pos, within, quoted, lambda tok: (
        tok.dep_ in {"nsubj", "pobj", "appos"} and tok.tag_ == "NNS" and tok.lower_ in SPEAKER_NOUNS
        and tok.lower_ not in {"people", "forces"}))


def _latest(doc: Any, pos: int, within: int, quoted: Any, fits: Callable[[Any], bool]) -> Found | None:
    """The speaker phrase of the latest token before `pos` (within `within` characters, outside quotes) that fits."""
    for tok in reversed(doc[: max(0, _token_at(doc, pos))]):
        if pos - tok.idx > within:
            break
        if fits(tok) and not quoted(tok.idx):
            return speaker_phrase(tok)
    return None


_GROUPS = {"kremlin", "government", "ministry", "office", "delegation", "team", "administration", "house"}


def _token_at(doc: Any, pos: int) -> int:
    span = doc.char_span(pos, pos + 1, alignment_mode="expand")
    return span.start if span is not None else len(doc)
