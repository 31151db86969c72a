"""The append-only, hash-chained audit log.

One module a concern, every name re-exported here: ``tables`` (``AuditEntry``, ``AuditKey``
and the values they hold), ``keys`` (the process's ``AuditKeys``), ``chain`` (writing with
``record`` and verifying the hash chain), ``sealing`` (restricted values encrypted with a key
of their review, and ``AuditReader``) and ``listener`` (changes to audited models, recorded
automatically).
"""

from __future__ import annotations

from models.audit.chain import (
    SYSTEM_ACTOR,
    Actor,
    ChainBreak,
    ChainReport,
    canonical_json,
    check_chain,
    entry_hash,
    record,
    session_actor,
    verify_chain,
)
from models.audit.keys import (
    AUDIT_KEYS_INFO,
    AuditKeyError,
    AuditKeys,
    configure_audit_keys,
    configure_default_audit_keys,
    current_audit_keys,
    session_audit_keys,
)
from models.audit.listener import install_audit_listener, record_created
from models.audit.sealing import AuditReader, destroy_review_key, encrypt_value, is_encrypted
from models.audit.tables import (
    ENCRYPTED_MARK,
    ERASED,
    GENESIS_HASH,
    KEYED_FORMAT,
    PLAIN_FORMAT,
    REDACTED,
    AuditEntry,
    AuditKey,
)

__all__ = [
    "AUDIT_KEYS_INFO",
    "ENCRYPTED_MARK",
    "ERASED",
    "GENESIS_HASH",
    "KEYED_FORMAT",
    "PLAIN_FORMAT",
    "REDACTED",
    "SYSTEM_ACTOR",
    "Actor",
    "AuditEntry",
    "AuditKey",
    "AuditKeyError",
    "AuditKeys",
    "AuditReader",
    "ChainBreak",
    "ChainReport",
    "canonical_json",
    "check_chain",
    "configure_audit_keys",
    "configure_default_audit_keys",
    "current_audit_keys",
    "destroy_review_key",
    "encrypt_value",
    "entry_hash",
    "install_audit_listener",
    "is_encrypted",
    "record",
    "record_created",
    "session_actor",
    "session_audit_keys",
    "verify_chain",
]
