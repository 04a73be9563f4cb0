"""Who is asking, where, and the services a command may use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from bot.store import Store


class TextEncoder(Protocol):
    """Anything with `encode(texts) -> (n, dim) unit vectors`, such as bot.brief.models.Encoder."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


Embedder = TextEncoder | Callable[[list[str]], np.ndarray]
FeedsChanged = Callable[[], Awaitable[None] | None]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class CommandContext:
    """One command's surroundings: the store, the channel (platform + address) and user, and what they may do.

    `encoder` embeds search queries (None: search by words only). `on_feeds_changed` is called after a feed is
    added or removed. `timezone` (an IANA name) sets what "today" means for `digest` and how dates are shown.
    `stories_window_hours` is how recently a story must have been updated to be listed by `stories`.
    """

    store: Store
    platform: str
    channel: str
    user: str
    is_admin: bool = False
    encoder: Embedder | None = None
    allow_private: bool = False
    on_feeds_changed: FeedsChanged | None = None
    timezone: str = "UTC"
    stories_window_hours: int = 48
    clock: Callable[[], datetime] = field(default=_utcnow)

    @property
    def tz(self) -> tzinfo:
        return timezone.utc if self.timezone.upper() == "UTC" else ZoneInfo(self.timezone)

    def embed(self, text: str) -> np.ndarray | None:
        """The query's unit vector, or None without an encoder (blocking: run it in a thread)."""
        if self.encoder is None:
            return None
        encode: Any = getattr(self.encoder, "encode", self.encoder)
        vectors = np.asarray(encode([text]), dtype=np.float32)
        return vectors.reshape(-1) if vectors.size else None
