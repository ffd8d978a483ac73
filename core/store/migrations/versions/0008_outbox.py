"""The outbox in the store: messages written while no ``[mail]`` is configured, visible
from every machine that shares the store and sent later by ``naptip outbox send``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_outbox"
down_revision = "0007_evidence_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("batch", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("host", sa.String(length=120), nullable=False),
        sa.Column("to_email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(op.f("ix_outbox_message_batch"), "outbox_message", ["batch"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_batch"), table_name="outbox_message")
    op.drop_table("outbox_message")
