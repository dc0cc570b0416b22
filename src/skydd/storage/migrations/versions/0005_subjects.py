"""data subjects: encrypted identifiers with blind indexes, encrypted attributes

The people skydd keeps data about (requesters, subscribers, applicants). Every
personal field is an AES-256-GCM token (``*_token``) bound to its row and column;
identifiers also have a blind index (``*_index``, keyed HMAC) for lookup. ``key_id``
names the master key the row's tokens are under, so ``skydd keys rotate`` selects the
rows still to move with an indexed query (docs/decisions/0010-field-encryption.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("name_token", sa.LargeBinary(), nullable=True),
        sa.Column("email_token", sa.LargeBinary(), nullable=True),
        sa.Column("email_index", sa.String(length=64), nullable=True),
        sa.Column("phone_token", sa.LargeBinary(), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("personnummer_token", sa.LargeBinary(), nullable=True),
        sa.Column("personnummer_index", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_subjects_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    for column in ("organisation_id", "key_id", "email_index", "phone_index", "personnummer_index"):
        op.create_index(op.f(f"ix_subjects_{column}"), "subjects", [column], unique=False)
    op.create_table(
        "subject_attributes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("value_token", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_attributes_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_attributes")),
        sa.UniqueConstraint(
            "subject_id", "category", name=op.f("uq_subject_attributes_subject_id_category")
        ),
    )
    op.create_index(
        op.f("ix_subject_attributes_key_id"), "subject_attributes", ["key_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_subject_attributes_key_id"), table_name="subject_attributes")
    op.drop_table("subject_attributes")
    for column in ("personnummer_index", "phone_index", "email_index", "key_id", "organisation_id"):
        op.drop_index(op.f(f"ix_subjects_{column}"), table_name="subjects")
    op.drop_table("subjects")
