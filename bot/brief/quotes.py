"""Direct quotes with their speakers: marks, scare-quote filter, attribution and resolution."""

from __future__ import annotations

import re
from typing import Any

from .attribution import find_speaker
from .groups import group_antecedent
from .issuers import via_issuer
from .known_people import story_person
from .marks import _SENT_END, Span, find_spans, paragraphs
from .name_tokens import TIME_STAMP
from .people import PeopleIndex, Person
from .phrases import Found
from .possessives import possessive_speaker
from .resolve import he_or_she, resolve
from .single_marks import primary_marks
from .speakers import speaker_key
from .types import Quote

_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_SCARE_BEFORE = {"the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those",
                 "so-called", "dubbed", "titled", "entitled", "named", "of", "to", "for", "on", "into", "about"}
_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "but", "with", "by", "from", "as",
                "into", "vs", "via", "is", "are", "be"}
_STRONG_SCARE = re.compile(r"(?:so-called|dubbed|titled|entitled|named|known as(?: the| a| an)?|branded)$")
_MARKS = '"“”„«»'
_CONFIDENCE = {"direct": 0.95, "colon": 0.93, "according_to": 0.9, "description": 0.85, "pronoun": 0.8,
               "continuation": 0.75, "context": 0.5, "unknown": 0.2}
MIN_WORDS = 4
_NEW_SENTENCE = re.compile(r"\s+[\"“‘]?[A-Z]")
_TAIL_SOURCE = re.compile(r"[\s,]*(?:in the words of|in (?:his|her|their) words)\b", re.IGNORECASE)


def extract_quotes(text: str, doc: Any) -> list[Quote]:
    """All direct quotes of 4+ words in `text` (parsed as `doc`), in order, attributed."""
    original, text = text, primary_marks(text)  # single-quoted (British) copy is read as double-quoted
    spans = [s for s in find_spans(text) if len(_WORD.findall(text[s.start : s.end])) >= MIN_WORDS]
    people = PeopleIndex(doc, [(s.start, s.end) for s in spans])
    paras = paragraphs(text)
    quoted = people.inside_quote
    found: list[tuple[Span, Found | None]] = []
    for s in spans:
        f = _attribute(text, doc, s, paras[s.para], quoted)
        if not _is_scare_quote(text, doc, s, paras[s.para][0], _cue_before(text, doc, s, paras[s.para], quoted)):
            found.append((s, f))
    found = _share_within_groups(found)
    pronoun_groups = {id(f): group_antecedent(doc, f.start, f.phrase, quoted=quoted) for _, f in found
                      if f is not None and f.kind == "pronoun" and f.phrase.lower() in {"it", "they"}}
    quotes: list[Quote] = []
    last: tuple[int, str, str, str | None, Person | None] | None = None  # para, speaker, key, role, person
    for span, f in found:
        if f is not None and id(f) in pronoun_groups and pronoun_groups[id(f)] is not None:
            g = pronoun_groups[id(f)]
            f = Found(g.phrase, g.start, g.end, g.kind, f.cue, f.how, g.appos)
            pronoun_hit = True
        else:
            pronoun_hit = False
        f = via_issuer(doc, f, quoted)
        speaker, role, method, person = resolve(people, f, span, last, text, doc)
        if pronoun_hit and method in {"direct", "description"}:
            method = "pronoun"
        if speaker is None and (person := possessive_speaker(text, _open_at(span), people)) is not None:
            speaker, role, method = person.canonical, person.role, "pronoun"
        if speaker is None:
            speaker, role, method, person = _fallback(people, span, last, text, quotes[-1].end if quotes else 0, doc)
        if person is None and re.match(r"An? \w|(?:One|Another|The|His|Her|Their|Its) [a-z]", speaker):
            speaker = speaker[0].lower() + speaker[1:]  # "A member of the delegation said": as a noun phrase reads
        cue = f.cue if f is not None else None
        conf = _CONFIDENCE.get(method, 0.5) - (0.1 if span.repaired else 0.0)
        key = speaker_key(speaker) if speaker != "unknown" else "unknown"
        quotes.append(Quote(text=original[span.start : span.end], speaker=speaker, speaker_key=key, role=role,
                            cue=cue, method=method + ("+repaired" if span.repaired else ""),
                            confidence=round(max(conf, 0.05), 3), start=span.start, end=span.end))
        last = (span.para, speaker, key, role, person)
    return quotes


