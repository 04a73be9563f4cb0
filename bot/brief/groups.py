"""What a pronoun speaker stands for when no named person does: the latest group, institution or described person
that was a clause's subject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cues import ASKING, PRONOUNS, SPEAKER_NOUNS
from .gender import GENDERED_NOUNS, noun_gender
from .phrases import Found, speaker_phrase


def group_antecedent(doc: Any, pos: int, pronoun: str, within: int = 800,
                     quoted: Any = lambda pos: False) -> Found | None:
    """What an "it" or "they" speaker refers to: the latest non-person subject before `pos`, outside quotes."""
    plural = pronoun.lower() == "they"
    return _latest(doc, pos, within, quoted, lambda tok: (
        tok.dep_ == "nsubj" and tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ != "PERSON"
        and (plural == (tok.tag_ in {"NNS", "NNPS"}) or tok.lower_ in _GROUPS)))


def source_group(doc: Any, pos: int, within: int = 800, quoted: Any = lambda pos: False) -> Found | None:
    """Whom a bare "One said" / "Another added" speaker belongs to: the latest plural source named before `pos`
    ("Western diplomats in Moscow say ...", "according to three EU diplomats"), outside quotes."""
    return _latest(doc, pos, within, quoted, lambda tok: (
        tok.dep_ in {"nsubj", "pobj", "appos"} and tok.tag_ == "NNS" and tok.lower_ in SPEAKER_NOUNS
        and tok.lower_ not in {"people", "forces"}))


def described_subject(doc: Any, pos: int, pronoun: str, quoted: Any, named: Callable[[int], bool]) -> Found | None:
    """Whom a he/she at `pos` means when the latest main-clause subject before it, in its paragraph or the one
    before, is a person described but not named ("A member of the Ukrainian delegation said ... “…,” he said").
    None when a named person (`named(offset)`) is that subject, sits inside it, or is mentioned after its sentence."""
    want = {"she": "f", "he": "m"}.get(pronoun.lower())  # None: a description of anyone ("the source said")
    text = doc.user_data.get("briefbot_text") or doc.text
    para = text.rfind("\n", 0, pos) + 1
    lo = text.rfind("\n", 0, para - 1) + 1 if para > 0 else 0
    named_after = len(doc)  # start of the latest sentence so far that names someone
    for tok in reversed(doc[: _token_at(doc, pos)]):
        if tok.idx < lo:
            break
        if quoted(tok.idx):
            continue
        if named(tok.idx):
            named_after = min(named_after, tok.sent.start)
        if tok.dep_ not in {"nsubj", "nsubjpass"} or not _main_verb(tok.head):
            continue
        if tok.lower_ in PRONOUNS or tok.pos_ != "NOUN" or tok.lower_ not in _PERSON_NOUNS or want and noun_gender(
                tok.lower_) not in (None, want):
            if named(tok.idx):
                return None
            continue
        if named_after < len(doc) and named_after > tok.sent.start or any(
                named(t.idx) for t in doc[tok.left_edge.i : tok.right_edge.i + 1]):
            return None
        if want and any(c.dep_ in {"dobj", "dative"} and c.lower_ == _OBJECT[want] for c in tok.head.children):
            return None  # "a woman from the ministry told her that ...": "she" is the one she told
        if tok.head.lower_ in _ASKING and any(named(c.idx) for c in tok.head.children if c.dep_ in {"dobj", "dative"}):
            return None  # "a reporter asked Stubb whether ...": who answers is Stubb
        return speaker_phrase(tok)
    return None


_OBJECT = {"f": "her", "m": "him"}
_ASKING = ASKING | {"interviewed", "challenged"}  # an interviewee also answers the one who described them


def _main_verb(verb: Any) -> bool:
    return verb.dep_ == "ROOT" or verb.dep_ == "conj" and verb.head.dep_ == "ROOT"


_PERSON_NOUNS = GENDERED_NOUNS | {
    "source", "official", "diplomat", "analyst", "expert", "observer", "reporter", "journalist", "resident", "soldier",
    "commander", "lawmaker", "senator", "member", "delegate", "negotiator", "spokesperson", "worker", "leader",
    "voter", "child", "person", "officer", "aide", "adviser", "advisor", "envoy", "ambassador", "chief", "director",
    "general", "mayor", "governor", "operator", "critic", "supporter", "opponent", "campaigner", "activist",
    "economist", "researcher", "scientist", "historian", "professor", "lawyer", "survivor", "witness", "neighbour",
    "neighbor", "friend", "colleague", "counterpart", "owner", "executive", "manager", "investor", "trader", "pilot",
    "doctor", "nurse", "teacher", "student", "priest", "inspector", "prosecutor", "judge", "veteran", "pensioner",
    "medic", "volunteer", "farmer", "driver", "miner", "engineer", "accountant", "supervisor", "retiree", "refugee",
    "evacuee", "sergeant", "captain", "lieutenant", "colonel", "major", "private", "fighter", "paramedic", "surgeon",
    "villager", "shopkeeper", "vendor", "passenger", "traveller", "traveler", "guard", "technician", "mechanic",
    "deputy", "staffer", "consultant", "strategist", "banker", "insider", "participant", "organiser", "organizer",
    "employee", "head", "blogger", "entrepreneur", "businessman", "businesswoman", "academic", "correspondent", "lecturer"}


def _latest(doc: Any, pos: int, within: int, quoted: Any, fits: Callable[[Any], bool]) -> Found | None:
    """The speaker phrase of the latest token before `pos` (within `within` characters, outside quotes) that fits."""
    for tok in reversed(doc[: max(0, _token_at(doc, pos))]):
        if pos - tok.idx > within:
            break
        if fits(tok) and not quoted(tok.idx):
            return speaker_phrase(tok)
    return None


_GROUPS = {"kremlin", "government", "ministry", "office", "delegation", "team", "administration", "house"}


def _token_at(doc: Any, pos: int) -> int:
    span = doc.char_span(pos, pos + 1, alignment_mode="expand")
    return span.start if span is not None else len(doc)
