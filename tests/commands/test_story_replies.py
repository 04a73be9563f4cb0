"""Story text lines: a merged brief that is too long for one chat message is cut section by section."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.commands.story_replies import MESSAGE_BUDGET, item_line, short_outlets, story_lines, story_top_lines
from bot.store.story_queries import StoryArticle, StoryBrief, StoryItem

T0 = datetime(2026, 3, 3, 9, 30, tzinfo=timezone.utc)


def _item(n: int, text: str, speaker: str | None = None) -> StoryItem:
    return StoryItem(id=n, text=text, speaker=speaker, role=None, member_ids=[n], brief_ids=[1], article_ids=[1],
                     outlets=["Northwire"], first_stored=T0 + timedelta(minutes=n))


def _story(claims: int, quotes: int, articles: int = 1) -> StoryBrief:
    arts = [StoryArticle(article_id=i + 1, brief_id=i + 1, title=f"Harbour talks, part {i + 1}",
                         link=f"https://northwire.example/harbour-{i + 1}", published=T0, stored_at=T0,
                         outlets=["Northwire"]) for i in range(articles)]
    return StoryBrief(id=7, title="Harbour talks", created_at=T0, updated_at=T0, articles=arts,
                      claims=[_item(i, f"Claim {i}: the harbour delegation restated its terms " + "at length " * 20)
                              for i in range(claims)],
                      quotes=[_item(100 + i, f"Quote {i}: we will hold the pier", "Ilse Varga") for i in range(quotes)])


def test_a_short_story_is_shown_whole() -> None:
    lines = story_lines(_story(2, 1))
    assert lines[:3] == ["Story #7: Harbour talks", "1 article · 1 outlet: Northwire · updated 3 Mar 2026 09:30 UTC",
                         "Claims:"]
    assert lines[-2:] == ["Articles:", "[1] Harbour talks, part 1 · Northwire · 3 Mar 2026 09:30 UTC · "
                                       "https://northwire.example/harbour-1"]
    assert not any(line.startswith("… +") for line in lines)


def test_a_long_story_is_cut_to_one_message_keeping_every_section() -> None:
    lines = story_lines(_story(60, 4, articles=3))
    text = "\n".join(lines)
    assert len(text) <= MESSAGE_BUDGET
    assert "Quotes:" in lines and "Articles:" in lines and len([x for x in lines if x.startswith("• “Quote")]) == 4
    shown = sum(line.startswith("• Claim") for line in lines)
    assert 5 < shown < 60 and f"… +{60 - shown} more claims" in lines


def test_top_lines_point_to_the_rest() -> None:
    lines = story_top_lines(_story(5, 2), budget=600)
    assert lines[-1].startswith("+") and lines[-1].endswith("in the full brief: story 7")
    assert sum(len(x) + 1 for x in lines) <= 600


def test_item_line_and_short_outlets() -> None:
    item = StoryItem(id=1, text="We will hold the pier", speaker="Ilse Varga", role="mediator", member_ids=[1, 4],
                     brief_ids=[1, 2], article_ids=[1, 2], outlets=["Northwire", "Eastgate"], first_stored=T0)
    assert item_line(item, {1: 1, 2: 3}) == ("• “We will hold the pier” — Ilse Varga (mediator) — "
                                           "Northwire, Eastgate [1, 3]")
    assert item_line(item) == "• “We will hold the pier” — Ilse Varga (mediator) — Northwire, Eastgate"
    assert short_outlets(["A", "B", "C", "D", "E"]) == "A, B, C +2 more" and short_outlets([]) == ""