def _open_at(span: Span) -> int:
    return span.open_mark if span.open_mark >= 0 else span.start


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
    if span.close_mark >= 0 and text[span.start : span.end].rstrip()[-1:] == "." and _NEW_SENTENCE.match(
            text, tail_lo, tail_hi):
        tail_hi = tail_lo  # "… in Ukraine.” Russia also wants …": the quote closed its sentence; what follows is news
    return (head_lo, open_at), (tail_lo, tail_hi)


def _attribute(text: str, doc: Any, span: Span, para: tuple[int, int], quoted: Any) -> Found | None:
    (h0, h1), (t0, t1) = _windows(text, span, para)
    head = text[h0:h1].strip()
    tail_first = _TAIL_SOURCE.match(text, t0, t1) is not None  # "…," in the words of one official
    if not tail_first and (head.endswith(":") or (head and not head.endswith(","))):
        found = find_speaker(doc, h0, h1, prefer="last", quoted=quoted)
        if found is not None:
            return found
    found = find_speaker(doc, t0, t1, prefer="first", quoted=quoted)
    if found is None and head:
        found = find_speaker(doc, h0, h1, prefer="last", quoted=quoted)
    if found is None and not head and span.para > 0:
        found = _previous_colon(text, doc, para[0], quoted)
    if found is None and h0 > para[0] and text[h0 - 1] in _MARKS:
        start = para[0]  # the sentence began before an earlier quoted title: look from its start
        for m in _SENT_END.finditer(text, para[0], h0):
            start = m.end()
        found = find_speaker(doc, start, h1, prefer="last", quoted=quoted)
    return found


def _previous_colon(text: str, doc: Any, para_lo: int, quoted: Any) -> Found | None:
    """ "Here is what he said about NATO:" closing the paragraph before a quote introduces it."""
    prev_end = para_lo - 1
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end <= 0 or text[prev_end - 1] != ":":
        return None
    prev_lo = text.rfind("\n", 0, prev_end - 1) + 1
    start = prev_lo
    for m in _SENT_END.finditer(text, prev_lo, prev_end):
        start = m.end()
    found = find_speaker(doc, start, prev_end, prefer="last", quoted=quoted)
    if found is not None:
        found.how = "colon"
    return found


def _cue_before(text: str, doc: Any, span: Span, para: tuple[int, int], quoted: Any) -> bool:
    (h0, h1), _ = _windows(text, span, para)
    return find_speaker(doc, h0, h1, prefer="last", quoted=quoted) is not None


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


def _pronoun_subject(doc: Any, start: int, end: int, people: PeopleIndex) -> tuple[int, str] | None:
    """The last he/she that is a subject between `start` and `end`, outside quotes: (offset, pronoun)."""
    span = doc.char_span(start, end, alignment_mode="contract") if end > start else None
    found = None
    for tok in span or ():
        if tok.lower_ in {"he", "she"} and tok.dep_ == "nsubj" and not people.inside_quote(tok.idx):
            found = (tok.idx, tok.lower_)
    return found


def _fallback(people: PeopleIndex, span: Span, last: tuple[int, str, str, str | None, Person | None] | None,
              text: str, last_end: int, doc: Any) -> tuple[str, str | None, str, Person | None]:
    """No cue next to the quote: the person who is the subject just before it, else the previous speaker."""
    if last is not None and last_end and _same_sentence(text, last_end, _open_at(span)):
        return last[1], last[3], "continuation", last[4]  # 'According to him, "…," but "…"': one attribution
    para_lo = text.rfind("\n", 0, span.start) + 1
    prev_lo = text.rfind("\n", 0, max(para_lo - 1, 0)) + 1 if para_lo > 0 else 0
    opens_para = not text[para_lo : span.open_mark if span.open_mark >= 0 else span.start].strip()
    opens_sentence = opens_para or re.search(r"[.!?][\"”’']?\s*$", text[para_lo : _open_at(span)]) is not None
    if opens_sentence and (after := _named_after(people, text, span)) is not None:
        if isinstance(after, str):
            return after, None, "context", None
        return after.canonical, after.role, "context", after
    above = text[:para_lo].rstrip()
    if opens_para and (label := _SUBHEAD.match(text, above.rfind("\n") + 1, len(above))):
        person = people.person_for(label.group(1)) or (  # a live blog's "Kallas: Europe must have a say" above it
            people.add_name(label.group(1), label.start(1), label.end(1)) if story_person(label.group(1)) else None)
        if person is not None:
            return person.canonical, person.role, "context", person
    since = max(last_end, prev_lo if last is None or opens_para else para_lo)
    subjects = [m for m in people.mentions if since <= m.start < span.start and m.subject and not people.inside_quote(m.start)]
    pronoun = _pronoun_subject(doc, since, span.start, people)
    if pronoun is not None and (not subjects or subjects[-1].start < pronoun[0]):
        who = he_or_she(people, pronoun[0], pronoun[1], span, last, text, doc)
        if who is not None and who[0]:  # "She shook her head. "Tests are for students.""
            return who[0], who[1], "pronoun", who[2]
    if subjects:
        person = subjects[-1].person
        method = "continuation" if last is not None and last[4] is person else "context"
        return person.canonical, person.role, method, person
    if last is not None and span.para - last[0] <= 1:
        return last[1], last[3], "continuation", last[4]
    return "unknown", None, "unknown", None


