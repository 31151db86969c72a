"""Review text made fit for the eyes it is shown to: the one place that pseudonymises and masks.

Three audiences, one helper (``Anonymiser``, built once per request by ``anonymiser_for``):

- ``pseudonymise``: every real name and alias in the people register (and their variants)
  replaced by the person's pseudonym, as in the published report. Internal pages use it for
  members who may not see real names (the reader's view, app/reader.py).
- ``for_room``: what participants and a projected screen see (workshop material, participant
  pages, presenter mode, the live board, the facilitator pack): pseudonyms, schools named
  "the school", and every other identifying detail the anonymisation scanner finds (phone,
  NHS number, address, email, …) replaced by ``MASK``.
- ``room_hits``: what ``for_room`` would mask, listed for the facilitator so they can fix it
  at its source.

Only ``analysis.anonymise.substitute``, ``scan`` and ``redact`` are used: the anonymiser's
internals are its own business.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.anonymise import (
    REDACTED,
    Hit,
    RegisterPerson,
    redact,
    scan,
    substitute,
    substituter,
)
from models import Agency, Membership, Person, Review, ReviewAgency

MASK = REDACTED
SCHOOL_SECTOR = "school"
# How every output a reader sees names a school: its name places the child.
SCHOOL_LABEL = "A school"
HIT_KINDS = {
    "nhs_number": "NHS number",
    "postcode": "Postcode",
    "phone": "Phone number",
    "email": "Email address",
    "ni_number": "National Insurance number",
    "date_of_birth": "Date of birth",
    "address": "Street address",
    "school": "School name",
    "register_name": "Real name from the people register",
    "ambiguous_name": "Name that several people in the register share: write the pseudonym",
    "near_name": "Possible misspelling of a name in the people register: write the pseudonym",
    "possible_name": "Possible name (a title and a name the register does not know)",
}


def people_register(session: Session, review: Review) -> list[RegisterPerson]:
    """Each person's real name and aliases, and the pseudonym that replaces them."""
    return register_of(session.scalars(select(Person).where(Person.review_id == review.id)))


def register_of(people: Iterable[Person]) -> list[RegisterPerson]:
    """``people`` as register entries (those with a real name or an alias)."""
    register = []
    for person in people:
        names = tuple(n for n in [person.real_name, *(person.aliases or [])] if n and n.strip())
        if names:
            register.append(RegisterPerson(pseudonym=person.pseudonym, names=names))
    return register


def register_hidden_from(
    session: Session, user_id: int, partnership_id: int, roles_with_real_names: frozenset[str]
) -> list[RegisterPerson]:
    """The people of every review of the partnership on which the user may not read real
    names (not a member, or a member whose role may not): what pages spanning the
    partnership (the partnership's views, the good-practice register, the dashboard) hide."""
    readable = select(Membership.review_id).where(
        Membership.user_id == user_id, Membership.role.in_(roles_with_real_names)
    )
    people = session.scalars(
        select(Person)
        .join(Review, Review.id == Person.review_id)
        .where(Review.partnership_id == partnership_id, Person.review_id.not_in(readable))
        .order_by(Person.review_id, Person.id)
    )
    return register_of(people)


def is_school(sector: str | None) -> bool:
    """Whether an agency's sector makes it a school: any sector that says "school" ("School",
    "Primary school", "Schools"), since a bundle may bring sectors of its own."""
    return SCHOOL_SECTOR in (sector or "").casefold()


def agency_label(agency: Agency | ReviewAgency | None) -> str:
    """How a report, the good-practice register (and its briefings) and workshop material name
    an agency: a school as "A school" only, every other agency by its name."""
    if agency is None:
        return ""
    return SCHOOL_LABEL if is_school(agency.sector) else agency.name


def school_names(session: Session, review: Review) -> list[str]:
    """The schools in the review's partnership directory: a school names the child's area."""
    return partnership_schools(session, review.partnership_id)


def partnership_schools(session: Session, partnership_id: int) -> list[str]:
    """The schools in a partnership's agency directory (any sector that says "school")."""
    rows = session.execute(
        select(Agency.name, Agency.sector).where(Agency.partnership_id == partnership_id)
    )
    return sorted({name for name, sector in rows if is_school(sector)})


# Texts already pseudonymised, by register (kept across requests: a 10,000-event review is
# read again and again, and the same register gives the same text). A changed register is a
# new key, so nothing stale is ever served.
_PSEUDONYMISED: dict[tuple[RegisterPerson, ...], dict[str, str]] = {}
_REGISTERS_KEPT = 64
_TEXTS_KEPT = 100_000


