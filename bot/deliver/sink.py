"""What an adapter implements to receive briefs from the outbox: post, check by idempotency key, notify."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import Delivery, StoredBrief


class DeliveryError(Exception):
    """A post that failed; `permanent` failures are not retried (e.g. channel not found, bot not in channel)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class AdapterStopped(Exception):
    """The adapter cannot go on (revoked or invalid token); the rest of the bot keeps running."""


class Sink(Protocol):
    """The outbound half of an adapter, for one platform."""

    platform: str

    async def post(self, delivery: Delivery, brief: StoredBrief) -> str:
        """Post `brief` to `delivery.address`, tagged with `delivery.idempotency_key`; return the message id.

        Raise DeliveryError for a failed post, AdapterStopped when the platform refuses the bot itself.
        """
        ...

    async def find_posted(self, delivery: Delivery) -> str | None:
        """After a crash mid-post: the id of a message already posted with this idempotency key, if any."""
        ...

    async def notify(self, address: str, text: str) -> None:
        """Post a short plain notice (feed paused, feed resumed, delivery failed) to a channel."""
        ...
