"""Empty test databases: a SQLite file, or a fresh PostgreSQL schema when BRIEFBOT_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.store import Store, database_url, make_engine, open_store

PG_ENV = "BRIEFBOT_TEST_DATABASE_URL"


@contextmanager
def empty_database(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"); PostgreSQL's schema is dropped after.

    Without BRIEFBOT_TEST_DATABASE_URL the PostgreSQL case skips; with it, an unreachable server fails the test.
    """
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/{name}.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"briefbot_{name}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL from {PG_ENV} is unreachable: {exc}")
    url = database_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def empty_store(kind: str, tmp_path: Path, name: str, **options: Any) -> Iterator[Store]:
    """A migrated store on an `empty_database` of `kind`, closed afterwards; `options` go to open_store."""
    with empty_database(kind, tmp_path, name) as url:
        store = open_store(url, **options)
        try:
            yield store
        finally:
            store.close()
