"""Direct quotes with their speakers: marks, scare-quote filter, attribution and resolution."""

from __future__ import annotations

import re
from typing import Any

from .attribution import Found, find_speaker
from .marks import _SENT_END, Span, find_spans, paragraphs
from .people import Person, PeopleIndex
from .speakers import is_person_name, speaker_key
from .types import Quote

_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_SCARE_BEFORE = {"the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those",
                 "so-called", "dubbed", "titled", "entitled", "named", "of", "to", "for", "on", "into", "about"}
_MARKS = '"“”„«»'
_CONFIDENCE = {"direct": 0.95, "colon": 0.93, "according_to": 0.9, "description": 0.85, "pronoun": 0.8,
               "continuation": 0.75, "context": 0.5, "unknown": 0.2}
MIN_WORDS = 4


def extract_quotes(text: str, doc: Any) -> list[Quote]:
    """All direct quotes of 4+ words in `text` (parsed as `doc`), in order, attributed."""
    spans = [s for s in find_spans(text) if len(_WORD.findall(text[s.start : s.end])) >= MIN_WORDS]
    people = PeopleIndex(doc, [(s.start, s.end) for s in spans])
    paras = paragraphs(text)
    spans = [s for s in spans if not _is_scare_quote(text, doc, s, paras[s.para][0])]
    found: list[tuple[Span, Found | None]] = [(s, _attribute(text, doc, s, paras[s.para])) for s in spans]
    found = _share_within_groups(found)
    quotes: list[Quote] = []
    last: tuple[int, str, str, str | None, Person | None] | None = None  # para, speaker, key, role, person
    for span, f in found:
        speaker, role, method, person = _resolve(people, f, span, last)
        if speaker is None:
            speaker, role, method, person = _fallback(people, span, last, text)
        cue = f.cue if f is not None else None
        conf = _CONFIDENCE.get(method, 0.5) - (0.1 if span.repaired else 0.0)
        key = speaker_key(speaker) if speaker != "unknown" else "unknown"
        quotes.append(Quote(text=text[span.start : span.end], speaker=speaker, speaker_key=key, role=role,
                            cue=cue, method=method + ("+repaired" if span.repaired else ""),
                            confidence=round(max(conf, 0.05), 3), start=span.start, end=span.end))
        last = (span.para, speaker, key, role, person)
    return quotes


def _windows(text: str, span: Span, para: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    lo, hi = para
    open_at = span.open_mark if span.open_mark >= 0 else span.start
    head_lo = lo
    for i in range(open_at - 1, lo - 1, -1):
        if text[i] in _MARKS:
            head_lo = i + 1
            break
    for m in _SENT_END.finditer(text, head_lo, min(open_at + 1, hi)):
        if m.end() <= open_at:
            head_lo = m.end()
    tail_lo = span.close_mark + 1 if span.close_mark >= 0 else span.end
    tail_hi = hi
    for i in range(tail_lo, hi):
        if text[i] in _MARKS:
            tail_hi = i
            break
    m = _SENT_END.search(text, tail_lo, tail_hi)
    if m is not None:
        tail_hi = m.start() + 1
    return (head_lo, open_at), (tail_lo, tail_hi)


def _attribute(text: str, doc: Any, span: Span, para: tuple[int, int]) -> Found | None:
    (h0, h1), (t0, t1) = _windows(text, span, para)
    head = text[h0:h1].strip()
    if head.endswith(":") or (head and not head.endswith(",")):
        found = find_speaker(doc, h0, h1, prefer="last")
        if found is not None:
            return found
    found = find_speaker(doc, t0, t1, prefer="first")
    if found is None and head:
        found = find_speaker(doc, h0, h1, prefer="last")
    return found


def _share_within_groups(found: list[tuple[Span, Found | None]]) -> list[tuple[Span, Found | None]]:
    """Multi-paragraph quotes and split quotes carry one attribution for every piece."""
    by_group: dict[int, Found] = {}
    for span, f in found:
        if f is not None and span.group not in by_group:
            by_group[span.group] = f
    out = []
    for span, f in found:
        if f is None and span.group in by_group:
            g = by_group[span.group]
            f = Found(g.phrase, g.start, g.end, g.kind, g.cue, "continuation", g.appos)
        out.append((span, f))
    return out


def _resolve(people: PeopleIndex, f: Found | None, span: Span,
             last: tuple[int, str, str, str | None, Person | None] | None) -> tuple[str | None, str | None, str, Person | None]:
    if f is None:
        return None, None, "unknown", None
    how = {"cue": "direct", "colon": "colon", "according_to": "according_to", "continuation": "continuation"}[f.how]
    if f.kind == "person":
        person = people.person_for(f.phrase)
        if person is not None:
            return person.canonical, person.role, how, person
        return f.phrase, f.appos, how, None
    if f.kind == "pronoun":
        pron = f.phrase.lower()
        if pron in {"he", "she"}:
            prefer = last[4] if last is not None else None
            person = people.antecedent(f.start, pron, prefer)
            if person is not None:
                return person.canonical, person.role, "pronoun" if how == "direct" else how, person
            return None, None, "unknown", None
        if last is not None:
            return last[1], last[3], "pronoun" if how == "direct" else how, last[4]
        return None, None, "unknown", None
    phrase = f.phrase
    if f.appos and is_person_name(f.appos):
        person = people.person_for(f.appos)
        if person is not None:
            return person.canonical, person.role, how, person
    person = people.person_for(phrase) if is_person_name(phrase) else None
    if person is not None:
        return person.canonical, person.role, how, person
    if re.match(r"(?i)the\s", phrase):
        person = people.by_description(phrase, f.start)
        if person is not None:
            return person.canonical, person.role, "description" if how == "direct" else how, person
    return phrase, None, how, None


def _fallback(people: PeopleIndex, span: Span, last: tuple[int, str, str, str | None, Person | None] | None,
              text: str) -> tuple[str, str | None, str, Person | None]:
    if last is not None and span.para - last[0] <= 1:
        return last[1], last[3], "continuation", last[4]
    person = people.antecedent(span.start, "they")
    if person is not None and span.start - max(m.end for m in people.mentions if m.person is person) < 600:
        return person.canonical, person.role, "context", person
    return "unknown", None, "unknown", None


def _is_scare_quote(text: str, doc: Any, span: Span, para_lo: int) -> bool:
    """Short verbless phrases and titles quoted mid-sentence ("free economic zone") are not quotes."""
    if span.open_mark < 0 or span.close_mark < 0:
        return False
    content = text[span.start : span.end]
    before = text[para_lo : span.open_mark].rstrip()
    if not before or not (before[-1].isalnum() or before[-1] in "-’'"):
        return False
    words = _WORD.findall(content)
    if content.rstrip()[-1:] in {",", ".", "?", "!", ";", "…"}:
        return False
    prev = before.split()[-1].lower().strip("’'") if before.split() else ""
    titled = sum(w[:1].isupper() for w in words if len(w) > 3) == sum(1 for w in words if len(w) > 3)
    if titled and len(words) <= 10:
        return True
    span_doc = doc.char_span(span.start, span.end, alignment_mode="expand")
    has_verb = span_doc is not None and any(t.pos_ in {"VERB", "AUX"} for t in span_doc)
    return not has_verb and len(words) <= 7 and prev in _SCARE_BEFORE
