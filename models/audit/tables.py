"""The audit log's tables (``AuditEntry``, ``AuditKey``) and the markers their values use."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
# What a restricted value reads as once its review's key has been destroyed (retention).
ERASED = "[erased]"
# Entry formats: 1 = plain SHA-256 (before the chain was keyed), 2 = HMAC-SHA-256.
PLAIN_FORMAT = 1
KEYED_FORMAT = 2
# The marker of an encrypted value inside before/after: {"$enc": base64(nonce + ciphertext)}.
ENCRYPTED_MARK = "$enc"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    review_id: Mapped[int | None] = mapped_column(index=True)
    before_json: Mapped[str] = mapped_column(Text, default="null")
    after_json: Mapped[str] = mapped_column(Text, default="null")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[int] = mapped_column(default=KEYED_FORMAT, server_default="1")

    @property
    def before(self) -> Any:
        return json.loads(self.before_json)

    @property
    def after(self) -> Any:
        return json.loads(self.after_json)


class AuditKey(Base):
    """A review's key for its restricted audit values, wrapped (AES-GCM) by the environment's
    key. Retention destroys it (``wrapped_key`` emptied): the values can no longer be read."""

    __tablename__ = "audit_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    destroyed_at: Mapped[datetime | None]
