"""Contacts with languages, roles and extra URLs; a claim ledger for reminders.

The contact's single committee/role/target columns become ``roles`` (``ROLE:SCOPE``
texts) and ``urls`` (apprise URLs with ``${ENV}`` secrets), plus ``language``;
``reminder_sent`` gains the message key, the claim time and the next retry time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_contacts_reminders"
down_revision = "0002_trusted_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_committee"))
        batch_op.drop_column("committee")
        batch_op.drop_column("role")
        batch_op.drop_column("target")
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=False,
                                      server_default="en"))
        batch_op.add_column(sa.Column("roles", sa.JSON(), nullable=False,
                                      server_default="[]"))
        batch_op.add_column(sa.Column("urls", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)
        batch_op.alter_column("roles", server_default=None)
        batch_op.alter_column("urls", server_default=None)
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index(batch_op.f("ix_reminder_sent_batch"), ["batch"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_sent_batch"))
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("batch")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("urls")
        batch_op.drop_column("roles")
        batch_op.drop_column("language")
        batch_op.add_column(sa.Column("target", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=30), nullable=False,
                                      server_default="member"))
        batch_op.add_column(sa.Column("committee", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_contact_committee"), ["committee"], unique=False)
