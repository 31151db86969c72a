"""Errors that services raise for the user to read; views turn them into messages."""

from __future__ import annotations

QUOTE_CHARS = 40


def quoted(value: object, limit: int = QUOTE_CHARS) -> str:
    """``value`` in quotes for a message, cut at ``limit`` characters: a message names what
    was refused without echoing a huge value back."""
    text = str(value)
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1]}…'"


class ServiceError(ValueError):
    """A request that cannot be carried out as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersionError(ServiceError):
    """Someone else saved this item since the user loaded it."""
