"""What a new entry of a review starts with when it comes from a source: an event appraised
as good practice, an account's "what went well", or a protective factor. The values are the
entry's fields (``create_entry``'s keywords), for the form to show before anything is saved.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from models import Account, Event, Factor


def _short_title(text: str, limit: int = 90) -> str:
    first = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def prefill_from_event(event: Event) -> dict[str, Any]:
    """What an entry from an event appraised as good practice starts with."""
    agency = event.agency
    return {
        "title": _short_title(event.description),
        "story": event.description,
        "source": "event",
        "agency": agency.ref if agency is not None else "",
        "events": [event.ref],
        "four_d": {"discover": event.description},
    }


def prefill_from_account(account: Account) -> dict[str, Any]:
    """An entry from an account's answer to "what went well, and what helped?"."""
    answer = (account.prompts or {}).get("what_went_well", "")
    who = account.contributor.pseudonym if account.contributor else account.contributor_role
    agency = account.contributor.agency if account.contributor else None
    return {
        "title": _short_title(answer) if answer else f"What went well: {who}",
        "story": answer,
        "what_made_it_work": "",
        "source": "account",
        "account": account.ref,
        "agency": agency.ref if agency is not None else "",
        "events": [e.ref for e in account.events],
        "four_d": {"discover": answer} if answer else {},
    }


def prefill_from_factor(session: Session, factor: Factor) -> dict[str, Any]:
    """An entry from a protective factor: its label and description, and the events its
    evidence rests on. The description is the story; what made it work is left for the
    author (the factor itself is linked as what made it work, not copied twice)."""
    events = [e.event.ref for e in factor.evidence if e.event is not None]
    return {
        "title": factor.label,
        "story": factor.description or factor.label,
        "what_made_it_work": "",
        "source": "protective_factor",
        "factors": [factor.ref],
        "events": list(dict.fromkeys(events)),
    }
