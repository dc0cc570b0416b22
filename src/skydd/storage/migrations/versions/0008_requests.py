"""data subject requests and their e-mail codes

Requests keep their lifecycle (type, channel, status, the dates of Art. 12(3), who
extended, rejected or verified them and why) in plain columns, so queues and deadline
lists read no personal data; who the request is from is encrypted per field with blind
indexes, as on ``subjects``. The code table holds only a keyed hash of the last code
sent, with its attempts and sends (docs/decisions/0016-request-intake.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEXED = ("organisation_id", "status", "due_on", "key_id", "email_index", "phone_index",
            "personnummer_index")


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_due_on", sa.Date(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.Column("extended_because", sa.Text(), nullable=True),
        sa.Column("rejected_because", sa.Text(), nullable=True),
        sa.Column("verification_method", sa.String(length=20), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=200), nullable=True),
        sa.Column("verification_reason", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("name_token", sa.LargeBinary(), nullable=True),
        sa.Column("email_token", sa.LargeBinary(), nullable=True),
        sa.Column("email_index", sa.String(length=64), nullable=True),
        sa.Column("phone_token", sa.LargeBinary(), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("personnummer_token", sa.LargeBinary(), nullable=True),
        sa.Column("personnummer_index", sa.String(length=64), nullable=True),
        sa.Column("details_token", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_requests_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_requests_reference")),
    )
    for column in _INDEXED:
        op.create_index(op.f(f"ix_requests_{column}"), "requests", [column], unique=False)
    op.create_table(
        "request_codes",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_codes_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_codes")),
    )


def downgrade() -> None:
    op.drop_table("request_codes")
    for column in _INDEXED:
        op.drop_index(op.f(f"ix_requests_{column}"), table_name="requests")
    op.drop_table("requests")
