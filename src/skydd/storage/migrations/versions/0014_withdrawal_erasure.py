"""the scope of an erasure a withdrawal of consent made due

An erasure request made by a withdrawal of consent erases only what that consent
allowed: the categories per system, as JSON (register keys, no personal data).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("erasure_scope", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("erasure_scope")
