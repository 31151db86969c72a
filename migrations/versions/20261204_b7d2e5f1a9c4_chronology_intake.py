"""chronology intake as agencies send it: outcomes, imports that can be re-mapped and undone

Revision ID: b7d2e5f1a9c4
Revises: b3d9e1f0a7c2
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e5f1a9c4"
down_revision: str | None = "b3d9e1f0a7c2"
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
        batch_op.add_column(sa.Column("return_requested_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("return_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("return_received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("return_signed_off_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "return_signed_off_by", sa.String(length=200), nullable=False, server_default=""
            )
        )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
    op.create_table(
        "duplicate_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_duplicate_dismissals_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_duplicate_dismissals_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_dismissals")),
    )
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_dismissals_review_id"), ["review_id"], unique=False
        )
    _sort_approximate_dates_as_stated()


def _stated_start(text: str) -> datetime:
    """The first moment of a canonical date (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM)."""
    day, _, clock = text.partition("T")
    parts = [int(p) for p in day.split("-")] + [1, 1]
    hour, minute = (int(p) for p in clock.split(":")) if clock else (0, 0)
    return datetime(parts[0], parts[1], parts[2], hour, minute)


def _sort_approximate_dates_as_stated() -> None:
    """An approximate date without an end was sorted from its window's widened start ("c. 2025"
    among 2024's events); it now sorts, and is hidden "as known at", by its stated start."""
    events = sa.table(
        "events",
        sa.column("id", sa.Integer()),
        sa.column("date", sa.String()),
        sa.column("sort_start", sa.DateTime()),
        sa.column("date_precision", sa.String()),
        sa.column("end_date", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.date).where(
            events.c.date_precision == "approximate", events.c.end_date.is_(None)
        )
    ).all()
    for row in rows:
        connection.execute(
            events.update().where(events.c.id == row.id).values(sort_start=_stated_start(row.date))
        )


def downgrade() -> None:
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_review_id"))
    op.drop_table("duplicate_dismissals")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("date_of_birth")
    with op.batch_alter_table("review_agencies", schema=None) as batch_op:
        batch_op.drop_column("return_signed_off_by")
        batch_op.drop_column("return_signed_off_on")
        batch_op.drop_column("return_received_on")
        batch_op.drop_column("return_due_on")
        batch_op.drop_column("return_requested_on")
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
