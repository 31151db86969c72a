"""background jobs; the report's public edition, version status, KPE narratives, logos

Revision ID: b3a9e6d1f214
Revises: b7d2e5f1a9c4
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3a9e6d1f214"
down_revision: str | None = "b7d2e5f1a9c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed')",
            name=op.f("ck_jobs_status_known"),
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 100", name=op.f("ck_jobs_progress_percent")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_jobs_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_review_id"), ["review_id"], unique=False)
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="ready")
        )
        batch_op.add_column(
            sa.Column("public_markdown", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("public_html", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("public_pdf", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("public_docx", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("left_out", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("kpes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("narrative", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("report_narratives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("executive_summary", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("logo_png")
    with op.batch_alter_table("report_narratives", schema=None) as batch_op:
        batch_op.drop_column("executive_summary")
    with op.batch_alter_table("kpes", schema=None) as batch_op:
        batch_op.drop_column("narrative")
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        for column in ("left_out", "public_docx", "public_pdf", "public_html"):
            batch_op.drop_column(column)
        batch_op.drop_column("public_markdown")
        batch_op.drop_column("status")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_review_id"))
    op.drop_table("jobs")
