"""Passwords, sessions, API tokens, second factor, CSRF and response headers.

Sessions are held on the server (``UserSession``): the cookie carries a random token and the
database its SHA-256, so signing out, changing a password or deactivating an account ends the
session everywhere and a replayed cookie is refused.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta

import pyotp
import segno
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Map

from app import passwords
from app.db import db, set_actor
from app.extensions import csrf, login_manager
from app.passwords import PARTICIPANT_TOKEN_PREFIX
from app.searches import forget_session
from models import ApiToken, Participant, RecoveryCode, User, UserSession, utcnow
from models.audit.chain import Actor
from models.base import table_of

TOTP_ISSUER = "Learning Review"
RECOVERY_CODE_COUNT = 10
TOKEN_PREFIX = "lr_"  # noqa: S105 - a label that makes leaked tokens easy to spot, not a secret
# API tokens stop working after this; the operator's command line may choose another lifetime.
TOKEN_LIFETIME = timedelta(days=90)
# Minting an API token in the app needs a second factor passed this recently.
RECENT_SECOND_FACTOR = timedelta(minutes=15)


# --- passwords ------------------------------------------------------------------------------


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not acceptable (at the app's PASSWORD_MIN_LENGTH), or None."""
    return passwords.password_problem(
        password, minimum=current_app.config["PASSWORD_MIN_LENGTH"], email=email, name=name
    )


def check_password(user: User | None, password: str) -> bool:
    """Constant-ish time whether the user exists or not; rehashes when parameters change."""
    if user is None:
        passwords.verify_dummy(password)
        return False
    try:
        passwords.hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hasher.hash(password)
    return True


def is_locked(user: User) -> bool:
    locked_until = user.locked_until
    if locked_until is None:
        return False
    if locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=UTC)
    return locked_until > utcnow()


def note_failed_attempt(user: User) -> None:
    """Count a failed password or code; lock the account after too many in a row."""
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_LOCK_THRESHOLD"]:
        user.locked_until = utcnow() + current_app.config["LOGIN_LOCK_DURATION"]
        user.failed_logins = 0


# --- sessions -------------------------------------------------------------------------------


_sha256 = passwords.sha256


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(user: User, *, second_factor: bool = False) -> None:
    """Sign ``user`` in: a new server-side session and a fresh cookie. ``second_factor``:
    the user has just passed one (the session remembers when)."""
    token = secrets.token_urlsafe(32)
    db().add(
        UserSession(
            token_hash=_sha256(token),
            user_id=user.id,
            second_factor_at=utcnow() if second_factor else None,
        )
    )
    user.failed_logins = 0
    user.locked_until = None
    session.clear()
    # Flask-WTF caches this request's CSRF token, made from the session just cleared: drop it,
    # so the page shown now (the recovery codes after enrolment) carries the new session's.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    session.permanent = True
    session["sid"] = token
    login_user(user)
    set_actor(Actor(user.id, user.email))


def end_session() -> None:
    """Sign out this browser and revoke its session on the server."""
    token = session.get("sid")
    row: UserSession | None = g.get("user_session")
    if row is not None:
        forget_session(row.id)
    if token:
        db().execute(
            update(UserSession)
            .where(UserSession.token_hash == _sha256(token))
            .values(revoked_at=utcnow())
        )
    logout_user()
    session.clear()


