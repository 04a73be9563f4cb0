"""Find the cue verb and the speaker phrase next to a quote."""

from __future__ import annotations

import re
from typing import Any

from .cues import CUE_WORDS, PRONOUNS, SPEAKER_NOUNS, SPEECH_NOUNS
from .phrases import (
    RELATIVE,
    Found,
    ent_span,
    left_apposition,
    possessive,
    speaker_phrase,
    subject_person,
)

_VERB_ONLY = {"claims", "calls", "called", "notes", "remarks", "posts", "read", "reads", "states", "thanks", "echoes",
              "objects", "counters", "points", "tells", "say", "tell", "write", "welcomes", "welcomed", "call",
              "describe"}
_QUOTING = {"quoted", "quotes", "quote", "quoting", "cited", "cites", "cite", "citing"}
_FIRST_PERSON = {"i", "we"}
# Subjects that never speak, though a speech verb may follow them ("Putin's remarks signalled ...").
_MUTE = {"remark", "remarks", "comment", "word", "talk", "talks", "meeting", "negotiation", "negotiations", "move",
         "decision", "attack", "strike", "war", "signal", "stance", "position", "situation", "mood", "tone", "visit",
         "trip", "call", "conversation", "question", "issue", "idea", "fact", "hardening", "shift", "change", "result",
         "outcome", "vote", "poll", "survey", "figure", "number", "data", "price", "market", "economy", "dialogue",
         "process", "contact", "cooperation", "relation", "relationship", "fighting", "ceasefire", "truce", "exchange",
         "offensive", "pressure", "momentum", "effort", "work", "shelling", "clip", "footage"}
_SKIP_AFTER_CUE = {"the", "a", "an", "also", "then", "later", "on", "in"}


_WORDS_OF = {"response", "reply", "answer", "reaction", "verdict", "advice", "warning", "retort", "explanation",
             "argument", "view", "position", "conclusion", "assessment", "message", "words", "point", "pitch"}


_TIME = re.compile(r"\d{1,2}[:.]\d\d(?:\s*[apAP]\.?[mM]\.?)?|[A-Z]{2,4}T")
_NOT_LABELS = {"UPDATE", "BREAKING", "LIVE", "WATCH", "READ", "ANALYSIS", "EXCLUSIVE", "CORRECTION", "LATEST", "NEW"}
_LABEL = re.compile(r"(?P<name>[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3})(?:,[^:\n()]{1,80})?(?: ?\([^)\n]{1,60}\))?")


def _is_cue(tok: Any) -> bool:
    word = tok.lower_
    if word not in CUE_WORDS:  # "as Lund put it", "as she puts it": a speech cue too
        kids = {(c.dep_, c.lower_) for c in tok.children}
        return word in {"put", "puts"} and ("dobj", "it") in kids and ("mark", "as") in kids
    if any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children):
        return False  # "Ukraine was asked to give up ..." reports no speech by Ukraine
    if word in _VERB_ONLY:
        return tok.pos_ in {"VERB", "AUX"}
    return tok.pos_ not in {"NOUN", "PROPN"} or word in {"said", "says", "told", "added", "wrote"}


def _adjacent(tokens: list[Any], cue_i: int, inverted: bool) -> Found | None:
    """Fallback when the parse gives the cue no subject: the phrase right after (tails only), else before."""
    after = [t for t in tokens if t.i > cue_i] if inverted else []
    for t in after[:6]:
        if t.is_punct or t.pos_ in {"VERB", "AUX", "ADP"} and t.lower_ not in _SKIP_AFTER_CUE:
            break
        if t.lower_ in PRONOUNS or t.ent_type_ == "PERSON" or t.pos_ in {"PROPN", "NOUN"}:
            head = t
            while head.head.i != head.i and head.head.i > cue_i and head.head.pos_ in {"PROPN", "NOUN"} and head.dep_ == "compound":
                head = head.head
            return speaker_phrase(head)
    before = [t for t in tokens if t.i < cue_i]
    for t in reversed(before[-6:]):
        if t.is_punct:
            break
        if t.lower_ in PRONOUNS or t.ent_type_ == "PERSON" or t.pos_ in {"PROPN", "NOUN"}:
            root = t
            while root.dep_ == "compound" and root.head.i > root.i:
                root = root.head
            if root.dep_ == "pobj" and root.head.head.pos_ == "NOUN" and root.head.head.is_lower:
                return speaker_phrase(root.head.head)  # "an adviser to President Macron said", misparsed
            return speaker_phrase(t)
    return None


