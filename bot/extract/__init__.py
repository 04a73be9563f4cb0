"""Article input: loading bytes, HTML extraction and clutter removal."""

from __future__ import annotations

from bot.extract.clean import clean_text, split_title
from bot.extract.html import html_to_article, html_to_text
from bot.extract.load import Article, InputError, cap_text, load_article

__all__ = ["Article", "InputError", "cap_text", "clean_text", "html_to_article", "html_to_text", "load_article",
           "split_title"]
