"""partnership view: business manager, statutory milestones, action tracker, patterns

Revision ID: 9a15c0e7b2f1
Revises: b8d2f0a61e47
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a15c0e7b2f1"
down_revision: str | None = "b8d2f0a61e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MILESTONE_KEYS = (
    "'panel_notification', 'rapid_review', 'local_review_decision', 'review_completed', "
    "'report_to_panel', 'publication'"
)


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("settings", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partnership_role", sa.String(length=30), nullable=True))
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_directory_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("lead", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("success_measure", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("rag", sa.String(length=10), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_owner_directory_agency_id_agencies"),
            "agencies",
            ["owner_directory_agency_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "review_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"key IN ({MILESTONE_KEYS})", name=op.f("ck_review_milestones_key")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_review_milestones_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_milestones_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_milestones")),
        sa.UniqueConstraint("review_id", "key", name=op.f("uq_review_milestones_review_id_key")),
    )
    op.create_table(
        "action_progress_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rag", sa.String(length=10), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rag IS NULL OR rag IN ('red', 'amber', 'green')",
            name=op.f("ck_action_progress_notes_rag"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_progress_notes_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_action_progress_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_action_progress_notes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_progress_notes")),
    )
    op.create_index(
        op.f("ix_action_progress_notes_action_id"), "action_progress_notes", ["action_id"]
    )
    op.create_table(
        "action_due_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_due_changes_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_action_due_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_action_due_changes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_due_changes")),
    )
    op.create_index(op.f("ix_action_due_changes_action_id"), "action_due_changes", ["action_id"])
    op.create_table(
        "pattern_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("apart", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('confirm', 'split', 'merge', 'rename')",
            name=op.f("ck_pattern_decisions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_pattern_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_pattern_decisions_partnership_id_partnerships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pattern_decisions")),
    )
    op.create_index(
        op.f("ix_pattern_decisions_partnership_id"), "pattern_decisions", ["partnership_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pattern_decisions_partnership_id"), table_name="pattern_decisions")
    op.drop_table("pattern_decisions")
    op.drop_index(op.f("ix_action_due_changes_action_id"), table_name="action_due_changes")
    op.drop_table("action_due_changes")
    op.drop_index(op.f("ix_action_progress_notes_action_id"), table_name="action_progress_notes")
    op.drop_table("action_progress_notes")
    op.drop_table("review_milestones")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_actions_owner_directory_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_column("rag")
        batch_op.drop_column("success_measure")
        batch_op.drop_column("lead")
        batch_op.drop_column("owner_directory_agency_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("partnership_role")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("settings")
