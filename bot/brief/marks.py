"""Find quoted spans in paragraphs, repairing missing opening and closing marks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import CUE_WORDS

_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_DOUBLE = '"' + _DOUBLE_OPEN + _DOUBLE_CLOSE
_OPEN_CONTEXT = set(" \t\n([{—–-/…")
_CLOSE_CONTEXT = set(" \t\n,.;:!?)]}—–-…")
_ABBREVIATIONS = ("Mr|Ms|Mrs|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Sgt|Adm|Prof|Rev|Hon|Pres|Amb|Sec|Cdr|Jr|Sr|"
                  "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Mt|Ft|Inc|Corp|Co|Ltd|vs|Fr|Gens|Sens|Reps")
# A sentence end: . ? ! (maybe a closing mark), space, then a capital, digit or opening mark; not after an initial
# ("U.S.") or an abbreviation ("Sen. Graham").
_SENT_END = re.compile(r"(?<![A-Z])(?<![A-Z][a-z])(?<!\b(?:" + "|".join(
    w for w in _ABBREVIATIONS.split("|") if len(w) == 3) + r"))(?<!\b(?:" + "|".join(
    w for w in _ABBREVIATIONS.split("|") if len(w) == 4) + r"))(?<!\bSept|\bGens|\bSens|\bReps|\bCapt|\bProf|\bPres)"
    r"[.?!][\"”’']?\s+(?=[\"“A-Z0-9])")
_NAMEISH = r"(?:[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|von|van|der|de|al|bin)){0,4}|he|she|they|we|I|the\s+[\w’'.-]+(?:\s+[\w’'.-]+){0,4}|an?\s+[\w’'.-]+(?:\s+[\w’'.-]+){0,5})"
_CUES = r"(?:" + "|".join(sorted(CUE_WORDS, key=len, reverse=True)) + r")"
_ATTRIBUTION_CUT = re.compile(
    r"(?:,|(?<=[.?!]))\s+(?=(?:" + _NAMEISH + r")(?:,[^,]{2,60},)?\s+(?:also\s+|later\s+|then\s+)?" + _CUES + r"\b[^\"“”]*$)"
)


@dataclass
class Span:
    """A quoted span: text[start:end] is the words between the marks (or a repaired boundary)."""

    start: int
    end: int
    para: int
    open_mark: int  # index of the opening mark, -1 when it was missing
    close_mark: int  # index of the closing mark, -1 when it was missing
    repaired: str | None = None  # "missing_open" | "missing_close"
    continues: bool = False  # the quote goes on in the next paragraph
    group: int = -1  # spans of one multi-paragraph quote share a group id


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each non-empty line of `text`."""
    out, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            out.append((pos, end))
        pos = end + 1
    return out


def _kind(text: str, i: int, lo: int, hi: int) -> str:
    """Classify the mark at i as 'open', 'close' or 'either' from its neighbours."""
    ch = text[i]
    left = text[i - 1] if i > lo else " "
    right = text[i + 1] if i + 1 < hi else " "
    can_open = (left in _OPEN_CONTEXT or left in _DOUBLE) and not right.isspace()
    can_close = (not left.isspace()) and (right in _CLOSE_CONTEXT or right in _DOUBLE or right in "'’")
    if can_open and not can_close:
        return "open"
    if can_close and not can_open:
        return "close"
    if ch in _DOUBLE_OPEN:
        return "open"
    if ch in _DOUBLE_CLOSE:
        return "close"
    return "either"


def _sentence_start(text: str, lo: int, i: int) -> int:
    """Offset of the start of the sentence containing position i (not before lo)."""
    best = lo
    for m in _SENT_END.finditer(text, lo, i):
        best = m.end()
    return best


def _cut_attribution(text: str, start: int, end: int) -> int:
    """End of an unclosed quote: just before a trailing `, Zelenskyy said ...` when there is one."""
    seg = text[start:end]
    cut = None
    for m in _ATTRIBUTION_CUT.finditer(seg):
        cut = m.start()
    if cut is None:
        return end
    return start + cut


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _starts_with_open(text: str, lo: int, hi: int) -> bool:
    s = text[lo:hi].lstrip()
    return bool(s) and s[0] in '"“„«' and _kind(text, lo + (len(text[lo:hi]) - len(s)), lo, hi) != "close"


def find_spans(text: str) -> list[Span]:
    """Every quoted span in `text`, paragraph by paragraph, with repairs and multi-paragraph groups."""
    paras = paragraphs(text)
    spans: list[Span] = []
    group = 0
    carried = False  # previous paragraph ended inside a quote that continues here
    for p, (lo, hi) in enumerate(paras):
        marks = [i for i in range(lo, hi) if text[i] in _DOUBLE]
        inside_from = -1
        seen_mark = False
        last_boundary = lo
        if carried:
            group_id = group
        else:
            group += 1
            group_id = group
        for i in marks:
            kind = _kind(text, i, lo, hi)
            if kind == "either":
                kind = "close" if inside_from >= 0 else "open"
            if kind == "open":
                if inside_from >= 0:  # two openings in a row: the first quote lost its closing mark
                    end = _cut_attribution(text, inside_from + 1, i)
                    s, e = _trim(text, inside_from + 1, end)
                    spans.append(Span(s, e, p, inside_from, -1, "missing_close", group=group_id))
                    group += 1
                    group_id = group
                inside_from = i
            else:
                if inside_from >= 0:
                    s, e = _trim(text, inside_from + 1, i)
                    spans.append(Span(s, e, p, inside_from, i, group=group_id))
                    inside_from = -1
                else:  # a closing mark with no opening one
                    begin = lo if not seen_mark else _sentence_start(text, last_boundary, i)
                    s, e = _trim(text, begin, i)
                    kind_r = None if (carried and not seen_mark) else "missing_open"
                    spans.append(Span(s, e, p, -1, i, kind_r, group=group_id))
                group += 1
                group_id = group
                last_boundary = i + 1
            seen_mark = True
        carried = False
        if inside_from >= 0:
            nxt = paras[p + 1] if p + 1 < len(paras) else None
            if nxt and _starts_with_open(text, *nxt):
                s, e = _trim(text, inside_from + 1, hi)
                spans.append(Span(s, e, p, inside_from, -1, continues=True, group=group_id))
                carried = True
            else:
                end = _cut_attribution(text, inside_from + 1, hi)
                s, e = _trim(text, inside_from + 1, end)
                spans.append(Span(s, e, p, inside_from, -1, "missing_close", group=group_id))
                if nxt and end == hi and _closes_without_open(text, *nxt):
                    carried = True  # the next paragraph carries on and closes the quote
        if carried:
            pass
        else:
            group += 1
    return [s for s in spans if s.end > s.start]


def _closes_without_open(text: str, lo: int, hi: int) -> bool:
    for i in range(lo, hi):
        if text[i] in _DOUBLE:
            return _kind(text, i, lo, hi) == "close"
    return False