_SUBHEAD = re.compile(r"(?:" + TIME_STAMP + r"[ \t]+)?([A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){0,2}):[ \t]+[^\n]{3,80}?"
                      r"(?<![.!?\"”])[ \t]*$")  # "14.05 GMT Kallas: Europe must have a say"
_LOOKS_BACK = re.compile(
    r"(?:(?:That|This|Those|These|Such)\b[^.\n]{0,40}?\b(?:is|was|are|were)\b[^.\n]{0,30}?\b(?:how|what|the view|the words|"
    r"the verdict|the assessment|the warning|the message|the line|the position|the response|the reaction)\b|So (?:says|said)\b|The (?:words|warning|verdict|assessment|"
    r"view|remarks?|comments?|message|answer|reply) (?:was|were|came)\b)")


_HOW_UNNAMED = re.compile(r"[^.\n]*?\bhow\s+((?:an?|one|another)\s+[^,.;:\n]{3,80}?)(?=,|\s+(?:sees|saw|sums|summed|"
                          r"puts|put|described|describes|explained|explains)\b)")


def _named_after(people: PeopleIndex, text: str, span: Span) -> Person | str | None:
    """A quote standing alone in its paragraph, its speaker named by the next one looking back at it ("That, at
    least, is how Grigory Lenz sees it.", "The words were those of Sen. Markwayne Mullin, ...")."""
    para_hi = text.find("\n", span.end) % (len(text) + 1)  # the last paragraph ends with the text
    if span.close_mark < 0:
        return None
    rest = text[span.end : para_hi]  # "… legitimate target.” That was the line from Maria Zakharova, …"
    nxt = span.end + len(rest) - len(rest.lstrip(" \t\"”’',.")) if rest.strip(" \t\"”’',.") else para_hi + 1
    if not _LOOKS_BACK.match(text, nxt):
        return None
    end = nxt + 200
    for m in _SENT_END.finditer(text, nxt, min(len(text), nxt + 400)):
        end = m.start()
        break
    named = [m for m in people.mentions if nxt <= m.start < end and not people.inside_quote(m.start)]
    if named:
        return named[0].person
    unnamed = _HOW_UNNAMED.match(text, nxt, end)  # "That is how one senior Ukrainian officer, ..., summed it up"
    return unnamed.group(1) if unnamed else None


def _same_sentence(text: str, a: int, b: int) -> bool:
    """True when text[a:b], between a quote's end and the next quote's opening, stays inside one sentence."""
    between = text[a:b]
    return 0 < len(between) <= 40 and "\n" not in between and not re.search(r"[.?!][\"”’']?\s", between)


def _is_scare_quote(text: str, doc: Any, span: Span, para_lo: int, cue_before: bool) -> bool:
    """Titles, and short verbless phrases quoted mid-sentence with no one speaking ("coalition of the willing")."""
    if span.open_mark < 0 or span.close_mark < 0:
        return False
    content = text[span.start : span.end]
    before = text[para_lo : span.open_mark].rstrip()
    if not before or before.endswith(":"):
        return False
    words = _WORD.findall(content)
    major = [w for w in words if w.lower() not in _SMALL_WORDS]
    titled = len(major) >= 2 and all(w[:1].isupper() for w in major) and not re.search(r"[.?!]\s", content)
    if titled and len(words) <= 12:
        return True
    if not (before[-1].isalnum() or before[-1] in "-’'"):
        return False
    if content.rstrip()[-1:] in {".", "?", "!", ";", "…"}:
        return False
    prev = before.split()[-1].lower().strip("’'")
    tail = " ".join(before.lower().split()[-3:])
    if _STRONG_SCARE.search(tail):
        return len(words) <= 8
    if cue_before:
        return False
    span_doc = doc.char_span(span.start, span.end, alignment_mode="expand")
    has_verb = span_doc is not None and any(t.pos_ in {"VERB", "AUX"} for t in span_doc)
    return not has_verb and len(words) <= 7 and prev in _SCARE_BEFORE
