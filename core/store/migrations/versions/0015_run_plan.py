"""Each run of the day's work says which plan it served (``run.plan_id``): a run works in
one plan's scope, so catch-up follows that plan's own runs (a successor's first run does
not start from its predecessor's last one) and ``naptip runs list`` names the plan.

Runs recorded before served NAPTIP 3.0, the only plan a store held until plans became data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_run_plan"
down_revision = "0014_recommendations"
branch_labels = None
depends_on = None

#: the plan of the runs recorded before this revision
EARLIER_PLAN = "naptip-3.0"


def upgrade() -> None:
    op.add_column("run", sa.Column("plan_id", sa.String(length=40), nullable=True))
    run = sa.table("run", sa.column("plan_id", sa.String))
    op.get_bind().execute(run.update().values(plan_id=EARLIER_PLAN))
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.alter_column("plan_id", existing_type=sa.String(length=40), nullable=False)
    op.create_index("ix_run_plan_day", "run", ["plan_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_run_plan_day", table_name="run")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("plan_id")
