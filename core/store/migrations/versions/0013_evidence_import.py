"""Evidence imported from a spreadsheet (``naptip evidence import``) says where it came
from: the file's name and the row, and a key (a SHA-256 of the row's content) by which a
second import of the same file recognises the rows it already stored.

Evidence submitted otherwise keeps NULL; the row digest its audit entry records covers the
new columns only when they are set, so existing entries still verify.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_evidence_import"
down_revision = "0012_work_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy (see 0007): other tables refer to ``evidence``
    op.add_column("evidence", sa.Column("imported_from", sa.String(length=255), nullable=True))
    op.add_column("evidence", sa.Column("imported_row", sa.Integer(), nullable=True))
    op.add_column("evidence", sa.Column("import_key", sa.String(length=64), nullable=True))
    op.create_index("ix_evidence_import_key", "evidence", ["import_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_evidence_import_key", table_name="evidence")
    op.drop_column("evidence", "import_key")
    op.drop_column("evidence", "imported_row")
    op.drop_column("evidence", "imported_from")