def revoke_sessions(user: User, *, keep_current: bool) -> None:
    """End the user's sessions on the server (all of them, or all but this browser's)."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    current = session.get("sid")
    if keep_current and current:
        statement = statement.where(UserSession.token_hash != _sha256(current))
    db().execute(statement.values(revoked_at=utcnow()))


@login_manager.user_loader
def _load_user_from_session(user_id: str) -> User | None:
    if request.path.startswith("/api/") and is_bearer_request():
        # A call that names a token acts as the token's owner only, never as whoever's
        # browser session happens to ride along (and it skips the CSRF check for that reason).
        return None
    token = session.get("sid")
    if not token:
        return None
    row = db().scalar(select(UserSession).where(UserSession.token_hash == _sha256(token)))
    if row is None or row.revoked_at is not None or str(row.user_id) != user_id:
        return None
    now = utcnow()
    config = current_app.config
    if now - _aware(row.created_at) > config["SESSION_ABSOLUTE_TIMEOUT"]:
        return None
    if now - _aware(row.last_seen_at) > config["SESSION_IDLE_TIMEOUT"]:
        return None
    if now - _aware(row.last_seen_at) > timedelta(seconds=60):
        row.last_seen_at = now  # cheap enough once a minute; keeps the idle clock honest
    user = db().get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    g.user_session = row
    set_actor(Actor(user.id, user.email))
    return user


def session_second_factor_at() -> datetime | None:
    """When this browser's session last passed a second factor (None: password only, or the
    request is not made with a browser session)."""
    row: UserSession | None = g.get("user_session")
    return _aware(row.second_factor_at) if row is not None and row.second_factor_at else None


def note_second_factor() -> None:
    """This browser's session has just passed a second factor."""
    row: UserSession | None = g.get("user_session")
    if row is not None:
        row.second_factor_at = utcnow()


def has_recent_second_factor() -> bool:
    """Whether this session passed a second factor within RECENT_SECOND_FACTOR."""
    at = session_second_factor_at()
    return at is not None and utcnow() - at <= RECENT_SECOND_FACTOR


def demand_second_factor(user: User, next_url: str) -> str:
    """End this password-only session and put ``user`` at the second step of signing in
    (enrol, or enter a code); return the endpoint of that step."""
    user_id, enrolled = user.id, user.totp_enabled  # ``user`` may be the signed-out proxy next
    end_session()
    session["pending_user"] = {"id": user_id, "at": time.time()}
    session["next"] = next_url
    return "auth.two_factor" if enrolled else "auth.two_factor_setup"


# --- API tokens -----------------------------------------------------------------------------


def issue_api_token(
    user: User, name: str, *, session: Session, lifetime: timedelta = TOKEN_LIFETIME
) -> tuple[str, ApiToken]:
    """Create a personal access token that expires after ``lifetime``; return the token
    (shown once: only its hash is kept) and its row."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name,
        token_hash=_sha256(token),
        prefix=token[:10],
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    return token, row


def create_api_token(user: User, name: str, *, session: Session) -> str:
    """Create a personal access token (default lifetime) and return it."""
    return issue_api_token(user, name, session=session)[0]


def token_expiry(row: ApiToken) -> datetime:
    """When the token stops working (tokens made before expiry existed: 90 days on)."""
    return _aware(row.expires_at or row.created_at + TOKEN_LIFETIME)


def revoke_api_tokens(session: Session, user: User) -> None:
    """Revoke every live token of ``user`` (password changed, account deactivated)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@login_manager.request_loader
def _load_user_from_token(req: object) -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or not request.path.startswith("/api/"):
        return None
    row = db().scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token.strip())))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if now >= token_expiry(row):
        return None
    if row.last_used_at is None or now - _aware(row.last_used_at) > timedelta(minutes=5):
        row.last_used_at = now
    g.bearer_token = True
    g.api_token = row
    set_actor(Actor(row.user.id, f"{row.user.email} (token {row.prefix}…)"))
    return row.user


def participant_for_token(session: Session, token: str) -> Participant | None:
    """The participant holding ``token`` while it is valid: not revoked, workshop open."""
    if not token or not token.startswith(PARTICIPANT_TOKEN_PREFIX):
        return None
    participant = session.scalar(
        select(Participant).where(Participant.token_hash == _sha256(token))
    )
    if participant is None or participant.revoked_at is not None:
        return None
    if not participant.workshop.is_open:
        return None
    return participant


def is_bearer_request() -> bool:
    return bool(request.headers.get("Authorization", "").lower().startswith("bearer "))


