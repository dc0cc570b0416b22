"""events and open pixels

Events people sign up for and who signed up (what they gave stays on
subject_attributes, encrypted); e-mail open pixels, stored by the hash of their
random token, and the opens recorded under consent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("organisation_id", "key", name=op.f("uq_events_organisation_id_key")),
    )
    op.create_table(
        "event_signups",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_signups_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_event_signups_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "subject_id", name=op.f("pk_event_signups")),
    )
    with op.batch_alter_table("event_signups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_signups_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "mail_pixels",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("mailing", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_mail_pixels_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_mail_pixels_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_mail_pixels")),
    )
    with op.batch_alter_table("mail_pixels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_pixels_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "email_opens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_hash"],
            ["mail_pixels.token_hash"],
            name=op.f("fk_email_opens_token_hash_mail_pixels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_opens")),
    )
    with op.batch_alter_table("email_opens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_opens_token_hash"), ["token_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_opens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_opens_token_hash"))

    op.drop_table("email_opens")
    with op.batch_alter_table("mail_pixels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_pixels_subject_id"))

    op.drop_table("mail_pixels")
    with op.batch_alter_table("event_signups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_signups_subject_id"))

    op.drop_table("event_signups")
    op.drop_table("events")
