"""Initial schema: feeds, articles and their keys, briefs, claims, quotes, channels, subscriptions, deliveries.

Revision ID: 0001
Revises:
Create Date: 2025-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_polled_at", _TS),
        sa.Column("last_ok_at", _TS),
        sa.Column("next_poll_at", _TS),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    op.create_index(op.f("ix_feeds_next_poll_at"), "feeds", ["next_poll_at"])

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_key", sa.Text(), nullable=False),
        sa.Column("first_feed_id", sa.Integer()),
        sa.Column("story_id", sa.Integer()),
        sa.Column("title", sa.Text()),
        sa.Column("link", sa.Text()),
        sa.Column("published", _TS),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("kept", sa.Boolean()),
        sa.Column("filter_reason", sa.Text()),
        sa.Column("filter_score", sa.Float()),
        sa.Column("filtered_at", _TS),
        sa.ForeignKeyConstraint(["first_feed_id"], ["feeds.id"], ondelete="SET NULL",
                                name=op.f("fk_articles_first_feed_id_feeds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_articles_identity_key")),
    )
    op.create_index(op.f("ix_articles_first_feed_id"), "articles", ["first_feed_id"])
    op.create_index(op.f("ix_articles_published"), "articles", ["published"])
    op.create_index(op.f("ix_articles_story_id"), "articles", ["story_id"])

    op.create_table(
        "feed_articles",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE",
                                name=op.f("fk_feed_articles_feed_id_feeds")),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_feed_articles_article_id_articles")),
        sa.PrimaryKeyConstraint("feed_id", "article_id", name=op.f("pk_feed_articles")),
    )
    op.create_index(op.f("ix_feed_articles_article_id"), "feed_articles", ["article_id"])

    op.create_table(
        "item_keys",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer()),
        sa.Column("feed_id", sa.Integer()),
        sa.Column("seen_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_item_keys_article_id_articles")),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="SET NULL",
                                name=op.f("fk_item_keys_feed_id_feeds")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_item_keys")),
    )
    op.create_index(op.f("ix_item_keys_article_id"), "item_keys", ["article_id"])

    op.create_table(
        "briefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("mode", sa.String(40), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_briefs_article_id_articles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefs")),
        sa.UniqueConstraint("article_id", name=op.f("uq_briefs_article_id")),
    )
    op.create_index(op.f("ix_briefs_created_at"), "briefs", ["created_at"])

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"], ondelete="CASCADE",
                                name=op.f("fk_claims_brief_id_briefs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("brief_id", "position", name=op.f("uq_claims_brief_id_position")),
    )

    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=False),
        sa.Column("speaker_key", sa.String(200), nullable=False),
        sa.Column("role", sa.Text()),
        sa.Column("cue", sa.Text()),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"], ondelete="CASCADE",
                                name=op.f("fk_quotes_brief_id_briefs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("brief_id", "position", name=op.f("uq_quotes_brief_id_position")),
    )
    op.create_index(op.f("ix_quotes_speaker_key"), "quotes", ["speaker_key"])

    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("next_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("platform", "address", name=op.f("uq_channels_platform_address")),
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer()),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="CASCADE",
                                name=op.f("fk_subscriptions_channel_id_channels")),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE",
                                name=op.f("fk_subscriptions_feed_id_feeds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("channel_id", "feed_id", name=op.f("uq_subscriptions_channel_id_feed_id")),
    )
    op.create_index(op.f("ix_subscriptions_feed_id"), "subscriptions", ["feed_id"])
    op.create_index("uq_subscriptions_channel_id_story", "subscriptions", ["channel_id"], unique=True,
                    sqlite_where=sa.text("feed_id IS NULL"), postgresql_where=sa.text("feed_id IS NULL"))

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lease_token", sa.String(40)),
        sa.Column("lease_expires_at", _TS),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("remote_id", sa.Text()),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("attempted_at", _TS),
        sa.Column("finished_at", _TS),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="CASCADE",
                                name=op.f("fk_deliveries_channel_id_channels")),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"], ondelete="CASCADE",
                                name=op.f("fk_deliveries_brief_id_briefs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("channel_id", "seq", name=op.f("uq_deliveries_channel_id_seq")),
        sa.UniqueConstraint("channel_id", "brief_id", name=op.f("uq_deliveries_channel_id_brief_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
    )
    op.create_index(op.f("ix_deliveries_brief_id"), "deliveries", ["brief_id"])
    op.create_index("ix_deliveries_status_channel_id_seq", "deliveries", ["status", "channel_id", "seq"])


def downgrade() -> None:
    for table in ("deliveries", "subscriptions", "channels", "quotes", "claims", "briefs", "item_keys",
                  "feed_articles", "articles", "feeds"):
        op.drop_table(table)