_PERCEIVE = {"shows", "showed", "shown", "show", "hear", "heard", "hears", "see", "saw", "sees", "seen", "watch",
             "watched", "filmed", "films", "caught", "recorded", "records", "depicts", "depicted", "features",
             "featured", "captured", "captures", "recalled", "recalls", "remembered", "remembers", "recall",
             "remember"}  # word forms: the pipeline runs without a lemmatizer; "recalled Kushner telling them:"


def _seen_speaking(cue: Any) -> Found | None:
    """ "the clip shows the Kremlin spokesman, Dmitry Peskov, telling reporters …": whoever is seen speaking."""
    if cue.lower_ in _PERCEIVE:  # the cue found is "recalled" in "One of them recalled Kushner telling them:"
        told = next((c for c in cue.children if c.dep_ == "ccomp" and c.tag_ == "VBG" and c.lower_ in CUE_WORDS), None)
        subj = next((c for c in told.children if c.dep_ == "nsubj"), None) if told is not None else None
        return speaker_phrase(subj) if subj is not None and subj.pos_ == "PROPN" else None
    if cue.tag_ != "VBG" or cue.dep_ not in {"advcl", "acl", "xcomp", "ccomp", "oprd"}:
        return None
    verb = cue.head if cue.dep_ != "acl" else cue.head.head
    if verb.lower_ not in _PERCEIVE:
        return None
    objs = [c for c in verb.children if c.dep_ == "dobj" and c.i < cue.i]
    return speaker_phrase(objs[0]) if objs and objs[0].lower_ not in {"it", "this", "that"} else None


def _can_speak(tok: Any) -> bool:
    """False for subjects that cannot be speakers: "Putin's remarks signalled", "the talks showed"."""
    if tok.pos_ != "NOUN" or tok.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}:
        return True
    word = tok.lower_
    return word not in _MUTE and word.rstrip("s") not in _MUTE


def _speaker_of(cue: Any, tokens: list[Any], inverted: bool, quoted: Any) -> Found | None:
    if cue.dep_ == "pcomp" and cue.head.lower_ == "as" and cue.head.head.lower_ in _QUOTING:
        objs = [c for c in cue.head.head.children if c.dep_ == "dobj"]  # "quoted his counterpart, X, as telling him"
        if objs:
            return speaker_phrase(objs[0])
    seen = _seen_speaking(cue)
    if seen is not None:
        return seen
    head = cue.head
    if cue.dep_ in {"conj", "advcl"} and not _is_cue(head) and head.dep_ == "ccomp" and _is_cue(head.head):
        # "said its forces had struck …, adding that …": "adding" hangs on the reported clause, not on "said"
        head = head.head  # "warned that contingents would become …, and accused Paris of …": a conjunct of "warned"
    for verb in (cue, head):
        subs = [c for c in verb.children if c.dep_ == "nsubj" and not quoted(c.idx)]
        if len(subs) > 1 and any(t.text == ":" for t in verb.doc[subs[0].i : subs[-1].i]):
            subs.reverse()  # "YT: Dmitry Peskov said ...": a transcript label parsed as a second subject
        if subs and subs[0].lower_ in _FIRST_PERSON:
            return None  # "I tell my daughter ..., said Halyna": running text's "I" is the quote's own voice
        if subs and (not _can_speak(subs[0]) or subs[0].lower_ in RELATIVE and subs[0].head.dep_ != "relcl"):
            return None
        if subs:
            found = speaker_phrase(subs[0])
            if found is not None and found.kind == "phrase" and subs[0].lower_ not in PRONOUNS:
                person = subject_person(subs[0]) or left_apposition(subs[0])
                if person is not None:
                    return Found(person.text, person.start_char, person.end_char, "person", None, "cue", found.phrase)
            if found is not None:
                return found
        if cue.dep_ not in {"advcl", "conj", "xcomp"}:
            break
    if cue.dep_ == "acl" and cue.head.pos_ == "PROPN" and cue.head.i < cue.i:
        return speaker_phrase(cue.head)  # "Lena Moe, standing beside him, added:" parsed with the name as the root
    if cue.dep_ == "acl" and cue.head.pos_ == "NOUN" and cue.head.i < cue.i:
        node = cue.head  # "a host on one of the main channels declared": the cue hangs off the last noun
        while node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.head.pos_ in {"NOUN", "NUM", "PRON"}:
            node = node.head.head
        if node.i != cue.head.i and node.pos_ == "NOUN" and node.lower_ in SPEAKER_NOUNS:
            return speaker_phrase(node)
    return _adjacent(tokens, cue.i, inverted)


