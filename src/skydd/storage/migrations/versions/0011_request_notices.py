"""when the person was told a request is complete

Completion notices are sent by a task of their own, after the request is completed,
and retried until the mail server takes them; ``notified_at`` is what is left to send.
Requests completed before this revision were told at once, when they completed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE requests SET notified_at = changed_at WHERE status = 'completed'"
    )


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("notified_at")
