"""Users, their server-side sessions, second-factor recovery codes and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.partnership import Partnership


class User(Audited, Base):
    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash", "totp_secret"})
    __audit_ignore__ = frozenset({"failed_logins", "locked_until", "totp_last_timecode"})

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # A role held for the whole partnership, not on one review: "business_manager" runs the
    # partnership's review programme (see ``app.policy.PARTNERSHIP_ROLES``).
    partnership_role: Mapped[str | None] = mapped_column(String(30))
    # Demo accounts only: lets a local trial sign in without an authenticator app.
    mfa_exempt: Mapped[bool] = mapped_column(default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time-step accepted: a code from it or earlier is a replay.
    totp_last_timecode: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an administrator chose the password: the user must choose their own next.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Single sign-on: the provider's issuer and the user's subject there, once linked.
    sso_issuer: Mapped[str | None] = mapped_column(String(500))
    sso_subject: Mapped[str | None] = mapped_column(String(255))

    partnership: Mapped[Partnership] = relationship(lazy="joined")

    # Flask-Login's user protocol, written out so models/ need not import Flask-Login.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; the row holds its SHA-256.

    Revoking the row ends the session on the server, so a copied cookie stops working.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # When this browser last passed a second factor (None: signed in with a password only).
    second_factor_at: Mapped[datetime | None]


class SavedSearch(Base):
    """The words of a search, kept on the server for one signed-in browser so that they never
    travel in a URL (where access logs, proxies and browser history would keep a real name).
    Pages carry ``search=<token>`` instead; the row goes when its session ends."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]


class ApiToken(Audited, Base):
    """A personal access token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    __audit_redact__ = frozenset({"token_hash"})
    __audit_ignore__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # None only for tokens made before expiry existed: they expire 90 days after creation.
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


ACCOUNT_LINK_PURPOSES = ("invitation", "reset")


class AccountLink(Base):
    """A single-use, time-limited link that lets someone set their password: an invitation
    to a new account, or a reset. Only the SHA-256 of the link's token is stored."""

    __tablename__ = "account_links"
    __table_args__ = (CheckConstraint("purpose IN ('invitation', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class IdentityProvider(Audited, Base):
    """An OpenID Connect provider a partnership signs in with (a council's or an NHS trust's
    Entra ID, a police force's), chosen by the email domain of the person signing in."""

    __tablename__ = "identity_providers"
    __audit_redact__ = frozenset({"client_secret"})

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # The issuer URL; its /.well-known/openid-configuration describes the provider.
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str] = mapped_column(String(500))
    email_domains: Mapped[list[str]] = mapped_column(default=list)
    # Accounts for people of these domains who were not invited are created at first sign-in.
    creates_accounts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship(lazy="joined")
