"""Partnership: the tenant (a safeguarding partnership or board) that everything hangs off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Audited, Base, utcnow


class Partnership(Audited, Base):
    __tablename__ = "partnerships"
    # The audit log records that the logo changed, not its bytes.
    __audit_redact__ = frozenset({"logo_png"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retention: a closed review's case data is kept this many years, then purged (published
    # reports and the audit chain are kept). None: kept until the partnership decides.
    retention_years: Mapped[int | None]
    # The partnership's own settings, e.g. the statutory clocks' intervals
    # (``analysis.milestones.DEFAULT_INTERVALS`` when unset), since guidance changes.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The logo on the cover of its published reports: a PNG the app re-encoded itself.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
