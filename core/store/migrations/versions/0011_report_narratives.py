"""Report narratives: what a committee says about its year (or the whole plan).

The gaps, challenges, recommended adjustments (S34-O1-ii) and corrective actions a
committee enters for an annual report (``kind`` annual, ``year``) or the final report
(``kind`` final, no year). Rows are never changed: a new entry is a new row, the latest
as of a report's day is the one printed, and each row is recorded in the audit log
(``report.narrative``), which ``audit verify`` checks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_report_narratives"
down_revision = "0010_run_liveness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("gaps", sa.Text(), nullable=False),
        sa.Column("challenges", sa.Text(), nullable=False),
        sa.Column("adjustments", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narrative")),
    )
    with op.batch_alter_table("report_narrative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_narrative_committee"), ["committee"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_narrative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_narrative_committee"))
    op.drop_table("report_narrative")
