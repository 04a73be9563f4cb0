"""Stories: stories, article_signals, story_quotes, story_claims.

articles.story_id (created nullable and indexed in 0001) gets no foreign key: SQLite can only add one by
rebuilding `articles`, and with foreign keys on, dropping the old table would cascade to every brief. One
schema for both databases: the column holds a story id, and stories are never deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-06
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)
_FK = "fk_articles_story_id_stories"
_FK_SQL = f", CONSTRAINT {_FK} FOREIGN KEY(story_id) REFERENCES stories (id) ON DELETE SET NULL"


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("centroid", sa.LargeBinary()),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index(op.f("ix_stories_updated_at"), "stories", ["updated_at"])

    op.create_table(
        "article_signals",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_article_signals_article_id_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signals")),
    )
    op.create_index(op.f("ix_article_signals_at"), "article_signals", ["at"])

    for kind in ("quote", "claim"):
        table = f"story_{kind}s"
        op.create_table(
            table,
            sa.Column(f"{kind}_id", sa.Integer(), nullable=False),
            sa.Column("story_id", sa.Integer(), nullable=False),
            sa.Column("canonical_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([f"{kind}_id"], [f"{kind}s.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_{kind}_id_{kind}s")),
            sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_story_id_stories")),
            sa.ForeignKeyConstraint(["canonical_id"], [f"{kind}s.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_canonical_id_{kind}s")),
            sa.PrimaryKeyConstraint(f"{kind}_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_story_id"), table, ["story_id"])
        op.create_index(op.f(f"ix_{table}_canonical_id"), table, ["canonical_id"])

    if op.get_bind().dialect.name == "sqlite":
        _sqlite_articles_sql(lambda sql: sql.rstrip()[:-1].rstrip() + _FK_SQL + "\n)")
    else:
        op.create_foreign_key(op.f(_FK), "articles", "stories", ["story_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_articles_sql(lambda sql: sql.replace(_FK_SQL, ""))
    else:
        op.drop_constraint(op.f(_FK), "articles", type_="foreignkey")
    for table in ("story_claims", "story_quotes", "article_signals", "stories"):
        op.drop_table(table)


def _sqlite_articles_sql(edit: object) -> None:
    """Add or drop a foreign key of `articles` in place (SQLite's documented writable_schema procedure).

    Batch mode would copy and drop `articles`; with foreign keys on, dropping it cascades to every brief.
    A foreign key does not change how rows are stored, so editing the table's CREATE statement is enough.
    """
    conn = op.get_bind()
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'").scalar()
    new_sql = edit(sql)  # type: ignore[operator]
    if new_sql == sql or not re.match(r"(?is)^\s*CREATE TABLE", new_sql):
        raise RuntimeError("unexpected CREATE TABLE statement of articles")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'articles'", (new_sql,))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")
