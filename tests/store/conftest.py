"""Store fixtures: every store test runs on a SQLite file and, when BRIEFBOT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store, open_store
from store_samples import FakeClock
from tests.fakes.databases import empty_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    with empty_database(request.param, tmp_path, "store") as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated store on a fake clock."""
    s = open_store(db_url, clock=clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def live_store(db_url: str) -> Iterator[Store]:
    """A migrated store on the real clock (for threads and subprocesses)."""
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
