"""workshop room: moderation before the room, upvotes, unsent drafts

Revision ID: a17e0c5d2b41
Revises: b3a9e6d1f214
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a17e0c5d2b41"
down_revision: str | None = "b3a9e6d1f214"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_node", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("draft_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("workshop_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("room_text", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("unsent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("workshop_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "workshop_upvotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["workshop_notes.id"],
            name=op.f("fk_workshop_upvotes_note_id_workshop_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["workshop_participants.id"],
            name=op.f("fk_workshop_upvotes_participant_id_workshop_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["workshop_proposals.id"],
            name=op.f("fk_workshop_upvotes_proposal_id_workshop_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_workshop_upvotes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_upvotes_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_upvotes")),
        sa.UniqueConstraint(
            "participant_id", "note_id", name=op.f("uq_workshop_upvotes_participant_id_note_id")
        ),
        sa.UniqueConstraint(
            "participant_id",
            "proposal_id",
            name=op.f("uq_workshop_upvotes_participant_id_proposal_id"),
        ),
    )
    with op.batch_alter_table("workshop_upvotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_upvotes_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop_upvotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_upvotes_workshop_id"))
    op.drop_table("workshop_upvotes")
    with op.batch_alter_table("workshop_proposals", schema=None) as batch_op:
        batch_op.drop_column("shown_at")
    with op.batch_alter_table("workshop_notes", schema=None) as batch_op:
        batch_op.drop_column("unsent")
        batch_op.drop_column("room_text")
        batch_op.drop_column("shown_at")
    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.drop_column("draft_text")
        batch_op.drop_column("draft_node")
