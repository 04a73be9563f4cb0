"""Clean article text: normalise whitespace, rejoin hard-wrapped lines and drop clutter paragraphs."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "split_title"]

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUN = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?:;…\"”’'»)\]]$")
_HEADLINE_END = re.compile(r"[.!…:;,]$|[.!…][\"”’'»)]$")

# Whole-paragraph clutter: page furniture, republication and editor's notes, promos, copyright lines.
_FURNITURE = re.compile("(?i)^(" + "|".join([
    r"advertisement|advertising|sponsored( content)?|skip (to (main )?content|advertisement)",
    r"share( this (article|story|page))?( on \w+)?|tweet|email|print|copy link|listen to this article",
    r"continue reading|story continues below( advertisement)?|\d+ min(ute)?s? read|back to top",
    r"(\d+ )?comments?|show comments",
]) + r")\W*$")
_NOTES = re.compile("(?i)^(" + "|".join([
    r"this (article|story|piece|interview|essay|post|report|column|content) (was|is|has been) (originally |first )?"
    r"(published|posted|appeared|republished|reproduced)",
    r"(originally|first) (published|appeared|posted) (by|in|on|at)\b",
    r"read the original( article| story)?\b|republished (with permission|from|under)\b",
    r"(an )?earlier version of this (article|story)|editor'?s note\b",
    r"this (article|story|interview|conversation|transcript|report|piece) has been (edited|condensed|updated"
    r"|corrected|amended)",
    r"(sign up|subscribe)\b|register (now|for free|here)\b|already a subscriber|download (our|the) app\b",
    r"follow (us|our)\b|follow the\b[^.]{0,60}\b(coverage|live|updates|blog)\b|(like|join) us on\b",
    r"support (our|independent) journalism|(click|tap) here\b",
    r"all rights reserved|this material may not be (published|reproduced|broadcast)",
]) + ")")
_FOLLOW = re.compile(r"^Follow [A-Z][\w'’.-]*( [A-Z][\w'’.-]*){0,3} on (?i:twitter|x|facebook|instagram|telegram"
                     r"|threads|bluesky|linkedin|youtube|tiktok|whatsapp|mastodon|google news)\b")
_COPYRIGHT = re.compile(r"^(Copyright|COPYRIGHT|\([cC]\)|©)\s*(\([cC]\)|©)?\s*"
                        r"(\d{4}\b|by\b|[A-Z][^.]{0,60}\b\d{4}\b)")
# Related-links boxes: a header alone starts a run of link titles; a header with its title is one line.
_LINK_WORDS = (r"see also|suggested reading|further reading|read more|read also|also read|related( stories|"
               r" articles| coverage| content| reading| links)?|recommended( stories| reading| for you)?|more on"
               r" this( story| topic)?|most (read|popular|viewed)|you (may|might) also (like|be interested in)"
               r"|top stories|what to read next|explore more|watch|listen|video|in pictures|pictured|podcast")
_LINK_HEAD = re.compile(rf"(?i)^({_LINK_WORDS})\s*[:\-–—|»›>]?$")
_LINK_LINE = re.compile(rf"(?i)^({_LINK_WORDS})(\s*:|\s+[-–—|»›>])\s*\S|^read more (about|on|from|at|here)\b")
_LINK_CAPS = re.compile(r"^(See also|See Also|SEE ALSO|Read more|Read More|READ MORE|READ ALSO|RELATED|ALSO READ|Also"
                        r" read|Suggested Reading|Suggested reading) [A-Z‘“'\"]")
# Bylines, credits and captions.
_BY = re.compile(r"^((Analysis|Interview|Commentary|Opinion|Text|Words|Story|Photos?|Video|Illustrations?|Graphics?"
                 r"|Posted|Written|Compiled|Produced|Published|Filed|Reported|Edited) )?(By|BY|by)\s+(.+)$")
_STAMP = re.compile(r"(?i)^(last )?(updated|published|posted)\s*(:|on\b|at\b|\d)")
_CREDIT_WORDS = (r"((Additional|Further|additional|further) (reporting|writing|editing)|Reporting|Writing|Editing"
                 r"|Research|Graphics|Fact-checking|Translation)( and \w+)? by\b")
_CREDIT = re.compile(rf"^([\[(])?{_CREDIT_WORDS}\s*([^;.\[\]()]*)")
_CONTRIBUTED = re.compile(r"(?i)\bcontributed( reporting)? to this (report|story|article)\.?$|\bcontributed"
                          r" reporting\b[^.]{0,80}\.?$")
_CAPTION = re.compile(r"(?i)^\(?(file photo|file picture|photo credit|image credit|photos?|photograph|picture|image"
                      r"|video|graphic|illustration|credit|caption)\s*(:|/|by\b)|^\((AP|AFP|EPA|Reuters|Pool|[A-Z]"
                      r"[\w&.-]*)( Pool)? (Photo|Photograph|Picture|Image|Video)s?\s*/")
_TAIL_CREDITS = [
    re.compile(r"\s*\[[A-Z]{1,4}(/[A-Z]{1,4})*\]$"),
    re.compile(rf"\s*[\[(]{_CREDIT_WORDS}[^\[\]()]{{0,400}}[\])]$"),
    re.compile(r"(?<=[.!?\"”’'])\s+(Copyright\b|©|\(c\) \d{4})[^\n]{0,200}$"),
    re.compile(r"(?<=[.!?\"”’'])\s+(This (article|story|piece) was (originally|first) (published|posted)[^.]{0,150}\."
               r"\s*)?Read the original article\.?$"),
    re.compile(r"(?<=[.!?\"”’'])\s+This (article|story|piece) was (originally|first) (published|posted)"
               r"[^.]{0,150}\.?$"),
]
_TAIL_PHOTOS = [
    re.compile(r"\s*\((AP|AFP|EPA|Reuters|Pool|[A-Z][\w&.-]*)?( Pool)? ?(Photo|Photograph|Picture|Image|Video)s?"
               r"\s*(/| by\b|:)\s*[^()]{1,80}\)$"),
    re.compile(r"\s*\((AP|AFP|EPA|Reuters|Getty Images|Bloomberg)/[^()]{1,80}\)$"),
    re.compile(r"(?<=[.!?\"”’'])\s+(Photo|Photograph|Picture|Image|Credit|Video)s?\s*:\s*[^.]{1,80}$"),
]
_NAME_GLUE = {"and", "in", "of", "for", "the", "at", "de", "van", "von", "der", "den", "da", "di", "du", "la", "le",
              "bin", "al", "el", "y", "&", "with", "staff", "writer", "reporter", "correspondent", "editor", "bureau",
              "chief", "senior", "deputy", "political", "diplomatic", "foreign", "special", "contributing", "desk",
              "correspondents", "newsroom", "by", "photographs", "photography", "photos", "pictures", "video",
              "illustrations", "graphics"}  # "Words by X and photographs by Y"
_NOT_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
              "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
              "then", "now", "christmas", "easter", "noon", "midnight", "contrast", "comparison", "law", "decree"}
_MAX_TAIL_CREDITS = 4
_TAIL_WINDOW = 600
_QUOTE_MARKS = re.compile(r"[\"“”«»„]")

_WRAP_MAX = 110  # widest column treated as a hard wrap
_WRAP_BAND = 20  # a wrapped line ends within this many columns of the wrap width


def clean_text(text: str) -> str:
    """Normalised article text, one paragraph per line, with clutter paragraphs and credits removed.

    Only whitespace changes and the removal of whole clutter paragraphs (or a credit glued to the end of a
    paragraph) are made: the words of every kept paragraph are left as they were.
    """
    blocks = _blocks(_normalise(text))
    width = _wrap_width(blocks)
    paragraphs = [p for block in blocks for p in _reflow(block, width)]
    return "\n".join(_drop_clutter(paragraphs))


def split_title(text: str) -> tuple[str | None, str]:
    """(headline, body) when the first line of cleaned `text` reads as a headline, else (None, text)."""
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    if not first or not rest or not _looks_like_headline(first):
        return None, text
    if not any(_looks_like_body(p) for p in rest.split("\n")[:6]):
        return None, text
    return first, rest


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", _NEWLINES.sub("\n", text))
    text = _INVISIBLE.sub("", text).replace("\t", " ")
    return _CONTROLS.sub("", text)


def _blocks(text: str) -> list[list[tuple[str, bool]]]:
    """Blank-line separated blocks of (line, indented) pairs with spaces collapsed."""
    out = []
    for raw in _BLANK_RUN.split(text):
        block = []
        for line in raw.split("\n"):
            squeezed = _SPACES.sub(" ", line)
            stripped = squeezed.strip()
            if stripped:
                block.append((stripped, squeezed.startswith("  ") or line.startswith("\t")))
        if block:
            out.append(block)
    return out


def _wrap_width(blocks: list[list[tuple[str, bool]]]) -> int | None:
    """The column the text was hard-wrapped at, or None when its lines are whole paragraphs.

    Only lines followed by another line of their block count. In a wrapped text few of them are longer than
    the width, many end within a few columns of it, most end where the next word would not have fitted,
    and those mostly end mid-sentence.
    """
    pairs = [(block[i][0], block[i + 1][0]) for block in blocks for i in range(len(block) - 1)]
    if len(pairs) < 3:
        return None
    lengths = sorted({len(line) for line, _ in pairs if len(line) <= _WRAP_MAX}, reverse=True)
    for width in lengths:
        if sum(1 for line, _ in pairs if len(line) > width) > 0.1 * len(pairs):
            return None
        if sum(1 for line, _ in pairs if width - _WRAP_BAND <= len(line) <= width) < 0.4 * len(pairs):
            continue
        full = [line for line, nxt in pairs if _fills(line, nxt, width)]
        ends = sum(1 for line in full if _SENTENCE_END.search(line))
        return width if len(full) >= 0.4 * len(pairs) and ends < 0.5 * len(full) else None
    return None


def _fills(line: str, nxt: str, width: int) -> bool:
    """True when the first word of `nxt` would not have fitted on `line` at this wrap width."""
    slack = 0 if _SENTENCE_END.search(line) else 2
    return len(line) <= width and len(line) + 1 + len(nxt.split(" ", 1)[0]) > width - slack


def _reflow(block: list[tuple[str, bool]], width: int | None) -> list[str]:
    """Paragraphs of one block: each line, or runs of hard-wrapped lines joined with a space."""
    if width is None:
        return [line for line, _ in block]
    out: list[str] = []
    parts: list[str] = []
    for i, (line, indented) in enumerate(block):
        prev = block[i - 1][0] if i else ""
        if parts and _fills(prev, line, width) and not indented and not _starts_byline(line, parts):
            glue = "" if re.search(r"\w[-‐–—]$", prev[-2:]) and line[:1].isalpha() else " "
            parts.append(glue + line)
            continue
        if parts:
            out.append("".join(parts))
        parts = [line]
    if parts:
        out.append("".join(parts))
    return out


def _starts_byline(line: str, parts: list[str]) -> bool:
    """A byline line is never joined to its neighbours, even when it fills the line."""
    if _BY.match(line) and _is_byline(line, edge=False):
        return True
    return len(parts) == 1 and _is_byline(parts[0], edge=False)


def _drop_clutter(paragraphs: list[str]) -> list[str]:
    kept: list[str] = []
    in_links = 0
    last = len(paragraphs) - 1
    for i, raw in enumerate(paragraphs):
        if in_links and _is_link_item(raw):
            in_links -= 1
            continue
        in_links = 0
        if _is_link_header(raw):
            in_links = 8
            continue
        para = _strip_tail_credits(raw)
        if _has_content(para) and not _is_clutter(para, edge=i < 4 or i >= last - 2):
            kept.append(para)
    return kept


def _has_content(para: str) -> bool:
    return any(ch.isalnum() for ch in para)


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 30 or len(line) > 220 or _HEADLINE_END.search(line):
        return False
    first = line.lstrip("\"'“‘«(")[:1]
    return first.isupper() or first.isdigit()


def _looks_like_body(para: str) -> bool:
    return len(_WORD.findall(para)) >= 6 and bool(re.search(r"[.!?…][\"”’'»)]?(\s|$)", para))


def _is_link_header(para: str) -> bool:
    return bool(_LINK_HEAD.match(para))


def _is_link_item(para: str) -> bool:
    """A related-link title: short, no final full stop, not starting in lower case."""
    words = para.split()
    return (len(words) <= 20 and len(para) <= 160 and not re.search(r"\.[\"”’']?$", para)
            and not para[:1].islower())


_NAME = r"[A-Z][\w’'-]+(?: [A-Z]\.)?(?: [A-Z][\w’'-]+){1,2}"
_NAMES_ONLY = re.compile(rf"^{_NAME}(?:(?:,| and| &|, and) {_NAME}){{0,3}}$")
_REPORTED_FROM = re.compile(rf"^{_NAME} reported from [^.]{{2,80}}?(?:,? and {_NAME} (?:reported )?from [^.]{{2,60}})?\.$")


def _is_clutter(para: str, *, edge: bool) -> bool:
    """True for a whole paragraph of clutter; `edge` marks the first and last few paragraphs."""
    words = len(para.split())
    if _FURNITURE.match(para):
        return True
    if words <= 30 and (_LINK_LINE.match(para) or _LINK_CAPS.match(para)):
        return True
    if words <= 60 and (_NOTES.match(para) or _COPYRIGHT.match(para) or _CAPTION.match(para)):
        return True
    if words <= 40 and ("all rights reserved" in para.lower() or _CONTRIBUTED.search(para)):
        return True
    if words <= 30 and (_FOLLOW.match(para) or _REPORTED_FROM.match(para)):
        return True
    credit = _CREDIT.match(para) if words <= 80 else None
    if credit and (credit.group(1) or _name_shaped(credit.group(6), allow_glue=True)):
        return True
    return words <= 22 and _is_byline(para, edge=edge)


def _is_byline(para: str, *, edge: bool) -> bool:
    """A byline is short and name-shaped: "By Jane Doe and John Roe in Kyiv", "Jane Doe, Reuters"."""
    if _STAMP.match(para) and len(para.split()) <= 12:
        return True
    head = re.split(r"\s+[|·•]\s+", para)[0]
    match = _BY.match(head)
    if match:
        return _name_shaped(match.group(4), allow_glue=True)
    if edge and _NAMES_ONLY.match(head) and len(head.split()) <= 12:
        return True  # "Pippa Crerar and Dan Sabbagh" under the headline
    if not edge or "," not in head or len(head.split()) > 14:
        return False
    lead = head.split(",", 1)[0].split()
    return 2 <= len(lead) <= 4 and _name_shaped(lead, allow_glue=False) and _name_shaped(head, allow_glue=True)


def _name_shaped(text: str | list[str], *, allow_glue: bool) -> bool:
    """Capitalised name words (and, for bylines, a few joining words), no verbs, no sentence end."""
    line = text if isinstance(text, str) else " ".join(text)
    if _QUOTE_MARKS.search(line) or re.search(r"[!?;:]|\w{4,}\.$", line):
        return False
    tokens = [t for t in re.split(r"[\s,/()]+", line) if t]
    if not tokens or tokens[0].lower().strip(".") in _NOT_NAMES or not any(t[:1].isupper() for t in tokens):
        return False
    if not tokens[0][:1].isupper() and tokens[0] not in ("the", "our"):
        return False
    for token in tokens:
        if token[:1].isupper() or token[:1].isdigit() or (allow_glue and token.lower() in _NAME_GLUE):
            continue
        return False
    return True


def _strip_tail_credits(para: str) -> str:
    """`para` without credits glued to its end; a photo caption (short, no quotes) is dropped entirely."""
    photo = False
    for _ in range(_MAX_TAIL_CREDITS):
        cut, is_photo = _cut_tail(para)
        if cut == para:
            break
        para, photo = cut, photo or is_photo
    if photo and len(para.split()) <= 30 and not _QUOTE_MARKS.search(para):
        return ""
    return para


def _cut_tail(para: str) -> tuple[str, bool]:
    """`para` without one trailing credit (searched in its last few hundred characters), and if it was a photo's."""
    offset = max(0, len(para) - _TAIL_WINDOW)
    tail = para[offset:]
    for pattern in _TAIL_CREDITS + _TAIL_PHOTOS:
        match = pattern.search(tail)
        if match is not None:
            return para[: offset + match.start()].rstrip(), pattern in _TAIL_PHOTOS
    return para, False
