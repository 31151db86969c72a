"""report withdrawal

Revision ID: 7c1e4a2b9d30
Revises: 2df36eb77b9e
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e4a2b9d30"
down_revision: str | None = "2df36eb77b9e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("withdrawal_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_versions_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_versions_withdrawn_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawn_by_id")
