"""Who submitted and who reviewed evidence, as contacts: self-review then compares people
found in the contact directory, not the text each front end recorded ("Dual Role" on the
command line, "dual@moha.gov.my" in the portal).

Existing rows keep NULL: their audit entries recorded digests without these columns, and
the review resolves their ``submitted_by`` text against the directory instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_evidence_contacts"
down_revision = "0006_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy: on SQLite a copy of ``evidence`` would drop the
    # table that attachments and reviews refer to. The ids refer to ``contact.id`` without a
    # foreign key (contacts are never deleted), which keeps DROP COLUMN possible on SQLite.
    for table, column in _COLUMNS:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(_COLUMNS):
        op.drop_column(table, column)


_COLUMNS = (("evidence", "submitter_contact"), ("review", "reviewer_contact"))