@dataclass(frozen=True)
class Anonymiser:
    """The register and places of one review, and what to do with text for each audience."""

    register: tuple[RegisterPerson, ...]
    places: tuple[str, ...] = ()

    @cached_property
    def _places(self) -> re.Pattern[str] | None:
        alternatives = [
            r"\s+".join(map(re.escape, place.split())) for place in self.places if place.split()
        ]
        if not alternatives:
            return None
        return re.compile(
            r"(?<!\w)(?:(the)\s+)?(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE
        )

    @cached_property
    def _substitute(self) -> Callable[[str], str]:
        change = substituter(self.register)
        if len(_PSEUDONYMISED) > _REGISTERS_KEPT:
            _PSEUDONYMISED.clear()
        done = _PSEUDONYMISED.setdefault(self.register, {})

        def cached(text: str) -> str:
            known = done.get(text)
            if known is None:
                known = change(text)
                if len(done) >= _TEXTS_KEPT:
                    done.clear()
                done[text] = known
            return known

        return cached

    def pseudonymise(self, text: str | None) -> str:
        """``text`` with every register name replaced by its pseudonym."""
        if not text or not self.register:
            return text or ""
        return self._substitute(text)

    def pseudonymise_places(self, text: str | None) -> str:
        """``pseudonymise``, and every school named "the school" (its name places the child)."""
        text = self.pseudonymise(text)
        if self._places is None:
            return text
        # "the Oakfield Primary School" becomes "the school", not "the the school".
        return self._places.sub(lambda m: f"{m.group(1) or 'the'} school", text)

    def room_hits(self, text: str | None, location: str = "") -> list[Hit]:
        """What the scanner still finds in ``text`` once pseudonymised: what the room must not
        see (and ``for_room`` masks)."""
        if not text:
            return []
        return scan(
            self.pseudonymise_places(text),
            register=self.register,
            places=self.places,
            location=location,
        )

    def for_room(self, text: str | None) -> str:
        """``text`` as participants and a projected screen may see it: pseudonyms, "the
        school", and ``MASK`` over every other identifying detail."""
        if not text:
            return text or ""
        clean, _hits = redact(
            self.pseudonymise_places(text), register=self.register, places=self.places
        )
        return clean


def anonymiser_for(session: Session, review: Review) -> Anonymiser:
    """The review's anonymiser: its people register and the partnership's school names."""
    return Anonymiser(
        register=tuple(people_register(session, review)),
        places=tuple(school_names(session, review)),
    )


def hit_rows(hits: Sequence[Hit]) -> list[dict[str, str]]:
    """Hits as rows for a warning: kind (in words), what was found, where."""
    return [
        {"kind": HIT_KINDS.get(h.kind, h.kind), "text": h.text, "location": h.location}
        for h in hits
    ]


# What a saved finding, factor, account or good-practice entry is checked for.
SAVE_CHECKED_FIELDS = {
    "finding": ("title", "issue", "evidence", "how_widespread", "why_it_matters",
                "questions_for_board"),
    "factor": ("label", "description"),
    "account": ("contributor_role", "narrative"),
    "good_practice": ("title", "story", "what_made_it_work"),
}  # fmt: skip


def save_warnings(session: Session, item: object, kind: str) -> list[str]:
    """What to tell the author when ``item`` (a finding, factor, account or good-practice
    entry: ``kind``) is saved holding a register name or an identifying detail: for each
    field, the pseudonym a reader who may not see real names will read there, or the kinds
    of detail found. The warnings never quote what was found (a flash travels in the
    session cookie)."""
    review_id = getattr(item, "review_id", None)
    review = session.get(Review, review_id) if review_id is not None else None
    register = people_register(session, review) if review is not None else []
    partnership_id = (
        review.partnership_id if review is not None else getattr(item, "partnership_id", 0)
    )
    places = partnership_schools(session, partnership_id)
    warnings = []
    for field in SAVE_CHECKED_FIELDS[kind]:
        value = getattr(item, field, None)
        texts = [str(v) for v in value] if isinstance(value, list) else [value] if value else []
        pseudonyms: list[str] = []
        details: list[str] = []
        for text in texts:
            for hit in scan(str(text), register=register, places=places):
                if hit.kind == "register_name":
                    pseudonyms.append(substitute(hit.text, register))
                else:
                    details.append(HIT_KINDS.get(hit.kind, hit.kind).split(":")[0].lower())
        label = field.replace("_", " ").capitalize()
        if pseudonyms:
            read_as = ", ".join(f"“{p}”" for p in dict.fromkeys(pseudonyms))
            warnings.append(
                f"{label} names someone in the people register: readers who may not see "
                f"real names will read {read_as} there. Write the pseudonym if the real name "
                "is not needed."
            )
        if details:
            warnings.append(
                f"{label} may identify someone ({'; '.join(dict.fromkeys(details))}): change "
                "it before it is shared."
            )
    return warnings
