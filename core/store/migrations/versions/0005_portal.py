"""The evidence portal: sign-in link tokens and sessions (stored hashed), and the indexes
of a contact's "My work"."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_portal"
down_revision = "0004_calendars"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_web_token_digest")),
    )
    op.create_index(op.f("ix_web_token_contact_email"), "web_token", ["contact_email"],
                    unique=False)
    op.create_index("ix_occurrence_work", "occurrence", ["plan_id", "owner", "progress", "due"])
    op.create_index("ix_occurrence_activity", "occurrence", ["activity_id"])
    op.create_index("ix_occurrence_duty", "occurrence", ["duty_id"])


def downgrade() -> None:
    op.drop_index("ix_occurrence_duty", table_name="occurrence")
    op.drop_index("ix_occurrence_activity", table_name="occurrence")
    op.drop_index("ix_occurrence_work", table_name="occurrence")
    op.drop_index(op.f("ix_web_token_contact_email"), table_name="web_token")
    op.drop_table("web_token")
