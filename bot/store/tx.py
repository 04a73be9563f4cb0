"""Short read and write transactions with retry on lock contention, and the store's clock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
Clock = Callable[[], datetime]
log = logging.getLogger(__name__)

_RETRIES = 6
_PG_RETRY_CODES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def affected(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE."""
    return cast(CursorResult[Any], result).rowcount or 0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Database:
    """Runs functions in short transactions; SQLite writers take the write lock up front (BEGIN IMMEDIATE)."""

    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.dialect = engine.dialect.name
        writer = engine.execution_options(briefbot_begin="IMMEDIATE") if self.dialect == "sqlite" else engine
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in a read transaction (a consistent snapshot) and return its result."""
        return self._run(self._read_sessions, fn)

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in a write transaction and commit; retried whole on lock timeouts and deadlocks."""
        return self._run(self._write_sessions, fn)

    def insert_ignore(
        self, session: Session, model: type[Any], rows: Iterable[dict[str, Any]], keys: list[str] | None = None
    ) -> int:
        """INSERT rows of `model`, skipping those clashing on the unique `keys` (None: on any unique constraint)."""
        rows = list(rows)
        if not rows:
            return 0
        table = cast(Table, model.__table__)
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(table).values(rows).on_conflict_do_nothing(index_elements=keys)
        returning = stmt.returning(*table.primary_key.columns)  # rowcount is unreliable here: count returned rows
        return len(session.execute(returning).all())

    def _run(self, factory: sessionmaker[Session], fn: Callable[[Session], T]) -> T:
        for attempt in range(1, _RETRIES + 1):
            try:
                with factory() as session, session.begin():
                    return fn(session)
            except DBAPIError as exc:
                if attempt == _RETRIES or not self._transient(exc):
                    raise
                log.warning("transient database error (attempt %d): %s", attempt, exc.orig)
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _transient(self, exc: DBAPIError) -> bool:
        if self.dialect == "sqlite":
            return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()
        return getattr(exc.orig, "sqlstate", None) in _PG_RETRY_CODES
