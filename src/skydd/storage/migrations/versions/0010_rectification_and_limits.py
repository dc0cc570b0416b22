"""rectification corrections, objection purpose, processing limits

A rectification request carries the corrected values (encrypted, like the rest of
who the request is from); an objection names the purpose. Restrictions, objections
and the direct-marketing suppression list are rows of ``processing_limits``, tied to
the request whose requester they limit.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("corrections_token", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("purpose", sa.String(length=200), nullable=True))
    op.create_table(
        "processing_limits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_because", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_processing_limits_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_processing_limits_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_limits")),
    )
    op.create_index(
        op.f("ix_processing_limits_organisation_id"),
        "processing_limits",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_processing_limits_request_id"), "processing_limits", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processing_limits_request_id"), table_name="processing_limits")
    op.drop_index(op.f("ix_processing_limits_organisation_id"), table_name="processing_limits")
    op.drop_table("processing_limits")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("purpose")
        batch.drop_column("corrections_token")
