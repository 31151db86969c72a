"""The audit keys: the chain key and the wrapping key, derived from ``LR_AUDIT_KEY`` in the
environment, never the database; one key set per process, or per session factory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session


class AuditKeyError(RuntimeError):
    """The audit log's keys are not configured."""


@dataclass(frozen=True)
class AuditKeys:
    """The keys of the audit log, derived from one secret from the environment.

    ``chain`` keys the HMAC of every entry; ``wrap`` encrypts each review's own key.
    """

    chain: bytes
    wrap: bytes

    @classmethod
    def derive(cls, secret: str) -> AuditKeys:
        def _key(purpose: bytes) -> bytes:
            kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
            return kdf.derive(secret.encode())

        return cls(
            chain=_key(b"learning-review audit chain"), wrap=_key(b"learning-review audit wrap")
        )


_configured_keys: AuditKeys | None = None


# Where a session factory keeps its keys: ``make_session_factory(bind, audit_keys=...)``.
AUDIT_KEYS_INFO = "audit_keys"


def configure_audit_keys(keys: AuditKeys) -> None:
    """Use ``keys`` for sessions whose factory was given none (scripts, test set-up); the
    app's sessions carry the app's own keys."""
    global _configured_keys  # one key set per process, like the environment
    _configured_keys = keys


def configure_default_audit_keys(keys: AuditKeys) -> None:
    """Use ``keys`` for keyless sessions unless keys were configured already (the first app
    built in a process lends its keys to the scripts and set-up code that run beside it)."""
    if _configured_keys is None:
        configure_audit_keys(keys)


def session_audit_keys(session: Session) -> AuditKeys:
    """The keys of this session's factory, else ``current_audit_keys()``."""
    keys = session.info.get(AUDIT_KEYS_INFO)
    return keys if isinstance(keys, AuditKeys) else current_audit_keys()


def current_audit_keys() -> AuditKeys:
    """The process's keys (``configure_audit_keys``), else from ``LR_AUDIT_KEY`` or
    ``SECRET_KEY`` in the environment."""
    if _configured_keys is not None:
        return _configured_keys
    secret = os.environ.get("LR_AUDIT_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        raise AuditKeyError("The audit log has no key: set LR_AUDIT_KEY (or SECRET_KEY).")
    return AuditKeys.derive(secret)
