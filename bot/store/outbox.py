"""Exactly-once, in-order delivery of stored briefs to chat channels (a transactional outbox with leases).

`Store.save_brief` writes one `pending` delivery per subscribed channel in the brief's own transaction, numbered
per channel (`seq`). A sender loop, per platform:

    for d in outbox.recover_in_flight(platform, lease_seconds=L):   # rows a crashed sender left mid-post
        if adapter.find(d.address, d.idempotency_key)  -> outbox.mark_sent(d.id, d.lease, remote_id)
        else: post again (same key) as below
    for d in outbox.claim_next(platform, lease_seconds=L):          # at most one per channel: its oldest open row
        if outbox.begin_attempt(d.id, d.lease, lease_seconds=L) is None: continue   # lease lost: do NOT post
        try:    remote_id = adapter.post(d.address, store.get_brief(d.brief_id), key=d.idempotency_key)
        except  rejected, not posted (429, 5xx):  outbox.mark_retry(d.id, d.lease, str(err), retry_after=...)
        except  permanent (channel gone, 403):    outbox.mark_failed(d.id, str(err), d.lease)  # next row may go
        except  unknown outcome (timeout after sending): do nothing; the row is recovered like a crash
        else:   outbox.mark_sent(d.id, d.lease, remote_id)
    sleep until outbox.next_wakeup(platform) (or a new brief)

Call recover_in_flight at start and on every round: it also picks up rows of other senders that died.

With stories on, `save_brief(hold=True)` writes the rows `held` (they block their channel, so order is kept) and
`release` turns them `pending` once the article is placed in its story (or `skipped`: an update with nothing new).
The sender asks `thread_root` for the message that opened the story in the channel and replies in its thread.

States: [held ->] pending -> leased (claimed, nothing posted) -> attempting (about to post; recorded and committed BEFORE the
request leaves) -> sent | failed, or back to pending with exponential backoff. A channel's next delivery is never
handed out while an earlier one is open, so order is kept; a lease (random token + expiry) keeps two senders off one
row, and an expired `leased` row is simply claimed again (it was never posted). `lease_seconds` must exceed the
adapter's whole request timeout.

The one window a database cannot close is "posted, but the process died before mark_sent": the row stays
`attempting` and `recover_in_flight` hands it out once its lease expires. The adapter resolves it with the
idempotency key (24 hex chars, fixed for the delivery's lifetime, so every retry reuses it):
  * Discord: send it as the message `nonce` with `enforce_nonce: true`; a repost within Discord's dedup window
    (a few minutes) returns the existing message instead of creating a second one. Also put the key where it can be
    read back later (e.g. the embed footer or URL) and scan the channel's recent bot messages when older.
  * Slack: send `metadata={"event_type": "briefbot_delivery", "event_payload": {"key": key}}` with
    chat.postMessage; on recovery read conversations.history (include_all_metadata=true, oldest = a little before the
    attempt) and treat a message with that key as sent (its `ts` is the remote id).
  * Console / files: look for the key in what was written (the console adapter cannot look back: at most one
    duplicate line after a crash in that window).
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from bot.store.records import Delivery
from bot.store.schema import (
    ATTEMPTING,
    FAILED,
    HELD,
    LEASED,
    OPEN_STATES,
    PENDING,
    SENT,
    SKIPPED,
    Channel,
    DeliveryRow,
)
from bot.store.threads import LIVE, channel_news, earlier_in_channel
from bot.store.tx import Database, affected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: base * factor**(attempt-1) seconds, capped, with +-jitter (a fraction)."""

    base: float = 5.0
    factor: float = 2.0
    cap: float = 900.0
    jitter: float = 0.1

    def delay(self, attempt: int) -> float:
        raw = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        return max(0.0, raw * (1 + random.uniform(-self.jitter, self.jitter)))


DEFAULT_BACKOFF = Backoff()


