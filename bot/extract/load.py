"""Load one article from raw bytes: size and binary checks, decoding, HTML or text extraction, cleaning."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from bot.extract.clean import clean_text, split_title
from bot.extract.html import html_to_article

__all__ = ["Article", "InputError", "cap_text", "load_article"]

MAX_TEXT_CHARS = 1_000_000  # characters of plain text cleaned; longer input is cut at a paragraph boundary

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x1f\x8b", b"\xfd7zXZ",
          b"7z\xbc\xaf", b"Rar!\x1a", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"SQLite format 3\x00")
_HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(p|div|article|br|span|a|h[1-6])\b[^>]*>", re.I)
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
                       re.I)
_WEB_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254",
                "tis-620": "cp874"}
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_BLANKS = (" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
           "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff")
_TYPOGRAPHY = set("‘’‚“”„–—…€•«»°£§©®´·½¼¾×")
_SENTENCE_CUT = re.compile(r"[.!?…][\"”’')\]]?(?=\s)")


class InputError(ValueError):
    """An input that cannot be briefed; the message is one line meant for the user."""


@dataclass(frozen=True)
class Article:
    """A loaded article: `text` is cleaned, one paragraph per line."""

    title: str | None
    text: str
    source: str
    truncated: bool = False


def load_article(data: bytes, name: str, *, max_bytes: int = 5_000_000) -> Article:
    """Decode and clean one input (plain text or HTML); raises InputError with a one-line reason."""
    if len(data) > max_bytes:
        raise InputError(f"input too large: {_size(len(data), max_bytes)}")
    if not data.strip():
        raise InputError("empty input")
    if data.startswith(_MAGIC):
        raise InputError("binary or non-text input")
    suffix = PurePath(name).suffix.lower()
    text = _decode(data, suffix in _HTML_SUFFIXES or _looks_like_html(data[:65536].decode("latin-1"), suffix))
    if not text.strip(_BLANKS):
        raise InputError("empty input")
    if _control_share(text) > 0.02:
        raise InputError("binary or non-text input")
    if suffix in _HTML_SUFFIXES or _looks_like_html(text[:65536], suffix):
        title, body, truncated = html_to_article(text)
        if not body.strip():
            raise InputError("no article text found in the HTML page")
    else:
        truncated = len(text) > MAX_TEXT_CHARS
        if truncated:
            cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
            text = text[: cut if cut > 0 else MAX_TEXT_CHARS]
        title, body = split_title(clean_text(text))
    if not any(_is_sentence(p) for p in body.split("\n")):
        raise InputError("no sentences found in input")
    return Article(title=title, text=body, source=name, truncated=truncated)


def cap_text(text: str, max_words: int = 6000) -> tuple[str, bool]:
    """(a prefix of `text` of at most `max_words` words cut at a paragraph boundary, whether it was cut).

    A first paragraph longer than the cap is cut at its last sentence end within the cap.
    """
    paragraphs = text.split("\n")
    if sum(len(p.split()) for p in paragraphs) <= max_words:
        return text, False
    kept: list[str] = []
    words = 0
    for para in paragraphs:
        count = len(para.split())
        if words + count > max_words:
            if not kept:
                kept.append(_cut_paragraph(para, max_words))
            break
        kept.append(para)
        words += count
    return "\n".join(kept).rstrip(), True


def _cut_paragraph(para: str, max_words: int) -> str:
    end = 0
    for i, match in enumerate(re.finditer(r"\S+", para)):
        if i >= max_words:
            break
        end = match.end()
    head = para[:end]
    last = None
    for last in _SENTENCE_CUT.finditer(head + " "):
        pass
    return head[: last.end()] if last is not None and last.end() > len(head) // 2 else head


def _size(size: int, limit: int) -> str:
    mb, cap = f"{size / 1e6:.1f}", f"{limit / 1e6:g}"
    if float(mb) <= limit / 1e6:
        return f"{size:,} bytes > {limit:,} bytes limit"
    return f"{mb} MB > {cap} MB limit"


def _looks_like_html(head: str, suffix: str) -> bool:
    """A page starting like an HTML document; for files not named as text, also one with several tags."""
    if _HTML_START.match(head[:4096]):
        return True
    return suffix not in _TEXT_SUFFIXES and len(_HTML_TAGS.findall(head)) >= 3


def _decode(data: bytes, html: bool) -> str:
    """Text of `data`: BOM, then UTF-8, then the page's declared charset, then charset detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding)
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise InputError("binary or non-text input")
        return _strict(data, encoding)
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    if bad == 0 or sum(1 for ch in loose if ord(ch) > 127) >= 6 * bad:
        return loose  # UTF-8, perhaps with a few stray bytes
    declared = _declared_charset(data) if html else None
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            if declared == "cp1252":
                return data.decode("latin-1")
    return _detect(data)


def _detect(data: bytes) -> str:
    """Decode by charset detection; Windows-1252 wins when it reads as more plausible Western text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    guess = data.decode(best.encoding, errors="replace") if best is not None else None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and (guess is None or _plausibility(western) > _plausibility(guess)):
        return western
    if guess is None:
        raise InputError("binary or non-text input")
    return guess


def _plausibility(text: str) -> float:
    """Share of the non-ASCII characters that are letters or common typographic marks."""
    extra = [ch for ch in text[:200_000] if ord(ch) > 127]
    if not extra:
        return 1.0
    return sum(1 for ch in extra if ch.isalpha() or ch in _TYPOGRAPHY) / len(extra)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError("binary or non-text input") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the NUL bytes fall on alternate positions, as in UTF-16 Latin text."""
    sample = data[:8192]
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED.search(data[:8192])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return _WEB_ALIASES.get(name, name)


def _control_share(text: str) -> float:
    sample = text[:200_000]
    bad = sum(1 for ch in sample if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0b\x0c") or ch == "\ufffd")
    return bad / len(sample)


def _is_sentence(para: str) -> bool:
    """At least four words (whitespace-separated tokens with letters) making up most of the paragraph."""
    tokens = para.split()
    words = sum(1 for token in tokens if _LETTER_WORD.search(token))
    return words >= 4 and words >= 0.5 * len(tokens)
