"""British-style quoting: when an article quotes with single marks, read them as double ones (offsets kept)."""

from __future__ import annotations

import re

from .marks import paragraphs

_OPENERS = "‘'"
_CLOSERS = "’'"
_DOUBLES = '"“”„«»'
_OPEN_LEFT = set(" \t([{—–-/…") | set(_DOUBLES)
_CLOSE_RIGHT = set(" \t,.;:!?)]}—–-…") | set(_DOUBLES)
_ELISION = re.compile(r"(?:\d0s|\d\d\b|em\b|til\b|cause\b|n\b|tis\b)", re.IGNORECASE)  # ’90s, ’em, rock ’n’ roll
_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_MIN_WORDS = 4
_HEADLINE = re.compile(r"(?m)^(?P<who>(?:[A-Z][^\n\"“”‘’']{0,80}?[ \t:])?)[ \t]*"
                       r"[‘'](?P<quote>[^\s‘'][^\n]{8,150}?)[’'][ \t]*$")


def primary_marks(text: str) -> str:
    """`text` with its quotation marks as the quote finder reads them: unchanged when the article quotes with double
    marks (but for single-quoted subheads, which become double); when it quotes with single ones ('We will win,' he
    said), those become “ ” and its nested double marks become ‘ ’. Every replacement is one character for one, so
    offsets into the result are offsets into `text`."""
    if not any(c in text for c in _OPENERS):
        return text
    pairs: list[tuple[int, int]] = []  # (open, close); close -1 when the quote runs on or lost its closing mark
    for lo, hi in paragraphs(text):
        pairs.extend(_single_pairs(text, lo, hi))
    heads = _headline_quotes(text)  # subheads quote with single marks whichever marks the copy uses
    singles = sum(1 for o, c in pairs if (o, c) not in heads
                  and _words(text, o, c if c >= 0 else _para_end(text, o)) >= _MIN_WORDS)
    out = list(text)
    if singles == 0 or singles <= _double_quotes(text):
        if not heads:
            return text
        pairs = heads
    else:
        for i, ch in enumerate(text):  # nested quotes in British copy are double: they become single
            if ch in '"“”':
                out[i] = "‘" if ch == "“" or ch == '"' and _opens(text, i) else "’"
    for o, c in pairs:
        out[o] = "“"
        if c >= 0:
            out[c] = "”"
    return "".join(out)


def _headline_quotes(text: str) -> list[tuple[int, int]]:
    """Live-blog subheads quote with single marks even in double-mark copy ("Driscoll: 'We're here to close gaps'",
    "Budanov thanks 'those who cannot be named'"): the marks of each short line that ends in a single-quoted remark
    of 4+ words."""
    return [(m.start("quote") - 1, m.end("quote")) for m in _HEADLINE.finditer(text)
            if len(m.group("who").split()) <= 8 and len(_WORD.findall(m.group("quote"))) >= _MIN_WORDS]


def _single_pairs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Opening single marks in text[lo:hi] with the closing mark each pairs with, outside double-quoted text."""
    pairs = []
    in_double = False
    i = lo
    while i < hi:
        ch = text[i]
        if ch in _DOUBLES:
            in_double = not in_double if ch == '"' else ch in "“„«"
        elif ch in _OPENERS and not in_double and _opens(text, i):
            close = _closing(text, i + 1, hi)
            pairs.append((i, close))
            if close < 0:
                break
            i = close
        i += 1
    return pairs


def _opens(text: str, i: int) -> bool:
    left = text[i - 1] if i > 0 and text[i - 1] != "\n" else " "
    right = text[i + 1] if i + 1 < len(text) else " "
    return left in _OPEN_LEFT and not right.isspace() and right not in _CLOSE_RIGHT - set("—–-…") and not (
        _ELISION.match(text, i + 1))


def _closing(text: str, start: int, hi: int) -> int:
    """The mark that closes a single quote opened before `start`, or -1. A plural possessive ("the allies’ plan")
    is passed over while a later mark in the paragraph can close the quote."""
    weak = -1
    for j in range(start, hi):
        if weak >= 0 and text[j] in _OPENERS and _opens(text, j):
            return weak  # "'… our soldiers' he said, 'and …'": the possessive-looking mark was the close
        if text[j] not in _CLOSERS or text[j - 1].isspace():
            continue
        right = text[j + 1] if j + 1 < hi else " "
        if right not in _CLOSE_RIGHT:
            continue  # an apostrophe inside a word: don’t, Ukraine’s
        if text[j - 1] in "sS" and right == " " and j + 2 < hi and (text[j + 2].islower() or text[j + 2].isdigit()):
            if weak < 0:
                weak = j
            continue
        return j
    return weak


def _words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text[start + 1 : end]))


def _para_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _double_quotes(text: str) -> int:
    """How many double-quoted passages of 4+ words `text` has."""
    count = 0
    for m in re.finditer(r"[\"“„«]([^\"“”„«»\n]{3,}?)[\"”»]", text):
        count += len(_WORD.findall(m.group(1))) >= _MIN_WORDS
    return count