class Outbox:
    """The delivery queue of every platform; each method is one short transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def claim_next(self, platform: str, *, lease_seconds: float = 60.0, limit: int | None = None) -> list[Delivery]:
        """Lease, for each channel of `platform`, its oldest open delivery if it is due and free."""
        def run(s: Session) -> list[Delivery]:
            now = self._db.clock()
            due = [d for d in _heads(s, platform) if (d.status == PENDING and d.next_attempt_at <= now)
                   or (d.status == LEASED and _expired(d, now))]
            return [x for x in (self._lease(s, d, now, lease_seconds) for d in due[:limit]) if x is not None]
        return self._db.write(run)

    def recover_in_flight(self, platform: str, *, lease_seconds: float = 60.0) -> list[Delivery]:
        """Lease to the caller the `attempting` rows whose sender's lease ran out (it crashed or hung mid-post)."""
        def run(s: Session) -> list[Delivery]:
            now = self._db.clock()
            stale = [d for d in _heads(s, platform) if d.status == ATTEMPTING and _expired(d, now)]
            return [x for x in (self._lease(s, d, now, lease_seconds) for d in stale) if x is not None]
        return self._db.write(run)

    def begin_attempt(self, delivery_id: int, lease: str, *, lease_seconds: float = 60.0) -> Delivery | None:
        """Record, before posting, that the post is about to happen; None if the lease was lost (then do not post)."""
        def run(s: Session) -> Delivery | None:
            row = _locked(s, delivery_id)
            if row is None or row.lease_token != lease or row.status not in (LEASED, ATTEMPTING):
                return None
            now = self._db.clock()
            row.status, row.attempts, row.attempted_at = ATTEMPTING, row.attempts + 1, now
            row.lease_expires_at = now + timedelta(seconds=lease_seconds)
            s.flush()
            return _record(row, s.get_one(Channel, row.channel_id))
        return self._db.write(run)

    def mark_sent(self, delivery_id: int, lease: str | None, remote_id: str | None) -> bool:
        """Record a post that happened. Accepted even from a lost lease (the post exists); False if already final."""
        def run(s: Session) -> bool:
            row = _locked(s, delivery_id)
            if row is None or row.status not in OPEN_STATES:
                return False
            if row.lease_token != lease:
                log.warning("delivery %s marked sent by a lost lease (status %s)", delivery_id, row.status)
            row.status, row.remote_id, row.lease_token = SENT, remote_id, None
            row.finished_at = self._db.clock()
            return True
        return self._db.write(run)

    def mark_retry(
        self,
        delivery_id: int,
        lease: str,
        error: str,
        backoff: Backoff = DEFAULT_BACKOFF,
        *,
        retry_after: float | None = None,
    ) -> datetime | None:
        """Put a failed (not posted) delivery back in the queue; returns when it is due again, None if lease lost.

        The wait is backoff.delay(attempts), or the platform's `retry_after` seconds when that is longer.
        """
        def run(s: Session) -> datetime | None:
            row = _locked(s, delivery_id)
            if row is None or row.lease_token != lease or row.status not in (LEASED, ATTEMPTING):
                return None
            wait = max(backoff.delay(max(1, row.attempts)), retry_after or 0.0)
            row.status, row.lease_token, row.lease_expires_at = PENDING, None, None
            row.next_attempt_at = self._db.clock() + timedelta(seconds=wait)
            row.last_error = error[:2000]
            return row.next_attempt_at
        return self._db.write(run)

    def mark_failed(self, delivery_id: int, reason: str, lease: str | None = None) -> bool:
        """Give up on a delivery for good (permanent error); the channel's next delivery may then proceed."""
        def run(s: Session) -> bool:
            row = _locked(s, delivery_id)
            if row is None or row.status not in OPEN_STATES or (lease is not None and row.lease_token != lease):
                return False
            row.status, row.lease_token, row.last_error = FAILED, None, reason[:2000]
            row.finished_at = self._db.clock()
            return True
        return self._db.write(run)

    def release(self, brief_id: int, story_id: int | None, *, skip_quiet: bool = False) -> int:
        """Hand a placed brief's held deliveries to the sender, tagged with its story; returns how many.

        With `skip_quiet` (config: post nothing for an update with nothing new) a channel's row is `skipped` when
        the channel was already given the story and every claim and quote of this brief with it; a channel that
        follows other feeds than the story's first may still get the brief, in full or as an update.
        """
        def run(s: Session) -> int:
            now = self._db.clock()
            rows = list(s.scalars(select(DeliveryRow).where(DeliveryRow.brief_id == brief_id,
                                                             DeliveryRow.status == HELD).with_for_update()))
            for row in rows:
                row.story_id = story_id
                if skip_quiet and story_id is not None and _quiet_for_channel(s, row):
                    row.status, row.finished_at, row.last_error = SKIPPED, now, "nothing new for its story"
                else:
                    row.status, row.next_attempt_at = PENDING, now
            return len(rows)
        return self._db.write(run)

    def channel_news(self, delivery: Delivery) -> tuple[list[int], list[int]]:
        """Positions of the delivery's claims and quotes its channel was not shown yet in the story (posts so far)."""
        def run(s: Session) -> tuple[list[int], list[int]]:
            row = s.get_one(DeliveryRow, delivery.id)
            return channel_news(s, row) if row.story_id is not None else ([], [])
        return self._db.read(run)

    def held_briefs(self, limit: int = 500) -> list[int]:
        """Briefs with deliveries still held for story placement (a crash came between saving and placing)."""
        stmt = (select(DeliveryRow.brief_id).where(DeliveryRow.status == HELD).group_by(DeliveryRow.brief_id)
                .order_by(DeliveryRow.brief_id).limit(limit))
        return self._db.read(lambda s: list(s.scalars(stmt)))

    def thread_root(self, delivery: Delivery) -> str | None:
        """The remote id of the post that opened `delivery`'s story in its channel: the story's earliest delivery
        there that was posted (None when the delivery has no story or is the story's first in the channel)."""
        if delivery.story_id is None:
            return None
        stmt = (select(DeliveryRow.remote_id).where(
            DeliveryRow.channel_id == delivery.channel_id, DeliveryRow.story_id == delivery.story_id,
            DeliveryRow.seq < delivery.seq, DeliveryRow.status == SENT, DeliveryRow.remote_id.is_not(None))
            .order_by(DeliveryRow.seq).limit(1))
        return self._db.read(lambda s: s.scalar(stmt))

    def next_wakeup(self, platform: str) -> datetime | None:
        """When something of `platform` next becomes claimable or recoverable (None: nothing open)."""
        def run(s: Session) -> datetime | None:
            times = [d.next_attempt_at if d.status == PENDING else d.lease_expires_at for d in _heads(s, platform)
                     if d.status != HELD]
            return min((t for t in times if t is not None), default=None)
        return self._db.read(run)

    def get(self, delivery_id: int) -> Delivery | None:
        stmt = select(DeliveryRow, Channel).join(Channel).where(DeliveryRow.id == delivery_id)
        return self._db.read(lambda s: next((_record(d, c) for d, c in s.execute(stmt)), None))

    def deliveries(
        self, *, platform: str | None = None, channel_id: int | None = None, status: str | None = None
    ) -> list[Delivery]:
        """Deliveries in channel and sequence order, optionally filtered."""
        stmt = select(DeliveryRow, Channel).join(Channel).order_by(Channel.id, DeliveryRow.seq)
        if platform is not None:
            stmt = stmt.where(Channel.platform == platform)
        if channel_id is not None:
            stmt = stmt.where(DeliveryRow.channel_id == channel_id)
        if status is not None:
            stmt = stmt.where(DeliveryRow.status == status)
        return self._db.read(lambda s: [_record(d, c) for d, c in s.execute(stmt)])

    def counts(self, platform: str | None = None) -> dict[str, int]:
        """Number of deliveries per status."""
        stmt = select(DeliveryRow.status, func.count()).join(Channel).group_by(DeliveryRow.status)
        if platform is not None:
            stmt = stmt.where(Channel.platform == platform)
        return dict(self._db.read(lambda s: list(s.execute(stmt))))

    def _lease(self, s: Session, d: Delivery, now: datetime, lease_seconds: float) -> Delivery | None:
        """Take over `d` if nobody changed it since it was read (compare-and-set on status and lease token)."""
        token = uuid.uuid4().hex
        expires = now + timedelta(seconds=lease_seconds)
        same_lease = DeliveryRow.lease_token.is_(None) if d.lease is None else DeliveryRow.lease_token == d.lease
        stmt = (
            update(DeliveryRow)
            .where(DeliveryRow.id == d.id, DeliveryRow.status == d.status, same_lease)
            .values(status=d.status if d.status == ATTEMPTING else LEASED, lease_token=token, lease_expires_at=expires)
            .execution_options(synchronize_session=False)
        )
        if affected(s.execute(stmt)) != 1:
            return None
        return replace(d, status=d.status if d.status == ATTEMPTING else LEASED, lease=token, lease_expires_at=expires)


