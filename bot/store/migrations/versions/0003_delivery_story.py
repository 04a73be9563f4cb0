"""Story threads: deliveries.story_id (the story a delivery belongs to, set when its article is placed).

Like articles.story_id, the column has no foreign key (SQLite cannot add one without rebuilding the table);
stories are never deleted. New statuses "held" and "skipped" need no schema change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("story_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_deliveries_story_id"), "deliveries", ["story_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_story_id"), table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("story_id")
