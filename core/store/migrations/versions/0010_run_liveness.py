"""Who holds a run and a claim, and whether they are alive.

``run``: the duty a duty flow's run worked on (NULL for the day's work: catch-up follows
only those), the process id and a heartbeat (a dead run is closed and its claims
released), the last day the run fully covered (never past work it left claimed by
another run), and a note (e.g. an alert that could not be delivered).
``reminder_sent``: the run (or process) that holds a ``sending`` claim.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_run_liveness"
down_revision = "0009_report_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duty", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("covered_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("claim_host", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("claim_pid", sa.Integer(), nullable=True))
    # runs recorded before: a duty flow's run never had a sync step; name it by its flow
    # run's kind so that it no longer counts as the day's work
    run = sa.table("run", sa.column("id", sa.String), sa.column("steps", sa.JSON),
                   sa.column("duty", sa.String), sa.column("status", sa.String),
                   sa.column("started_at", sa.DateTime(timezone=True)),
                   sa.column("heartbeat_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    # runs left "running" by a version that kept no heartbeat: their last sign of life is
    # their start, so they read as crashed (and are closed by the next run)
    bind.execute(run.update().where(run.c.status == "running").values(
        heartbeat_at=run.c.started_at))
    for rid, steps in bind.execute(sa.select(run.c.id, run.c.steps)).all():
        if not any(isinstance(s, dict) and s.get("name") == "sync" for s in steps or []):
            bind.execute(run.update().where(run.c.id == rid).values(duty="(duty)"))


def downgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_column("claim_pid")
        batch_op.drop_column("claim_host")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("covered_until")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("pid")
        batch_op.drop_column("duty")