# --- second factor --------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The provisioning URI as an inline SVG QR code for an authenticator app to scan."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704 - segno's own SVG, built from a URI we generated


def matching_timecode(secret: str, code: str, *, at: datetime | None = None) -> int | None:
    """The time-step whose code equals ``code`` (allowing one step of clock drift), or None."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    moment = at or datetime.now(UTC)
    for drift in (0, -1, 1):
        when = moment + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(when), code):
            return int(totp.timecode(when))
    return None


def verify_totp(user: User, code: str) -> bool:
    """Check a code from the user's authenticator; a code is accepted once only."""
    if not user.totp_secret:
        return False
    timecode = matching_timecode(user.totp_secret, code)
    if timecode is None:
        return False
    if user.totp_last_timecode is not None and timecode <= user.totp_last_timecode:
        return False  # replayed: this step's code (or an earlier one) was already used
    user.totp_last_timecode = timecode
    return True


def drop_recovery_codes(user: User) -> None:
    """Remove the user's recovery codes (with no second factor they would stand in for none)."""
    db().execute(table_of(RecoveryCode).delete().where(RecoveryCode.user_id == user.id))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; return the new ones (shown once)."""
    drop_recovery_codes(user)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db().add(RecoveryCode(user_id=user.id, code_hash=passwords.hasher.hash(code)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    code = code.strip().lower()
    rows = db().scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for row in rows:
        try:
            passwords.hasher.verify(row.code_hash, code)
        except VerificationError:
            continue
        row.used_at = utcnow()
        return True
    return False


# --- request hooks --------------------------------------------------------------------------

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# JSON endpoints that act on no ambient credential (no cookie, no session) and set none, so a
# forged cross-site request gains nothing: joining a workshop answers with the token in its body.
CSRF_EXEMPT_ENDPOINTS = frozenset({"api.join_workshop"})


# The routes that take a whole review bundle: they accept up to BUNDLE_MAX_BYTES.
BUNDLE_IMPORT_ENDPOINTS = frozenset({"api.import_review", "reviews.import_bundle"})


def _bundle_size_limit() -> None:
    """Let the bundle imports take BUNDLE_MAX_BYTES, and refuse a larger one with a clear 413
    before anything reads it."""
    if request.endpoint not in BUNDLE_IMPORT_ENDPOINTS:
        return
    limit = int(current_app.config["BUNDLE_MAX_BYTES"])
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(
            413,
            f"The bundle is larger than {limit // (1024 * 1024)} MB: "
            "split the review, or import its chronology as files.",
        )


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.endpoint in CSRF_EXEMPT_ENDPOINTS:
        return
    if request.path.startswith("/api/") and is_bearer_request():
        return  # a bearer token is not sent by a browser on its own: no CSRF risk
    if _api_caller_is_anonymous():
        return
    csrf.protect()


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


# The largest id the database holds: ids are INTEGER columns, 32-bit signed on PostgreSQL
# (SQLite's are 64-bit, but never get this far). A larger one in a URL names nothing, so the
# route does not match and the answer is 404, not an overflow in the database driver.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number from 0 up to ``MAX_DATABASE_ID``."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_DATABASE_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def _api_caller_is_anonymous() -> bool:
    """An API call with no session and no participant cookie: nothing ambient to forge, so the
    policy answers it (401) rather than the CSRF check (400)."""
    if not request.path.startswith("/api/"):
        return False
    if request.cookies.get(current_app.config["PARTICIPANT_COOKIE_NAME"]):
        return False
    return not current_user.is_authenticated


def init_app(app: Flask) -> None:
    # Before any blueprint registers its routes, which bind their converters when added.
    app.url_map.converters["int"] = DatabaseIdConverter
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = ""
    login_manager.session_protection = None  # our server-side sessions do this job
    csrf.init_app(app)
    app.before_request(_bundle_size_limit)
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
