"""What a channel was already shown of a story: the basis of its thread replies and of skipping quiet updates."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.schema import (
    ATTEMPTING,
    HELD,
    LEASED,
    PENDING,
    SENT,
    ClaimRow,
    DeliveryRow,
    QuoteRow,
    StoryClaim,
    StoryQuote,
)

LIVE = frozenset({HELD, PENDING, LEASED, ATTEMPTING, SENT})  # posted, or going to be
SHOWN = frozenset({SENT})


def earlier_in_channel(s: Session, row: DeliveryRow, statuses: Collection[str]) -> list[int]:
    """Briefs of the row's story delivered (in `statuses`) to its channel before it."""
    stmt = select(DeliveryRow.brief_id).where(
        DeliveryRow.channel_id == row.channel_id, DeliveryRow.story_id == row.story_id, DeliveryRow.seq < row.seq,
        DeliveryRow.status.in_(list(statuses)))
    return list(s.scalars(stmt))


def channel_news(s: Session, row: DeliveryRow, statuses: Collection[str] = SHOWN) -> tuple[list[int], list[int]]:
    """Positions of the row's brief's claims and quotes that its channel was not shown in this story yet.

    An item repeats one the channel saw when both have the same first occurrence in the story (canonical id).
    """
    earlier = earlier_in_channel(s, row, statuses)
    return (_new(s, ClaimRow, StoryClaim, StoryClaim.claim_id, row.brief_id, earlier),
            _new(s, QuoteRow, StoryQuote, StoryQuote.quote_id, row.brief_id, earlier))


def _new(s: Session, item: type[ClaimRow] | type[QuoteRow], link: type[StoryClaim] | type[StoryQuote],
         link_id: object, brief_id: int, earlier: list[int]) -> list[int]:
    shown: set[int] = set()
    if earlier:
        shown = set(s.scalars(select(link.canonical_id).join(item, item.id == link_id)  # type: ignore[arg-type]
                              .where(item.brief_id.in_(earlier))))
    mine = s.execute(select(item.position, link.canonical_id).outerjoin(link, link_id == item.id)  # type: ignore[arg-type]
                     .where(item.brief_id == brief_id).order_by(item.position)).all()
    return [pos for pos, canonical in mine if canonical is None or canonical not in shown]