def _heads(s: Session, platform: str) -> list[Delivery]:
    """Each channel's oldest open delivery (lowest seq not yet sent, failed or cancelled), by id."""
    first = (
        select(DeliveryRow.channel_id, func.min(DeliveryRow.seq).label("seq"))
        .where(DeliveryRow.status.in_(OPEN_STATES))
        .group_by(DeliveryRow.channel_id)
        .subquery()
    )
    stmt = (
        select(DeliveryRow, Channel)
        .join(Channel, Channel.id == DeliveryRow.channel_id)
        .join(first, and_(first.c.channel_id == DeliveryRow.channel_id, first.c.seq == DeliveryRow.seq))
        .where(Channel.platform == platform)
        .order_by(DeliveryRow.id)
    )
    return [_record(d, c) for d, c in s.execute(stmt)]


def _quiet_for_channel(s: Session, row: DeliveryRow) -> bool:
    """Whether the channel already has (or will have) the row's story and everything this brief would add to it."""
    if not earlier_in_channel(s, row, LIVE):
        return False
    claims, quotes = channel_news(s, row, LIVE)
    return not claims and not quotes


def _locked(s: Session, delivery_id: int) -> DeliveryRow | None:
    return s.get(DeliveryRow, delivery_id, with_for_update=True)


def _expired(d: Delivery, now: datetime) -> bool:
    return d.lease_expires_at is None or d.lease_expires_at <= now


def _record(d: DeliveryRow, c: Channel) -> Delivery:
    return Delivery(
        id=d.id, channel_id=d.channel_id, platform=c.platform, address=c.address, brief_id=d.brief_id, seq=d.seq,
        idempotency_key=d.idempotency_key, status=d.status, attempts=d.attempts, lease=d.lease_token,
        lease_expires_at=d.lease_expires_at, next_attempt_at=d.next_attempt_at, last_error=d.last_error,
        remote_id=d.remote_id, created_at=d.created_at, attempted_at=d.attempted_at, finished_at=d.finished_at,
        story_id=d.story_id,
    )
