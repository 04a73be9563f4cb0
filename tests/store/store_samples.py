"""Fictional wire-style articles and briefs about peace talks (all names invented) and a fake clock, for store tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.brief.speakers import speaker_key
from bot.brief.types import Brief, Claim, Quote

T0 = datetime(2025, 12, 15, 6, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class SampleArticle:
    key: str
    title: str
    link: str
    published: datetime
    text: str
    claims: tuple[str, ...]
    quotes: tuple[tuple[str, str, str | None], ...]  # (text, speaker, role)


ARTICLES: tuple[SampleArticle, ...] = (
    SampleArticle(
        key="guid:northwire-8812",
        title="Envoys resume talks in Valletta as sides trade draft maps",
        link="https://northwire.example/world/valletta-talks-resume-8812",
        published=T0,
        text=(
            "VALLETTA, Dec 15 (Northwire) - Negotiators resumed talks on Monday at a seaside hotel, two officials "
            "said. \"We are closer than we were in October, but not close enough,\" said Dana Whitcombe, the U.S. "
            "special envoy. See also: Markets brace for ceasefire headlines. Ukraine's deputy foreign minister "
            "Marta Kovalenko said the map was \"a starting point, not a finish line.\""
        ),
        claims=(
            "Negotiators resumed talks in Valletta on Monday.",
            "The sides exchanged draft maps of a possible line of contact.",
            "A second round is planned before the end of the month.",
        ),
        quotes=(
            ("We are closer than we were in October, but not close enough", "Dana Whitcombe", "U.S. special envoy"),
            ("a starting point, not a finish line", "Marta Kovalenko", "deputy foreign minister"),
        ),
    ),
    SampleArticle(
        key="link:https://dailyledger.example/live/peace-talks-day-two",
        title="LIVE: Peace talks, day two - prisoner swap on the table",
        link="https://dailyledger.example/live/peace-talks-day-two",
        published=T0 + timedelta(hours=5),
        text=(
            "10:42 GMT - Kremlin spokesman Sergei Volodin told reporters a prisoner exchange \"could happen within "
            "days\" if the technical groups agree. 11:05 GMT - Kovalenko: \"Every name on the list matters.\" "
            "Related coverage: Grain corridor insurance rates fall 12%."
        ),
        claims=(
            "A prisoner exchange is under discussion on the second day of talks.",
            "Technical groups are working through lists of names.",
        ),
        quotes=(
            ("could happen within days", "Sergei Volodin", "Kremlin spokesman"),
            ("Every name on the list matters.", "Marta Kovalenko", None),
        ),
    ),
    SampleArticle(
        key="sha1:4f2c9e0d51",
        title="Analysis: What a 30-day energy truce would and would not cover",
        link="https://meridianpost.example/analysis/energy-truce-30-days",
        published=T0 + timedelta(days=1),
        text=(
            "By Ilse Brandt. A proposed 30-day pause in strikes on power plants would exclude fuel depots, a "
            "diplomat familiar with the draft said. \"A truce with 100% coverage is a fantasy,\" said Viktor "
            "Halych, a former energy minister. Whitcombe said the text was \"still being lawyered.\""
        ),
        claims=(
            "A proposed 30-day pause would cover strikes on power plants only.",
            "Fuel depots would be excluded from the draft truce.",
            "Lawyers are still reviewing the text.",
        ),
        quotes=(
            ("A truce with 100% coverage is a fantasy", "Viktor Halych", "former energy minister"),
            ("still being lawyered", "Dana Whitcombe", None),
        ),
    ),
    SampleArticle(
        key="guid:northwire-8840",
        title="Talks adjourn without deal; delegations to consult capitals",
        link="https://northwire.example/world/talks-adjourn-8840",
        published=T0 + timedelta(days=1, hours=9),
        text=(
            "VALLETTA, Dec 16 (Northwire) - The talks adjourned on Tuesday evening without an agreement. \"We go "
            "home with homework,\" Volodin said. A Ukrainian delegation member, speaking on condition of anonymity, "
            "said the security guarantees section was \"the whole ballgame.\""
        ),
        claims=(
            "The talks adjourned on Tuesday without an agreement.",
            "Delegations will consult their governments before a next round.",
        ),
        quotes=(
            ("We go home with homework", "Sergei Volodin", None),
            ("the whole ballgame", "a Ukrainian delegation member", None),
        ),
    ),
)


def sample_brief(article: SampleArticle, *, mode: str = "extractive") -> Brief:
    """The brief of a sample article, with speaker keys from the real speaker_key function."""
    quotes = []
    for text, speaker, role in article.quotes:
        start = article.text.find(text)
        quotes.append(Quote(text=text, speaker=speaker, speaker_key=speaker_key(speaker), role=role, cue="said",
                            method="pattern", confidence=0.9, start=start,
                            end=start + len(text) if start >= 0 else -1))
    return Brief(title=article.title, claims=[Claim(c, i) for i, c in enumerate(article.claims)], quotes=quotes,
                 text=article.text, notes=["sample"], mode=mode)


def numbered_brief(n: int) -> Brief:
    """A small distinct brief for bulk tests (the n-th live-blog update)."""
    return Brief(
        title=f"Talks live blog, update {n}",
        claims=[Claim(f"Update {n}: delegations met for a further session.", 0)],
        quotes=[Quote(text=f"Session {n} was constructive", speaker="Dana Whitcombe",
                      speaker_key=speaker_key("Dana Whitcombe"), role="U.S. special envoy", cue="said",
                      method="pattern", confidence=0.8)],
        text=f"Update {n}: delegations met for a further session. \"Session {n} was constructive,\" Whitcombe said.",
    )


class FakeClock:
    """A settable clock for leases and backoff."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
