"""chronology intake as agencies send it: outcomes, imports that can be re-mapped and undone

Revision ID: b7d2e5f1a9c4
Revises: 7c1e4a2b9d30
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e5f1a9c4"
down_revision: str | None = "7c1e4a2b9d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chronology_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("choices", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_events_import_id"), ["import_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_events_import_id_chronology_imports"),
            "chronology_imports",
            ["import_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("review_agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_mapping", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_agencies", schema=None) as batch_op:
        batch_op.drop_column("import_mapping")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_events_import_id_chronology_imports"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_events_import_id"))
        batch_op.drop_column("import_id")
        batch_op.drop_column("outcome")
    with op.batch_alter_table("chronology_imports", schema=None) as batch_op:
        batch_op.drop_column("undone_at")
        batch_op.drop_column("choices")
        batch_op.drop_column("content")
