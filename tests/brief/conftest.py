"""Shared fixtures for the brief engine tests: the real spaCy pipeline, loaded once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.brief.models import get_nlp
from bot.brief.nlp_text import add_paragraph_breaks
from bot.brief.quotes import extract_quotes
from bot.brief.types import Quote


@pytest.fixture(scope="session")
def nlp():
    return add_paragraph_breaks(get_nlp())


@pytest.fixture(scope="session")
def quotes_of(nlp) -> Callable[[str], list[Quote]]:
    def run(text: str) -> list[Quote]:
        text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
        found = extract_quotes(text, nlp(text))
        for q in found:
            assert text[q.start : q.end] == q.text  # verbatim, always
        return found

    return run
