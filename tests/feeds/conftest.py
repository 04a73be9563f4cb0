"""Fixtures for the feeds tests: a real local feed server and the feed fixture files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from tests.fakes.feed_server import FeedServer  # noqa: E402

FIXTURES = _ROOT / "tests" / "fixtures" / "feeds"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer(("127.0.0.1", "127.0.0.2")) as server:
        yield server


@pytest.fixture
def fixture_bytes() -> object:
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read
