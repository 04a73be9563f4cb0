"""Sender fixtures: a real store on a SQLite file and, when BRIEFBOT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # lets `tests.fakes` import however pytest is launched
    sys.path.insert(0, str(_ROOT))

from bot.store import Store, database_url, make_engine, open_store  # noqa: E402
from tests.deliver.sender_worker import store_update  # noqa: E402

PG_ENV = "BRIEFBOT_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/deliver.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"briefbot_deliver_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:  # the variable is set: an unreachable server is a failure, not a skip
        admin.dispose()
        pytest.fail(f"PostgreSQL from {PG_ENV} is unreachable: {exc}")
    url = database_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
