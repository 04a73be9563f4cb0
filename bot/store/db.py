"""Engine creation (SQLite WAL or PostgreSQL via psycopg 3), Alembic migrations run on start, and `open_store`."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from bot.store.repo import Store
from bot.store.tx import Clock, Database, utcnow

DEFAULT_URL = "sqlite:///briefbot.db"
URL_ENV = "BRIEFBOT_DATABASE_URL"
BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x62726266  # advisory lock serialising concurrent migrations of one PostgreSQL database


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: `url`, else $BRIEFBOT_DATABASE_URL, else a SQLite file; bare postgresql:// gets psycopg 3."""
    parsed = make_url(url or os.environ.get(URL_ENV) or DEFAULT_URL)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine with the store's connection settings (SQLite: WAL, busy_timeout, foreign keys; own BEGIN)."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = FULL")  # an `attempting` mark must be on disk before the post
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("briefbot_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL. That takes an exclusive lock for which SQLite does not call the busy handler, so
    several processes opening a new database at once can get "database is locked": wait as busy_timeout would."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`; concurrent starters wait for each other."""
    _migrate(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" drops every table)."""
    _migrate(engine, lambda cfg: command.downgrade(cfg, revision))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _migrate(engine: Engine, run: Any) -> None:
    locked = engine.execution_options(briefbot_begin="IMMEDIATE")
    with locked.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        run(alembic_config(conn))


def open_store(url: str | URL | None = None, *, clock: Clock = utcnow, migrate: bool = True) -> Store:
    """Connect to the database at `url` (see `database_url`), apply pending migrations and return the Store."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(Database(engine, clock))