def _according_to(tokens: list[Any]) -> Found | None:
    """ "according to X", "in the words of X", "in her words", "in Lavrov's words"."""
    words = [t.lower_ for t in tokens]
    for k, t in enumerate(tokens[:-1]):
        if words[k : k + 3] == ["in", "his", "words"] or words[k : k + 3] == ["in", "her", "words"]:
            p = tokens[k + 1]
            return Found(p.text, p.idx, p.idx + len(p), "pronoun", "in the words of", "according_to")
        if t.lower_ == "in" and k + 3 < len(tokens) and words[k + 2] in {"'s", "’s"} and words[k + 3] == "words":
            ent = ent_span(tokens[k + 1])
            if ent is not None:
                return Found(ent.text, ent.start_char, ent.end_char, "person", "in the words of", "according_to")
        skip = 2 if words[k : k + 2] == ["according", "to"] else 4 if words[k : k + 4] == ["in", "the", "words", "of"] \
            else 0
        if skip:
            cue = "according to" if skip == 2 else "in the words of"
            rest = []
            for r in tokens[k + skip :]:
                if r.is_punct and r.text not in {".", "-", "’", "'"} or r.lower_ in PRONOUNS and rest:
                    break
                rest.append(r)
            for r in rest:
                ent = ent_span(r)
                if ent is not None:
                    return Found(ent.text, ent.start_char, ent.end_char, "person", cue, "according_to")
            for r in rest:
                if r.dep_ == "pobj" or r.ent_type_ == "PERSON" or r.pos_ in {"PROPN", "NOUN", "PRON"}:
                    head = r
                    while head.dep_ == "compound" and head.head.i > r.i:
                        head = head.head
                    found = speaker_phrase(head)
                    if found is not None:
                        found.cue, found.how = cue, "according_to"
                    return found
    return None


def _frames_quote(cue: Any, last: Any) -> bool:
    """True when the quote after `last` hangs off `cue` directly ("described the role as "…"", "called it "…""),
    not off another verb inside what the cue reports ("reiterated that a deal required "…"")."""
    doc = cue.doc
    i = last.i + 1
    while i < len(doc) and (doc[i].is_punct or doc[i].is_space):
        i += 1
    if i >= len(doc):
        return True
    tok = doc[i]
    for _ in range(12):  # climb out of the quotation to where it attaches
        if tok.head.i == tok.i or tok.head.i <= last.i:
            break
        tok = tok.head
    node = tok.head
    for _ in range(8):
        if node.i == cue.i:
            return True
        if node.pos_ in {"VERB", "AUX"} or node.head.i == node.i:
            return False
        node = node.head
    return False


def _reported_by(cue: Any, according: Found) -> bool:
    """ "Ushakov said, according to TASS": the 'according to' names who reported the cue's words, not a speaker."""
    doc = cue.doc
    between = [t for t in doc[cue.i + 1 :] if t.idx < according.start]
    if len(between) > 8 or not between or between[-1].lower_ != "to" or between[-2].lower_ != "according":
        return False
    return not any(t.pos_ in {"VERB", "AUX"} or t.is_sent_start or t.text in {";", "."} for t in between[:-2])


def _parenthetical(cue: Any) -> bool:
    """ "…, she said, that …": a reporting aside inside a sentence that quotes someone else."""
    doc = cue.doc
    before = doc[cue.i - 2] if cue.i >= 2 else None
    after = doc[cue.i + 1] if cue.i + 1 < len(doc) else None
    return bool(before is not None and before.text == "," and doc[cue.i - 1].lower_ in PRONOUNS
                and after is not None and after.text == ",")


def find_speaker(doc: Any, start: int, end: int, *, prefer: str, quoted: Any = lambda pos: False) -> Found | None:
    """The cue and speaker in text[start:end] (a window next to a quote); `prefer` 'first' or 'last' cue.

    `quoted(pos)` tells whether a character offset lies inside a quotation (never a speaker there).
    """
    if end <= start:
        return None
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    tokens = list(span)
    according = _according_to(tokens)
    cues = [t for t in tokens if _is_cue(t) and not quoted(t.idx)]  # "Putin "has confirmed …"": no cue inside quotes
    if not cues:
        return according or _colon_intro(doc, tokens)
    ordered = cues if prefer == "first" else list(reversed(cues))
    if prefer == "last" and len(ordered) > 1 and _parenthetical(ordered[0]):
        ordered = ordered[1:]
    if prefer == "last" and len(ordered) > 1 and not _frames_quote(ordered[0], tokens[-1]):
        # Reported speech inside reported speech ("It said Lavrov had reiterated that ..."): the outer frame speaks,
        # unless the nearest cue introduces the quote itself ("what Leavitt called "…"").
        inner = set(ordered)
        outer = [c for c in ordered if not any(a in inner for a in c.ancestors)]
        ordered = outer + [c for c in ordered if c not in outer]
    for cue in ordered:
        if according is not None and (according.start < cue.idx if prefer == "first" else according.start > cue.idx):
            if not _reported_by(cue, according):
                return according
        found = _speaker_of(cue, tokens, prefer == "first", quoted)
        if found is not None:
            found.cue = cue.lower_
            if prefer == "last" and tokens[-1].text == ":":
                found.how = "colon"
            return found
    return according


