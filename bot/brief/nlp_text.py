"""spaCy helpers: paragraph-aware sentences for a cleaned article text."""

from __future__ import annotations

from typing import Any

from spacy.language import Language


@Language.component("briefbot_paragraphs")
def paragraph_breaks(doc: Any) -> Any:
    """Force a sentence start after every newline so sentences never span paragraphs."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


def add_paragraph_breaks(nlp: Any) -> Any:
    """Install the paragraph component before the parser (idempotent)."""
    if "briefbot_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("briefbot_paragraphs", before="parser")
    return nlp


def sentences(doc: Any) -> list[tuple[int, int]]:
    """(start, end) character offsets of the non-empty sentences of `doc`."""
    out = []
    for sent in doc.sents:
        text = sent.text
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        if stripped:
            start = sent.start_char + lead
            out.append((start, start + len(stripped)))
    return out
