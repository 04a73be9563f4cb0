"""Migrations create the schema the models describe, on SQLite and PostgreSQL, and round-trip down and up."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.store import database_url, downgrade, make_engine, open_store, upgrade
from bot.store.db import current_revision, head_revision
from bot.store.schema import Base

TABLES = {"feeds", "articles", "feed_articles", "item_keys", "briefs", "claims", "quotes", "channels", "subscriptions",
          "deliveries", "stories", "article_signals", "story_quotes", "story_claims"}


def _tables(engine: object) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_open_store_creates_every_table_at_head(db_url: str) -> None:
    store = open_store(db_url)
    try:
        assert _tables(store.engine) == TABLES == set(Base.metadata.tables)
        assert current_revision(store.engine) == head_revision() == "0004"
    finally:
        store.close()


def test_migrations_match_the_models(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        store.close()


def test_downgrade_and_upgrade_round_trip(db_url: str) -> None:
    store = open_store(db_url)
    feed, _ = store.add_feed("https://northwire.example/rss/world", "Northwire World")
    engine = store.engine
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert _tables(engine) == TABLES
    assert store.list_feeds() == []  # the data went with the tables; the schema is back
    again, created = store.add_feed(feed.url, feed.name)
    assert created and again.url == feed.url
    store.close()


def test_reopening_is_a_no_op_and_keeps_data(db_url: str) -> None:
    first = open_store(db_url)
    first.add_feed("https://dailyledger.example/feeds/talks.xml", "Daily Ledger")
    first.close()
    second = open_store(db_url)
    try:
        assert [f.name for f in second.list_feeds()] == ["Daily Ledger"]
    finally:
        second.close()


def test_concurrent_starts_migrate_once(db_url: str) -> None:
    errors: list[BaseException] = []
    stores = []

    def start() -> None:
        try:
            stores.append(open_store(db_url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _tables(stores[0].engine) == TABLES
    for s in stores:
        s.close()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nested/dir/bot.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_database_url_defaults_and_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFBOT_DATABASE_URL", raising=False)
    assert database_url().get_backend_name() == "sqlite"
    assert database_url("postgresql://bot@db/briefs").drivername == "postgresql+psycopg"
    assert database_url("postgres://bot@db/briefs").drivername == "postgresql+psycopg"
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", "postgresql://bot@db/other")
    assert database_url().database == "other"


def test_foreign_keys_are_enforced(store: object) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        store._db.write(lambda s: s.execute(  # type: ignore[attr-defined]
            text("INSERT INTO feed_articles (feed_id, article_id, seen_at) VALUES (999, 999, :t)"),
            {"t": datetime(2025, 12, 15)},
        ))


def test_naive_datetimes_are_refused(store: object) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.upsert_article("guid:naive", published=datetime(2025, 12, 15, 9, 0))  # type: ignore[attr-defined]


def test_0004_rekeys_unnamed_sources_and_leaves_people_alone(db_url: str) -> None:
    from bot.brief.types import Brief, Quote

    store = open_store(db_url)
    article, _ = store.upsert_article("guid:rekey", title="Envoys meet in Geneva")
    said = [("We are closer than a week ago", "Two European diplomats", "two-european-diplomats"),
            ("Nothing is agreed until everything is", "Rustem Umerov", "umerov")]
    store.save_brief(article.id, Brief(title="Envoys meet in Geneva", claims=[], text="", quotes=[
        Quote(text=t, speaker=s, speaker_key=k, role=None, cue="said", method="cue", confidence=0.9)
        for t, s, k in said]))
    engine = store.engine
    downgrade(engine, "0003")
    upgrade(engine)
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT speaker, speaker_key FROM quotes")).all())
    assert keys == {"Two European diplomats": "european-diplomat", "Rustem Umerov": "umerov"}
    store.close()
