"""What the anonymiser works with: the people register's :class:`RegisterPerson` and the
scan's :class:`Hit`.
"""

from __future__ import annotations

from dataclasses import dataclass

HIT_KINDS = (
    "email",
    "nhs_number",
    "ni_number",
    "phone",
    "postcode",
    "date_of_birth",
    "address",
    "school",
    "register_name",
    "ambiguous_name",
    "near_name",
    "possible_name",
)  # also the order in which overlapping hits are kept: an email beats a name inside it

CONTEXT_CHARS = 40


@dataclass(frozen=True)
class RegisterPerson:
    """A person in the review's people register: the pseudonym and the real name + aliases."""

    pseudonym: str
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.names, tuple):
            object.__setattr__(self, "names", tuple(self.names))


@dataclass(frozen=True)
class Hit:
    """An identifying detail found by :func:`scan`: what, where, and the text around it."""

    kind: str
    text: str
    location: str
    start: int
    end: int
    context: str
    candidates: tuple[str, ...] = ()  # an ambiguous name: the pseudonyms it could be
