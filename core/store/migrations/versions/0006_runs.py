"""Run summaries of the day's work (``naptip run``, the Prefect daily-run).

One row per run: the day it worked on, the first day it covered (catch-up), how it ended,
and each step's counts and failures as JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_runs"
down_revision = "0005_portal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=120), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_day"))
    op.drop_table("run")