def _possessor(noun: Any) -> Any | None:
    """ "Her message was short:", "Zelensky's response has been consistent:": whose words the noun names."""
    if noun.lower_ not in SPEECH_NOUNS and noun.lower_ not in _WORDS_OF:
        return None
    return next((c for c in noun.children if c.dep_ == "poss"), None)


def _transcript_label(doc: Any, tokens: list[Any]) -> Found | None:
    """A transcript's speaker label opening the paragraph: `MARCO RUBIO, SECRETARY OF STATE (on tape): "…"`."""
    text = doc.user_data.get("briefbot_text") or doc.text
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1]) - 1
    if text[text.rfind("\n", 0, start) + 1 : start].strip():
        return None
    label = _LABEL.fullmatch(text, start, end)
    if label is None or len(label.group("name")) < 3 or label.group("name") in _NOT_LABELS:
        return None  # "Q:" and "A:" label questions and answers, not people
    name = label.group("name")
    if " " not in name and len(name) <= 4:  # "NATO:", "IAEA:": an acronym stays one
        return Found(name, start, label.end("name"), "phrase", None, "colon")
    return Found(name.title(), start, label.end("name"), "person", None, "colon")


def _colon_intro(doc: Any, tokens: list[Any]) -> Found | None:
    """`Zelenskyy on Telegram: "…"` and `In a statement, the Kremlin: "…"`: a named subject ending in a colon."""
    if tokens and tokens[-1].text.endswith(":") and (label := _transcript_label(doc, tokens)) is not None:
        return label
    if not tokens or tokens[-1].text != ":":
        return None
    lead = tokens[:-1]
    for k, t in enumerate(lead[:-2]):  # "pointed to a statement from spokesperson Anna Kelly:"
        if t.lower_ in SPEECH_NOUNS and lead[k + 1].lower_ in {"from", "by"}:
            ent = next((ent_span(x) for x in lead[k + 2 :] if ent_span(x) is not None), None)
            if ent is not None:
                return Found(ent.text, ent.start_char, ent.end_char, "person", None, "colon")
    first = next((t for t in lead if t.ent_type_ == "PERSON" and not possessive(t)), None)
    if first is not None and first.i == lead[0].i and ent_span(first) is not None:
        ent = ent_span(first)  # "Marit Solberg, who ... published a report titled "…", put it bluntly:"
        return Found(ent.text, ent.start_char, ent.end_char, "person", None, "colon")
    verbs = [t for t in lead if t.pos_ in {"VERB", "AUX"} and any(c.dep_ == "nsubj" for c in t.children)]
    if verbs:  # "Marit Solberg, who studies sanctions, put it bluntly:" — whoever the clause is about speaks
        main = [v for v in verbs if not any(a in verbs for a in v.ancestors)] or verbs
        subj = next(c for c in main[-1].children if c.dep_ == "nsubj")
        subj = _possessor(subj) or subj
        found = speaker_phrase(subj)
        if found is not None:
            if found.kind == "phrase" and subj.lower_ not in PRONOUNS:
                person = subject_person(subj)
                if person is not None:
                    found = Found(person.text, person.start_char, person.end_char, "person", None, "colon")
            found.how = "colon"
            return found
    while len(lead) > 1 and (lead[0].is_space or _TIME.fullmatch(lead[0].text)):
        lead = lead[1:]  # a live blog's "18:30 GMT" before the speaker
    if 1 <= len(lead) <= 4 and all(t.pos_ == "PROPN" or t.text[:1].isupper() and t.is_alpha for t in lead) and (
            len(lead) > 1 or len(lead[0]) > 1):  # but not an interview's "Q:" or "A:"
        span = lead[0].doc[lead[0].i : lead[-1].i + 1]  # a live blog's "Sybiha: “…”"
        kind = "person" if any(t.ent_type_ == "PERSON" for t in lead) else "phrase"
        return Found(span.text, span.start_char, span.end_char, kind, None, "colon")
    for t in tokens:
        if t.ent_type_ == "PERSON" or t.lower_ in SPEECH_NOUNS:
            found = speaker_phrase(t) if t.ent_type_ == "PERSON" else None
            if found is not None:
                found.how = "colon"
                return found
    return None
