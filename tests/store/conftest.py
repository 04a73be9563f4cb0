"""Store fixtures: every store test runs on a SQLite file and, when BRIEFBOT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.store import Store, database_url, make_engine, open_store
from store_samples import FakeClock

PG_ENV = "BRIEFBOT_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"briefbot_test_{uuid.uuid4().hex[:12]}"
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
