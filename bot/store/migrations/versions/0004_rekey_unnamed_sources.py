"""Re-key quotes by unnamed sources: "two European diplomats", "a diplomat in Moscow" and "one of the officials"
now share the key of "a European diplomat" / "an official", so speaker queries find them together.

Keys are derived from the stored speaker text, so this recomputes them with the key function of this release;
people's keys (surnames) do not change. Downgrade keeps the new keys (the old ones cannot be told apart).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.brief.speakers import speaker_key

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_BATCH = 1000


def upgrade() -> None:
    conn = op.get_bind()
    quotes = sa.table("quotes", sa.column("id", sa.Integer), sa.column("speaker", sa.Text),
                      sa.column("speaker_key", sa.String(200)))
    last = 0
    while True:
        rows = conn.execute(sa.select(quotes.c.id, quotes.c.speaker, quotes.c.speaker_key)
                            .where(quotes.c.id > last).order_by(quotes.c.id).limit(_BATCH)).all()
        if not rows:
            break
        changed = [{"row_id": r.id, "key": key} for r in rows
                   if r.speaker and r.speaker != "unknown" and (key := speaker_key(r.speaker)[:200]) != r.speaker_key]
        if changed:
            conn.execute(quotes.update().where(quotes.c.id == sa.bindparam("row_id"))
                         .values(speaker_key=sa.bindparam("key")), changed)
        last = rows[-1].id


def downgrade() -> None:
    pass
