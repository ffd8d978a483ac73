"""calendar publication ledger

Revision ID: 0004_calendars
Revises: 0003_contacts_reminders
Create Date: 2026-12-05

What the calendar feeds last published per UID (so SEQUENCE and LAST-MODIFIED grow only
when an entry changes, and an entry that left the plan is published as CANCELLED for a
while), and the unguessable file names of private (per-contact) feeds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_calendars"
down_revision = "0003_contacts_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_entry',
    sa.Column('uid', sa.String(length=250), nullable=False),
    sa.Column('occurrence_id', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('vevent', sa.Text(), nullable=False),
    sa.Column('vevent_support', sa.Text(), nullable=True),
    sa.Column('render_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('uid', name=op.f('pk_calendar_entry'))
    )
    op.create_table('calendar_link',
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_calendar_link')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_link_token'))
    )


def downgrade() -> None:
    op.drop_table('calendar_link')
    op.drop_table('calendar_entry')
