"""one subject per identifier: unique blind indexes per organisation

Two first consents of a new person at the same moment (a double-clicked form, a
banner and a form) made two subjects of one person on PostgreSQL, after which every
change of theirs was a conflict. The blind indexes of e-mail, phone and personnummer
are now unique per organisation: the second insert fails, and finds the first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 03:30:00.000000
"""

from __future__ import annotations

from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = ("email_index", "phone_index", "personnummer_index")


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        for column in COLUMNS:
            batch.create_unique_constraint(
                op.f(f"uq_subjects_organisation_id_{column}"), ["organisation_id", column]
            )


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        for column in COLUMNS:
            batch.drop_constraint(op.f(f"uq_subjects_organisation_id_{column}"), type_="unique")
