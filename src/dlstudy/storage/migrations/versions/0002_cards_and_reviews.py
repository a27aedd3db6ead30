"""Cards with FSRS state, and the review log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("topic_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("buried_until", sa.DateTime(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_card_topic_id", "card", ["topic_id"])
    op.create_index("ix_card_queue", "card", ["removed", "suspended", "state", "due"])
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("card_id", sa.Integer(), sa.ForeignKey("card.id"), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("prior_state", sa.Integer(), nullable=False),
        sa.Column("prior_step", sa.Integer(), nullable=True),
        sa.Column("prior_stability", sa.Float(), nullable=True),
        sa.Column("prior_difficulty", sa.Float(), nullable=True),
        sa.Column("prior_due", sa.DateTime(), nullable=False),
        sa.Column("prior_last_review", sa.DateTime(), nullable=True),
        sa.Column("prior_reps", sa.Integer(), nullable=False),
        sa.Column("prior_lapses", sa.Integer(), nullable=False),
    )
    op.create_index("ix_review_log_card_id", "review_log", ["card_id"])
    op.create_index("ix_review_log_reviewed_at", "review_log", ["reviewed_at"])


def downgrade() -> None:
    op.drop_table("review_log")
    op.drop_table("card")
