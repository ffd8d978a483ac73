"""Recommendations follow-up (issue 22): sets of recommendations (a US TIP Report's, an
annual review's), their items with lead and supporting committees, the plan activities
that answer them, and the leads' status updates, reviewed like evidence."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_recommendations"
down_revision = "0013_evidence_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendation_set",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("imported_from", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_set")),
    )
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.String(length=60), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=120), nullable=True),
        sa.Column("lead", sa.String(length=60), nullable=True),
        sa.Column("support", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_id"], ["recommendation_set.id"],
                                name=op.f("fk_recommendation_set_id_recommendation_set")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint("set_id", "item", name=op.f("uq_recommendation_set_id")),
    )
    op.create_table(
        "recommendation_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("activity_id", sa.String(length=40), nullable=False),
        sa.Column("linked_by", sa.String(length=120), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"], ["recommendation.id"],
            name=op.f("fk_recommendation_link_recommendation_id_recommendation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_link")),
        sa.UniqueConstraint("recommendation_id", "plan_id", "activity_id",
                            name=op.f("uq_recommendation_link_recommendation_id")),
    )
    op.create_index(op.f("ix_recommendation_link_recommendation_id"), "recommendation_link",
                    ["recommendation_id"])
    op.create_table(
        "recommendation_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("review", sa.String(length=12), nullable=False),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("submitter_contact", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewer_contact", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recommendation_id"], ["recommendation.id"],
            name=op.f("fk_recommendation_update_recommendation_id_recommendation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_update")),
    )
    op.create_index(op.f("ix_recommendation_update_recommendation_id"), "recommendation_update",
                    ["recommendation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recommendation_update_recommendation_id"),
                  table_name="recommendation_update")
    op.drop_table("recommendation_update")
    op.drop_index(op.f("ix_recommendation_link_recommendation_id"),
                  table_name="recommendation_link")
    op.drop_table("recommendation_link")
    op.drop_table("recommendation")
    op.drop_table("recommendation_set")
