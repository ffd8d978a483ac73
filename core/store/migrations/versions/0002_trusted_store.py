"""trusted store: held changes, money in sen

Revision ID: 0002_trusted_store
Revises: 0001
Create Date: 2026-12-05

- ``held_change``: what a sync wanted to change in an occurrence whose date had passed
  (the past is kept; the attempt is recorded and shown by ``schedule explain``).
- ``evidence_value.amount`` becomes a whole number of sen (BigInteger): exact on SQLite,
  which has no decimal type, as on PostgreSQL. Existing amounts are converted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_trusted_store"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('held_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.String(length=200), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('schedule', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_held_change_occurrence_id_occurrence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_change'))
    )
    op.create_index(op.f('ix_held_change_occurrence_id'), 'held_change', ['occurrence_id'], unique=False)
    op.add_column('evidence_value', sa.Column('amount_sen', sa.BigInteger(), nullable=True))
    op.execute("UPDATE evidence_value SET amount_sen = CAST(ROUND(amount * 100) AS BIGINT) "
               "WHERE amount IS NOT NULL")
    with op.batch_alter_table('evidence_value') as batch:
        batch.drop_column('amount')
        batch.alter_column('amount_sen', new_column_name='amount')


def downgrade() -> None:
    op.add_column('evidence_value', sa.Column('amount_num', sa.Numeric(precision=16, scale=2), nullable=True))
    op.execute("UPDATE evidence_value SET amount_num = amount / 100.0 WHERE amount IS NOT NULL")
    with op.batch_alter_table('evidence_value') as batch:
        batch.drop_column('amount')
        batch.alter_column('amount_num', new_column_name='amount')
    op.drop_index(op.f('ix_held_change_occurrence_id'), table_name='held_change')
    op.drop_table('held_change')
