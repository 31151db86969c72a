"""Passwords and workshop tokens without the web layer: hashing (argon2id), the rules a new
password must meet, and a participant's token. Services use these directly; ``app.security``
adds what needs a request (the configured minimum length, sessions, CSRF)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from functools import lru_cache

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# argon2id as RFC 9106 recommends where memory is tight: 64 MiB, 3 passes, 4 lanes.
DEFAULT_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
hasher = PasswordHasher.from_parameters(DEFAULT_PARAMETERS)

# The shortest password accepted unless the app's PASSWORD_MIN_LENGTH says otherwise.
MIN_LENGTH = 12
# Workshop participants' tokens: a label of their own, so the policy can tell them apart at once.
PARTICIPANT_TOKEN_PREFIX = "lrw_"  # noqa: S105 - a label, not a secret


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from real breaches.
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(
    password: str, *, minimum: int = MIN_LENGTH, email: str = "", name: str = ""
) -> str | None:
    """Why ``password`` is not acceptable, in plain words, or None when it is fine."""
    if len(password) < minimum:
        return f"Password must be at least {minimum} characters long"
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        return "That password is on a list of commonly used passwords: choose another"
    if email and lowered == email.lower():
        return "Password must not be your email address"
    if name and lowered == name.lower():
        return "Password must not be your name"
    return None


def use_parameters(parameters: Parameters) -> None:
    """Hash with ``parameters`` from now on in this process; hashes made before still verify
    (each carries its own). Only the test suite calls it, with argon2's CHEAPEST profile, so
    that a sign-in costs it microseconds rather than a tenth of a second of both cores."""
    global hasher
    hasher = PasswordHasher.from_parameters(parameters)


def verify_dummy(password: str) -> None:
    """Verify ``password`` against a hash of nobody's, made with the current parameters: a
    sign-in with an unknown email then takes as long as one with a wrong password."""
    with contextlib.suppress(VerificationError):
        hasher.verify(_dummy_hash(hasher), password)


@lru_cache(maxsize=2)
def _dummy_hash(of: PasswordHasher) -> str:
    return of.hash("not-a-real-password-for-timing-only")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def new_participant_token() -> tuple[str, str]:
    """A new workshop participant's token and the hash to keep (the token is shown once)."""
    token = PARTICIPANT_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, sha256(token)
