"""*My work* reads one index per group, in the order it shows them.

``ix_occurrence_work`` becomes (plan_id, withdrawn, owner, progress, due, id): a group's
page (``ORDER BY due, id LIMIT n``; *done* backwards) is the first n entries of one range
of the index, with no sort of the whole range, and a group's count is answered from the
index alone (``withdrawn`` was read from the table for every row before).
``ix_occurrence_progress`` (plan_id, withdrawn, progress, due, id) does the same for the
secretariat's *My work*, which is everyone's work (no owner): without it each group walked
``ix_occurrence_plan_due``, *done* backwards.
"""

from __future__ import annotations

from alembic import op

revision = "0012_work_index"
down_revision = "0011_report_narratives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_occurrence_work", table_name="occurrence")
    op.create_index("ix_occurrence_work", "occurrence",
                    ["plan_id", "withdrawn", "owner", "progress", "due", "id"])
    op.create_index("ix_occurrence_progress", "occurrence",
                    ["plan_id", "withdrawn", "progress", "due", "id"])


def downgrade() -> None:
    op.drop_index("ix_occurrence_progress", table_name="occurrence")
    op.drop_index("ix_occurrence_work", table_name="occurrence")
    op.create_index("ix_occurrence_work", "occurrence", ["plan_id", "owner", "progress", "due"])
