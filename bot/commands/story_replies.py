"""Plain-text lines for stories: the list of stories, a merged brief, its top for `latest`, its digest section."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone, tzinfo

from bot.commands.replies import speaker_label, story_heading, when
from bot.store.stories import StoryRecord
from bot.store.story_queries import StoryBrief, StoryItem

MESSAGE_BUDGET = 3800  # characters of one reply's text: under Discord's 4,096 for an embed's description
SHORT_OUTLETS = 3
TOP_CLAIMS, TOP_QUOTES = 3, 2
DIGEST_CLAIMS, DIGEST_QUOTES = 5, 3


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 article", "3 articles" ("2 stories" with `many`)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def short_outlets(outlets: Sequence[str], keep: int = SHORT_OUTLETS) -> str:
    """"A, B, C +2 more"."""
    shown = ", ".join(outlets[:keep])
    return shown + (f" +{len(outlets) - keep} more" if len(outlets) > keep else "")


def story_line(story: StoryRecord, tz: tzinfo = timezone.utc) -> str:
    """"#12 Title — 3 articles, 2 outlets (A, B) — updated 15 Dec 2025 09:30 UTC"."""
    outlets = plural(len(story.outlets), "outlet") + (f" ({short_outlets(story.outlets)})" if story.outlets else "")
    return (f"#{story.id} {story.title or '(untitled)'} — {plural(story.articles, 'article')}, {outlets} — "
            f"updated {when(story.updated_at, tz)}")


def item_line(item: StoryItem, refs: dict[int, int] | None = None) -> str:
    """"• claim — A, B [1, 3]" or "• “quote” — Speaker (role) — A, B [2]"; refs number the story's articles."""
    head = f"“{item.text}” — {speaker_label(item.speaker or '', item.role)}" if item.speaker is not None else item.text
    cited = [refs[a] for a in item.article_ids if a in refs] if refs else []
    where = ", ".join(item.outlets) + (f" [{', '.join(map(str, cited))}]" if cited else "")
    return f"• {head}" + (f" — {where}" if where.strip() else "")


def story_lines(story: StoryBrief, tz: tzinfo = timezone.utc, budget: int = MESSAGE_BUDGET) -> list[str]:
    """The whole merged brief: heading, claims, quotes, then the numbered articles with their links."""
    refs = {a.article_id: n for n, a in enumerate(story.articles, 1)}
    head = [story_heading(story.id, story.title), _summary(story, tz, short=False)]
    claims = [item_line(c, refs) for c in story.claims]
    quotes = [item_line(q, refs) for q in story.quotes]
    articles = [f"[{n}] " + " · ".join(p for p in (a.title or "(untitled)", ", ".join(a.outlets),
                                                    when(a.published or a.stored_at, tz), a.link) if p)
                for n, a in enumerate(story.articles, 1)]
    sections = [("Claims:", claims, "claim"), ("Quotes:", quotes, "quote"), ("Articles:", articles, "article")]
    return head + _fit_sections(sections, budget - _size(head))


def story_top_lines(story: StoryBrief, tz: tzinfo = timezone.utc, budget: int = MESSAGE_BUDGET) -> list[str]:
    """The top of a merged brief for `latest`: heading, summary, its most carried claims and quotes, then a pointer."""
    head = [story_heading(story.id, story.title), _summary(story, tz, short=True)]
    claims = [item_line(c) for c in _top(story.claims)[:TOP_CLAIMS]]
    quotes = [item_line(q) for q in _top(story.quotes)[:TOP_QUOTES]]
    room = budget - _size(head) - 60
    body: list[str] = []
    for line in _interleave(claims, quotes):
        if _size(body) + len(line) + 1 > room:
            break
        body.append(line)
    left = len(story.claims) + len(story.quotes) - len(body)
    tail = [f"+{left} more in the full brief: story {story.id}"] if left > 0 else []
    return head + body + tail


def digest_story_lines(story: StoryBrief, claims: Sequence[StoryItem], quotes: Sequence[StoryItem],
                       outlets: Sequence[str]) -> list[str]:
    """A story's digest section: heading with the period's outlets, then what it added in the period."""
    head = story_heading(story.id, story.title) + (f" — {', '.join(outlets)}" if outlets else "")
    lines = [item_line(c) for c in claims[:DIGEST_CLAIMS]] + [item_line(q) for q in quotes[:DIGEST_QUOTES]]
    left = max(0, len(claims) - DIGEST_CLAIMS) + max(0, len(quotes) - DIGEST_QUOTES)
    if left:
        lines.append(f"+{left} more: story {story.id}")
    if not lines:
        lines.append("• nothing new: its articles repeated what the story already had")
    return [head, *lines]


def fit_blocks(blocks: list[list[str]], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Blocks joined by blank lines, leaving out whole blocks from the end once the budget is spent."""
    out: list[str] = []
    for n, block in enumerate(blocks):
        if out and _size(out) + _size(block) + 1 > budget:
            left = len(blocks) - n
            out += ["", f"+{left} more: ask for fewer"]
            break
        out += ([""] if out else []) + block
    return out


def _summary(story: StoryBrief, tz: tzinfo, *, short: bool) -> str:
    outlets = story.outlets
    names = short_outlets(outlets) if short else ", ".join(outlets)
    parts = [plural(len(story.articles), "article"), plural(len(outlets), "outlet") + (f": {names}" if names else ""),
             f"updated {when(story.updated_at, tz)}"]
    return " · ".join(parts)


def _top(items: Sequence[StoryItem]) -> list[StoryItem]:
    """The most widely carried first; among those carried as widely, the newest first."""
    return sorted(items, key=lambda i: (len(i.outlets), i.first_stored, i.id), reverse=True)


def _interleave(claims: list[str], quotes: list[str]) -> list[str]:
    """Claims first, but the first quote right after the first claim so a tight budget still shows one."""
    if not claims or not quotes:
        return claims + quotes
    return [claims[0], quotes[0], *claims[1:], *quotes[1:]]


def _fit_sections(sections: list[tuple[str, list[str], str]], budget: int) -> list[str]:
    """Labelled sections; while too long, the longest loses its last line and says how many were left out."""
    kept = {label: list(lines) for label, lines, _ in sections}
    cut = dict.fromkeys(kept, 0)

    def render() -> list[str]:
        out: list[str] = []
        for label, _, noun in sections:
            if kept[label] or cut[label]:
                more = [f"… +{plural(cut[label], 'more ' + noun)}"] if cut[label] else []
                out += [label, *kept[label], *more]
        return out
    lines = render()
    while _size(lines) > budget and any(kept.values()):
        longest = max(kept, key=lambda label: _size(kept[label]))
        kept[longest].pop()
        cut[longest] += 1
        lines = render()
    return lines


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)
