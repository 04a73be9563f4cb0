"""What a command answers: one platform-independent `Reply`, plus the plain-text lines every adapter can reuse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from bot.commands.spec import CommandSpec
from bot.store.records import FeedRecord, QuoteHit, SpeakerCount, StoredBrief, TextHit
from bot.store.stories import StoryRecord
from bot.store.story_queries import StoryBrief

KINDS = ("briefs", "quotes", "speakers", "hits", "feeds", "digest", "stories", "story", "text", "help", "error")


@dataclass(frozen=True)
class Reply:
    """A command's answer. `text` is always a complete plain rendering; the tuples carry the data behind it.

    Article strings (titles, claims, quotes, speakers) are untrusted: every renderer must show them literally
    (no markup, no mentions). `ephemeral` replies are for the asker only (errors, help). `stories` are the
    stories listed; `story_briefs` the merged briefs shown (by `story`, and by `latest` once stories exist).
    """

    kind: str
    text: str
    title: str | None = None
    briefs: tuple[StoredBrief, ...] = ()
    quotes: tuple[QuoteHit, ...] = ()
    speakers: tuple[SpeakerCount, ...] = ()
    hits: tuple[TextHit, ...] = ()
    feeds: tuple[FeedRecord, ...] = ()
    stories: tuple[StoryRecord, ...] = ()
    story_briefs: tuple[StoryBrief, ...] = ()
    commands: tuple[CommandSpec, ...] = ()
    ephemeral: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reply kind {self.kind!r}")

    @classmethod
    def error(cls, message: str) -> Reply:
        """A one-line refusal or problem, shown only to the asker."""
        return cls(kind="error", text=" ".join(message.split()), ephemeral=True)

    @classmethod
    def info(cls, text: str, *, feeds: Iterable[FeedRecord] = ()) -> Reply:
        """A short plain answer (confirmations, "nothing found")."""
        return cls(kind="text", text=text, feeds=tuple(feeds))


def when(dt: datetime | None, tz: tzinfo = timezone.utc) -> str:
    """"15 Dec 2025 06:00 UTC" in `tz` ("" for None)."""
    if dt is None:
        return ""
    local = dt.astimezone(tz)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname() or ''}".rstrip()


def day(dt: datetime | None, tz: tzinfo = timezone.utc) -> str:
    """"15 Dec 2025" in `tz` ("" for None)."""
    if dt is None:
        return ""
    local = dt.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


def speaker_label(speaker: str, role: str | None) -> str:
    return f"{speaker} ({role})" if role else speaker


def source_line(outlet: str | None, dt: datetime | None, link: str | None, tz: tzinfo = timezone.utc) -> str:
    """"Outlet · 15 Dec 2025 06:00 UTC · link", leaving out what is unknown."""
    return " · ".join(p for p in (outlet, when(dt, tz), link) if p)


def brief_lines(item: StoredBrief, tz: tzinfo = timezone.utc) -> list[str]:
    """A stored brief as plain lines: title, source, claims, quotes."""
    brief = item.brief
    lines = [brief.title or "(untitled)"]
    source = source_line(item.feed_name, item.published or item.created_at, item.link, tz)
    if source:
        lines.append(source)
    lines += [f"• {c.text}" for c in brief.claims]
    lines += [f"“{q.text}” — {speaker_label(q.speaker, q.role)}" for q in brief.quotes]
    return lines


def quote_line(hit: QuoteHit, tz: tzinfo = timezone.utc) -> str:
    """“text” — Speaker (role), Outlet, 15 Dec 2025, link."""
    parts = [speaker_label(hit.speaker, hit.role), hit.feed_name, day(hit.published, tz), hit.link]
    return f"“{hit.text}” — " + ", ".join(p for p in parts if p)


def hit_line(hit: TextHit, tz: tzinfo = timezone.utc) -> str:
    """A search hit: the claim, or the quote with its speaker, then where it came from."""
    head = f"“{hit.text}” — {hit.speaker}" if hit.kind == "quote" else hit.text
    where = ", ".join(p for p in (hit.feed_name, day(hit.published, tz), hit.link) if p)
    return f"[{hit.kind}] {head}" + (f" ({where})" if where else "")


def speaker_line(sp: SpeakerCount, tz: tzinfo = timezone.utc) -> str:
    count = f"{sp.quotes} quote" + ("" if sp.quotes == 1 else "s")
    last = f", last {day(sp.last_quoted, tz)}" if sp.last_quoted else ""
    return f"{sp.name} — {count}{last}"


def feed_name(feed: FeedRecord) -> str:
    return feed.name or feed.url


def feed_state(feed: FeedRecord) -> str:
    """"ok", "new" (never polled), "failing N" or "paused"."""
    if feed.paused:
        return "paused"
    if feed.failures:
        return f"failing {feed.failures}"
    return "ok" if feed.last_polled_at else "new"


def feed_line(feed: FeedRecord, tz: tzinfo = timezone.utc) -> str:
    polled = f"last polled {when(feed.last_polled_at, tz)}" if feed.last_polled_at else "not polled yet"
    error = f" ({feed.last_error[:120]})" if feed.last_error and (feed.paused or feed.failures) else ""
    return f"{feed_name(feed)} — {feed.url} — {feed_state(feed)}{error} — {polled}"


def digest_groups(briefs: Iterable[StoredBrief]) -> list[tuple[str, list[StoredBrief]]]:
    """Briefs grouped by story ("Story #12: title"), or by outlet when not in a story, in order of first brief."""
    groups: dict[tuple[str, str | int], tuple[str, list[StoredBrief]]] = {}
    for item in briefs:
        if item.story is not None:
            key: tuple[str, str | int] = ("story", item.story.story_id)
            heading = story_heading(item.story.story_id, item.story.title)
        else:
            key = ("outlet", item.feed_name or "Other sources")
            heading = item.feed_name or "Other sources"
        groups.setdefault(key, (heading, []))[1].append(item)
    return list(groups.values())


def story_heading(story_id: int, title: str | None) -> str:
    return f"Story #{story_id}: {title or '(untitled)'}"


def digest_line(item: StoredBrief) -> str:
    """One digest line: the title and the first claim (in a story, the first claim new to it)."""
    title = item.brief.title or "(untitled)"
    claims = item.brief.claims
    new = item.story.new_claims if item.story is not None else []
    first = claims[new[0]].text if new and new[0] < len(claims) else claims[0].text if claims else ""
    return f"{title} — {first}" if first else title


def help_lines(spec: CommandSpec) -> list[str]:
    lines = [f"{spec.usage} — {spec.help}"]
    lines += [f"  {p.name}: {p.help}" for p in spec.params]
    if spec.examples:
        lines.append("  e.g. " + "; ".join(spec.examples))
    return lines
