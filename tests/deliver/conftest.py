"""Sender fixtures: a real store on a SQLite file and, when BRIEFBOT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from bot.store import Store, open_store  # noqa: E402
from tests.deliver.sender_worker import store_update  # noqa: E402
from tests.fakes.databases import empty_database  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    with empty_database(request.param, tmp_path, "deliver") as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on the real clock (the sender sleeps in real time)."""
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def add_brief(store: Store) -> Callable[[int], int]:
    """Store the n-th fictional live-blog update with its brief; returns the brief id."""
    def add(n: int) -> int:
        brief_id = store_update(store, n)
        assert brief_id is not None, f"update {n} was stored before"
        return brief_id
    return add
