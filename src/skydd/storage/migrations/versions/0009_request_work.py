"""request steps and answers

Each verified request gets one step per system of the register: a connector run or a
manual task, with its (encrypted) result, so a worker that dies resumes with what is
still pending. An access or portability answer is stored encrypted and fetched by a
link whose secret is stored only as a keyed hash, with an expiry and a download count.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("result_token", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_steps_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_steps")),
    )
    op.create_index(
        op.f("ix_request_steps_request_id"), "request_steps", ["request_id"], unique=False
    )
    op.create_index(op.f("ix_request_steps_key_id"), "request_steps", ["key_id"], unique=False)
    op.create_table(
        "request_answers",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("downloads_left", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("file_token", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_answers_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_answers")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_request_answers_secret_hash")),
    )
    op.create_index(
        op.f("ix_request_answers_key_id"), "request_answers", ["key_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_answers_key_id"), table_name="request_answers")
    op.drop_table("request_answers")
    op.drop_index(op.f("ix_request_steps_key_id"), table_name="request_steps")
    op.drop_index(op.f("ix_request_steps_request_id"), table_name="request_steps")
    op.drop_table("request_steps")
