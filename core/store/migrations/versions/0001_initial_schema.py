"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-30

The store of NAPTIP 3.0 work: occurrences and their history, contacts, evidence with
values, breakdowns, attachments and reviews, reminders sent, and the hash-chained audit log
(its head row is seeded with the genesis hash).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64  # the prev_hash of the first audit entry


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_log_prev_hash'))
    )
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('committee', sa.String(length=80), nullable=True),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact')),
    sa.UniqueConstraint('email', name=op.f('uq_contact_email'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_committee'), ['committee'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('occurrence',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('plan_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('support', sa.JSON(), nullable=False),
    sa.Column('host', sa.String(length=80), nullable=True),
    sa.Column('activity_id', sa.String(length=120), nullable=True),
    sa.Column('duty_id', sa.String(length=120), nullable=True),
    sa.Column('pillar', sa.String(length=4), nullable=True),
    sa.Column('period', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('unshifted', sa.Date(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('progress', sa.String(length=12), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrence'))
    )
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_plan_due', ['plan_id', 'due'], unique=False)
        batch_op.create_index('ix_occurrence_status', ['plan_id', 'withdrawn', 'period', 'owner', 'pillar', 'progress', 'due'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('nil', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.String(length=120), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=120), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_evidence_occurrence_id_occurrence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_occurrence_status', ['occurrence_id', 'status'], unique=False)

    op.create_table('occurrence_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_occurrence_change_occurrence_id_occurrence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrence_change'))
    )
    with op.batch_alter_table('occurrence_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occurrence_change_occurrence_id'), ['occurrence_id'], unique=False)

    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_reminder_sent_occurrence_id_occurrence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('occurrence_id', 'stage', 'recipient', name=op.f('uq_reminder_sent_occurrence_id'))
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_attachment_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('breakdown',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_breakdown_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakdown')),
    sa.UniqueConstraint('evidence_id', 'indicator', 'dimension', 'category', name=op.f('uq_breakdown_evidence_id'))
    )
    op.create_table('evidence_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('percentage', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('flag', sa.Boolean(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_value_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_value')),
    sa.UniqueConstraint('evidence_id', 'indicator', name=op.f('uq_evidence_value_evidence_id'))
    )
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewer', sa.String(length=120), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_review_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_evidence_id'), ['evidence_id'], unique=False)



    audit_head = sa.table("audit_head", sa.column("id", sa.Integer),
                          sa.column("seq", sa.BigInteger), sa.column("hash", sa.String))
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_evidence_id'))

    op.drop_table('review')
    op.drop_table('evidence_value')
    op.drop_table('breakdown')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_evidence_id'))

    op.drop_table('attachment')
    op.drop_table('reminder_sent')
    with op.batch_alter_table('occurrence_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occurrence_change_occurrence_id'))

    op.drop_table('occurrence_change')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_occurrence_status')

    op.drop_table('evidence')
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_status')
        batch_op.drop_index('ix_occurrence_plan_due')

    op.drop_table('occurrence')
    op.drop_table('meta')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_committee'))

    op.drop_table('contact')
    op.drop_table('audit_log')
    op.drop_table('audit_head')
