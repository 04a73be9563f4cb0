"""The brief engine: cleaned article text in, key claims and attributed quotes out."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.extract.clean import clean_text, split_title
from bot.extract.html import html_to_text
from bot.extract.load import cap_text

from .claims import MAX_SENTENCES, select_claims
from .models import DEFAULT_SPACY, get_encoder, get_nlp
from .nlp_text import add_paragraph_breaks, sentences
from .quotes import extract_quotes
from .types import Brief, Claim, Quote

log = logging.getLogger("bot.brief")
_WORDS = re.compile(r"\w+")
MAX_WORDS = 6000
# Sentences opening with a conjunction read badly out of context ("And if ...").
_LEANING = {"and", "but", "or", "so", "yet", "also"}


@dataclass(frozen=True)
class Article:
    """Text ready to brief: `text` is already cleaned of clutter."""

    title: str | None
    text: str


class Briefer:
    """Holds the models (loaded once) and turns articles into briefs."""

    def __init__(self, *, encoder: str | None = None, spacy_model: str = DEFAULT_SPACY,
                 abstractive: str | None = None, max_words: int = MAX_WORDS, quantize: bool = False,
                 int8: bool = True) -> None:
        self.nlp = add_paragraph_breaks(get_nlp(spacy_model))
        self.encoder = get_encoder(encoder, quantize=quantize, int8=int8)
        self.max_words = max_words
        self.abstractive = None
        if abstractive:
            from .abstractive import AbstractiveSummarizer

            self.abstractive = AbstractiveSummarizer(abstractive)

    def prepare_text(self, raw: str, title: str | None = None) -> Article:
        """Clean plain text and take its headline line as title when none is given."""
        text = clean_text(raw)
        if title is None:
            title, text = split_title(text)
        return Article(title, text)

    def prepare_html(self, html: str, url: str | None = None) -> Article:
        """Extract the article body and title from an HTML page."""
        title, body = html_to_text(html, url)
        return Article(title, clean_text(body))

    def brief_text(self, raw: str, title: str | None = None) -> Brief:
        return self.brief_articles([self.prepare_text(raw, title)])[0]

    def brief_html(self, html: str, url: str | None = None) -> Brief:
        return self.brief_articles([self.prepare_html(html, url)])[0]

    def brief_articles(self, articles: Iterable[Article]) -> list[Brief]:
        """Brief many articles: the parser runs on this thread while two encoder threads embed (numpy releases
        the GIL), so the second core works beside the parser and both embed once parsing is done."""
        items = list(articles)
        capped = [cap_text(a.text, self.max_words) for a in items]
        briefs: list[Brief] = []
        # A memory zone frees the strings spaCy's vocabulary learns from these texts once they are briefed (it
        # would otherwise grow for as long as the bot runs); no Doc outlives the zone, only plain-text results.
        with self.nlp.memory_zone(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="encoder") as pool:
            pending = []
            for (text, _), doc in zip(capped, self.nlp.pipe([t for t, _ in capped], batch_size=2)):
                quotes = extract_quotes(text, doc)
                offsets = sentences(doc)[:MAX_SENTENCES]
                sents = [text[a:b] for a, b in offsets]
                keep = [i for i, (a, b) in enumerate(offsets) if _eligible(text, a, b, quotes)]
                doc.user_data.clear()  # per-doc indexes hold spans of the doc: a cycle the collector cannot free
                pending.append((sents, keep, quotes, pool.submit(self.encoder.encode, [sents[i] for i in keep])))
            for article, (text, truncated), (sents, keep, quotes, future) in zip(items, capped, pending):
                briefs.append(self._assemble(article, text, truncated, sents, keep, quotes, future.result()))
        return briefs

    def _assemble(self, article: Article, text: str, truncated: bool, sents: list[str], keep: list[int],
                  quotes: list[Quote], emb: np.ndarray) -> Brief:
        notes = []
        if truncated:
            notes.append(f"article truncated to its first {self.max_words} words")
        mode = "extractive"
        claims = None
        chosen = [sents[i] for i in keep]
        if self.abstractive is not None and chosen:
            claims = self.abstractive.summarize(text, chosen, emb, self.encoder, self.nlp)
            if claims is None:
                log.info("abstractive summary rejected (%s); using extractive claims", self.abstractive.reason)
                notes.append(f"abstractive summary rejected: {self.abstractive.reason}")
            else:
                mode = "abstractive"
        if claims is None:
            claims = select_claims(chosen, emb)
        claims = [Claim(c.text, keep[c.sentence]) for c in claims]
        return Brief(title=article.title, claims=claims, quotes=quotes, text=text, mode=mode, notes=notes)


def _eligible(text: str, start: int, end: int, quotes: list[Quote]) -> bool:
    """A claim must stand alone: a full statement, not a question, not mostly a quotation, not leaning on context."""
    sent = text[start:end]
    if len(_WORDS.findall(sent)) < 6 or sent.rstrip().endswith("?") or not sent[:1].isupper() and not sent[:1].isdigit():
        return False
    first = sent.split(maxsplit=1)[0].strip(",").lower()
    if first in _LEANING:
        return False
    quoted = sum(max(0, min(end, q.end) - max(start, q.start)) for q in quotes)
    return quoted <= 0.5 * (end - start)
