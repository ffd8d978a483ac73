"""Report snapshots: a report as it was presented (``naptip report ... --save``).

One row per saved report: what was asked (kind, years, committee, language, format, as-of
day), its JSON figures and the exact bytes of the file with their SHA-256. Each row is
recorded in the audit log (``report.saved``), which ``audit verify`` checks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_report_snapshots"
down_revision = "0008_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("years", sa.JSON(), nullable=False),
        sa.Column("committee", sa.String(length=60), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=120), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshot")),
    )
    with op.batch_alter_table("report_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_snapshot_saved_at"), ["saved_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_snapshot_saved_at"))
    op.drop_table("report_snapshot")
