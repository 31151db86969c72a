"""Accounts, contributing factors (with their evidence), links, and the partnership's library
of latent conditions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.factors import voice_by_kpe
from analysis.taxonomy import (
    CONFIDENCE_LEVELS,
    CONTRIBUTOR_KINDS,
    CONTRIBUTORY_CATEGORIES,
    FACTOR_TYPES,
    LINK_RELATIONS,
    LOCAL_RATIONALITY_PROMPTS,
    SCIE_PATTERNS,
    SEIPS_COMPONENTS,
    SOURCE_KINDS,
    SYSTEM_LEVELS,
)
from app.services.chronology import claim_ref, event_by_ref, release_ref
from app.services.errors import ServiceError
from app.services.facts import account_facts, factor_facts
from app.services.reviews import check_ref, check_version, person_by_ref
from models import (
    Account,
    Event,
    Factor,
    FactorEvidence,
    ItemRef,
    KeyPracticeEpisode,
    Link,
    PartnershipCondition,
    Review,
)

ACCOUNT_FIELDS = (
    "contributor_kind",
    "contributor",
    "contributor_role",
    "taken_on",
    "consent_to_quote",
    "narrative",
    "prompts",
    "events",
)
FACTOR_FIELDS = (
    "label",
    "description",
    "type",
    "level",
    "scie_pattern",
    "seips_component",
    "contributory_category",
    "evidence",
    "condition",
)


def _drop_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}


def _choice(value: Any, allowed: dict[str, str], field: str, what: str, *, optional: bool) -> Any:
    if value in (None, "") and optional:
        return None
    if value not in allowed:
        raise ServiceError(f"Choose {what} from the list", field)
    return value


# --- accounts -------------------------------------------------------------------------------


def review_accounts(session: Session, review: Review) -> list[Account]:
    """The review's accounts in the order they were recorded."""
    return list(
        session.scalars(select(Account).where(Account.review_id == review.id).order_by(Account.id))
    )


def account_by_ref(session: Session, review: Review, ref: str) -> Account | None:
    return session.scalar(select(Account).where(Account.review_id == review.id, Account.ref == ref))


def accounts_of(session: Session, review: Review) -> list[Account]:
    """The review's accounts, in the order they were recorded."""
    return list(
        session.scalars(select(Account).where(Account.review_id == review.id).order_by(Account.id))
    )


def _next_account_ref(session: Session, review: Review) -> str:
    refs = session.scalars(select(Account.ref).where(Account.review_id == review.id))
    numbers = [int(r[2:]) for r in refs if r.startswith("AC") and r[2:].isdigit()]
    return f"AC{max(numbers, default=0) + 1}"


def _events(session: Session, review: Review, refs: Iterable[str], field: str) -> list[Event]:
    events = []
    for ref in dict.fromkeys(r for r in refs if r):
        event = event_by_ref(session, review, ref)
        if event is None or event.deleted_at is not None:
            raise ServiceError(f"There is no event '{ref}' in this review", field)
        events.append(event)
    return events


def _apply_account(
    session: Session, review: Review, account: Account, values: dict[str, Any]
) -> None:
    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "contributor_kind" in values:
        account.contributor_kind = _choice(
            values["contributor_kind"],
            CONTRIBUTOR_KINDS,
            "contributor_kind",
            "who gave the account",
            optional=False,
        )
    if "contributor" in values:
        ref = values["contributor"]
        person = person_by_ref(session, review, ref) if ref else None
        if ref and person is None:
            raise ServiceError(f"There is no person '{ref}' in this review", "contributor")
        account.contributor = person
    if "contributor_role" in values:
        account.contributor_role = (values["contributor_role"] or "")[:200]
    if "taken_on" in values:
        taken_on = values["taken_on"]
        if isinstance(taken_on, str):
            try:
                taken_on = date.fromisoformat(taken_on) if taken_on else None
            except ValueError:
                raise ServiceError(
                    "Enter a real date, for example 2025-04-02", "taken_on"
                ) from None
        account.taken_on = taken_on
    if "consent_to_quote" in values:
        account.consent_to_quote = bool(values["consent_to_quote"])
    if "narrative" in values:
        account.narrative = values["narrative"] or ""
    if "prompts" in values:
        prompts = values["prompts"] or {}
        unknown_prompts = set(prompts) - set(LOCAL_RATIONALITY_PROMPTS)
        if unknown_prompts:
            raise ServiceError(f"Unknown prompts: {', '.join(sorted(unknown_prompts))}", "prompts")
        account.prompts = {k: v for k, v in prompts.items() if v}
    if "events" in values:
        account.events = _events(session, review, values["events"] or [], "events")


def create_account(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Account:
    if not values.get("contributor_kind"):
        raise ServiceError("Choose who gave the account", "contributor_kind")
    if ref is not None:
        check_ref(ref)
        if account_by_ref(session, review, ref) is not None:
            raise ServiceError(f"The account ref '{ref}' is already used in this review", "ref")
    account = Account(
        review_id=review.id, ref=ref or _next_account_ref(session, review), prompts={}
    )
    _apply_account(session, review, account, values)
    if not ((account.narrative or "").strip() or account.prompts):
        raise ServiceError(
            "Write what was said: the narrative or the answers to the prompts", "narrative"
        )
    session.add(account)
    session.flush()
    return account


def update_account(
    *, session: Session, account: Account, expected_version: int | None, **values: Any
) -> Account:
    check_version(account, expected_version)
    _apply_account(session, session.get_one(Review, account.review_id), account, values)
    session.flush()
    return account


def delete_account(*, session: Session, account: Account) -> None:
    session.delete(account)
    session.flush()


def account_item(account: Account) -> dict[str, Any]:
    item: dict[str, Any] = {"ref": account.ref, "contributor_kind": account.contributor_kind}
    if account.contributor is not None:
        item["contributor"] = account.contributor.ref
    if account.contributor_role:
        item["contributor_role"] = account.contributor_role
    if account.taken_on is not None:
        item["taken_on"] = account.taken_on.isoformat()
    item["consent_to_quote"] = account.consent_to_quote
    item["narrative"] = account.narrative
    if account.prompts:
        item["prompts"] = dict(account.prompts)
    if account.events:
        item["events"] = [e.ref for e in account.events]
    return item


# --- the partnership's condition library ----------------------------------------------------


def condition_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def library_condition(session: Session, partnership_id: int, label: str) -> PartnershipCondition:
    """The library's latent condition called ``label``, added when new."""
    label = " ".join(label.split())[:300]
    found = session.scalar(
        select(PartnershipCondition).where(
            PartnershipCondition.partnership_id == partnership_id,
            PartnershipCondition.label_key == condition_key(label),
        )
    )
    if found is None:
        found = PartnershipCondition(
            partnership_id=partnership_id, label=label, label_key=condition_key(label)
        )
        session.add(found)
        session.flush()
    return found


def condition_library(
    session: Session, partnership_id: int
) -> list[tuple[PartnershipCondition, int]]:
    """The partnership's latent conditions with how many reviews record each, most first."""
    reviews = func.count(func.distinct(Factor.review_id))
    rows = session.execute(
        select(PartnershipCondition, reviews)
        .outerjoin(Factor, Factor.condition_id == PartnershipCondition.id)
        .where(PartnershipCondition.partnership_id == partnership_id)
        .group_by(PartnershipCondition.id)
        .order_by(reviews.desc(), PartnershipCondition.label)
    )
    return [(condition, int(count)) for condition, count in rows]


# --- factors --------------------------------------------------------------------------------


def review_factors(session: Session, review: Review) -> list[Factor]:
    """The review's factors in the order they were added."""
    return list(
        session.scalars(select(Factor).where(Factor.review_id == review.id).order_by(Factor.id))
    )


def factor_by_ref(session: Session, review: Review, ref: str) -> Factor | None:
    return session.scalar(select(Factor).where(Factor.review_id == review.id, Factor.ref == ref))


def factors_of(session: Session, review: Review) -> list[Factor]:
    """The review's factors, in the order they were added."""
    return list(
        session.scalars(select(Factor).where(Factor.review_id == review.id).order_by(Factor.id))
    )


def _evidence(
    session: Session, review: Review, items: Sequence[dict[str, Any]]
) -> list[FactorEvidence]:
    evidence = []
    for index, item in enumerate(items, start=1):
        source = item.get("source")
        if source not in SOURCE_KINDS:
            raise ServiceError(
                f"Evidence {index}: choose a kind of source from the list", "evidence"
            )
        event = None
        if item.get("event"):
            event = _events(session, review, [item["event"]], "evidence")[0]
        account = None
        if item.get("account"):
            account = account_by_ref(session, review, item["account"])
            if account is None:
                raise ServiceError(
                    f"Evidence {index}: there is no account '{item['account']}'", "evidence"
                )
        evidence.append(
            FactorEvidence(
                review_id=review.id,
                source=source,
                event=event,
                account=account,
                note=item.get("note") or "",
            )
        )
    return evidence


def _apply_factor(session: Session, review: Review, factor: Factor, values: dict[str, Any]) -> None:
    unknown = set(values) - set(FACTOR_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "label" in values:
        label = " ".join((values["label"] or "").split())
        if not label:
            raise ServiceError("Give the factor a short label", "label")
        factor.label = label[:300]
    if "description" in values:
        factor.description = values["description"] or ""
    if "type" in values:
        factor.type = _choice(
            values["type"], FACTOR_TYPES, "type", "the kind of factor", optional=False
        )
    if "level" in values:
        factor.level = _choice(
            values["level"], SYSTEM_LEVELS, "level", "a system level", optional=False
        )
    if "scie_pattern" in values:
        factor.scie_pattern = _choice(
            values["scie_pattern"], SCIE_PATTERNS, "scie_pattern", "a SCIE pattern", optional=True
        )
    if "seips_component" in values:
        factor.seips_component = _choice(
            values["seips_component"],
            SEIPS_COMPONENTS,
            "seips_component",
            "a SEIPS component",
            optional=True,
        )
    if "contributory_category" in values:
        factor.contributory_category = _choice(
            values["contributory_category"],
            CONTRIBUTORY_CATEGORIES,
            "contributory_category",
            "a category",
            optional=True,
        )
    if "evidence" in values:
        factor.evidence = _evidence(session, review, values["evidence"] or [])
    if "condition" in values or ("type" in values and factor.type == "latent_condition"):
        # A latent condition joins the partnership's library (by the label chosen, or its own),
        # so the same condition can be counted across reviews.
        condition_label = values.get("condition") or (
            factor.label if factor.type == "latent_condition" else None
        )
        factor.condition = (
            library_condition(session, review.partnership_id, condition_label)
            if condition_label
            else None
        )
    if factor.type != "latent_condition":
        factor.condition = None


def create_factor(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Factor:
    for key in ("label", "type", "level"):
        if not values.get(key):
            raise ServiceError(f"Choose the factor's {key}", key)
    ref = claim_ref(session, review, "factor", ref, "F")
    factor = Factor(review_id=review.id, ref=ref, label="", type="context", level="practice")
    _apply_factor(session, review, factor, values)
    session.add(factor)
    session.flush()
    return factor


def update_factor(
    *, session: Session, factor: Factor, expected_version: int | None, **values: Any
) -> Factor:
    check_version(factor, expected_version)
    _apply_factor(session, session.get_one(Review, factor.review_id), factor, values)
    session.flush()
    return factor


def delete_factor(*, session: Session, review: Review, factor: Factor) -> None:
    """Remove a factor and every link to or from it."""
    for link in session.scalars(
        select(Link).where(
            Link.review_id == review.id, or_(Link.source == factor.ref, Link.target == factor.ref)
        )
    ):
        session.delete(link)
    release_ref(session, review, factor.ref)
    session.delete(factor)
    session.flush()


def factor_item(factor: Factor, *, show_accounts: bool = True) -> dict[str, Any]:
    """The factor as a bundle item. Without ``show_accounts`` (for roles that may not read
    accounts), evidence resting on an account keeps its kind of source only: its account ref and
    note, which may quote the account, are left out."""
    item: dict[str, Any] = {"ref": factor.ref, "label": factor.label}
    if factor.description:
        item["description"] = factor.description
    item["type"] = factor.type
    item["level"] = factor.level
    for key in ("scie_pattern", "seips_component"):
        if getattr(factor, key):
            item[key] = getattr(factor, key)
    if factor.evidence:
        item["evidence"] = [
            _drop_empty(
                {
                    "source": e.source,
                    "event": e.event.ref if e.event else None,
                    "account": e.account.ref if e.account and show_accounts else None,
                    "note": e.note if show_accounts or e.account is None else None,
                }
            )
            for e in factor.evidence
        ]
    if factor.contributory_category:
        item["contributory_category"] = factor.contributory_category
    return item


# --- links ----------------------------------------------------------------------------------


def review_links(session: Session, review: Review) -> list[Link]:
    """The review's links in the order they were added."""
    return list(session.scalars(select(Link).where(Link.review_id == review.id).order_by(Link.id)))


def link_by_ref(session: Session, review: Review, ref: str) -> Link | None:
    return session.scalar(select(Link).where(Link.review_id == review.id, Link.ref == ref))


def _item_exists(session: Session, review: Review, ref: str) -> bool:
    return (
        session.scalar(select(ItemRef.id).where(ItemRef.review_id == review.id, ItemRef.ref == ref))
        is not None
    )


def create_link(
    *,
    session: Session,
    review: Review,
    source: str,
    target: str,
    relation: str,
    confidence: str | None = None,
    ref: str | None = None,
) -> Link:
    for field, value in (("source", source), ("target", target)):
        if not value or not _item_exists(session, review, value):
            raise ServiceError(f"There is no item '{value}' in this review to link", field)
    if source == target:
        raise ServiceError("A link joins two different items", "target")
    _choice(relation, LINK_RELATIONS, "relation", "how they are linked", optional=False)
    _choice(confidence, CONFIDENCE_LEVELS, "confidence", "a confidence", optional=True)
    duplicate = session.scalar(
        select(Link.ref).where(
            Link.review_id == review.id,
            Link.source == source,
            Link.target == target,
            Link.relation == relation,
        )
    )
    if duplicate is not None:
        raise ServiceError(f"That link already exists ({duplicate})", "target")
    if ref is not None:
        check_ref(ref)
        if link_by_ref(session, review, ref) is not None:
            raise ServiceError(f"The link ref '{ref}' is already used in this review", "ref")
    else:
        refs = session.scalars(select(Link.ref).where(Link.review_id == review.id))
        numbers = [int(r[1:]) for r in refs if r.startswith("L") and r[1:].isdigit()]
        ref = f"L{max(numbers, default=0) + 1}"
    link = Link(
        review_id=review.id,
        ref=ref,
        source=source,
        target=target,
        relation=relation,
        confidence=confidence or None,
    )
    session.add(link)
    session.flush()
    return link


def update_link(
    *, session: Session, link: Link, expected_version: int | None, **values: Any
) -> Link:
    check_version(link, expected_version)
    if "relation" in values:
        link.relation = _choice(
            values["relation"], LINK_RELATIONS, "relation", "how they are linked", optional=False
        )
    if "confidence" in values:
        link.confidence = _choice(
            values["confidence"], CONFIDENCE_LEVELS, "confidence", "a confidence", optional=True
        )
    session.flush()
    return link


def delete_link(*, session: Session, link: Link) -> None:
    session.delete(link)
    session.flush()


def link_item(link: Link, *, with_ref: bool = True) -> dict[str, Any]:
    item: dict[str, Any] = {"source": link.source, "target": link.target, "relation": link.relation}
    if link.confidence:
        item["confidence"] = link.confidence
    if with_ref:
        item["ref"] = link.ref
    return item


def live_event_refs(session: Session, review: Review, refs: Iterable[str]) -> frozenset[str]:
    """Which of ``refs`` name an event of the review that is not deleted (a link's target
    matters only as that: only the events asked about are read)."""
    wanted = list(dict.fromkeys(refs))
    return frozenset(
        session.scalars(
            select(Event.ref).where(
                Event.review_id == review.id, Event.deleted_at.is_(None), Event.ref.in_(wanted)
            )
        )
    )


def linked_events(session: Session, review: Review, refs: Iterable[str]) -> list[Event]:
    """The review's events among ``refs``, deleted ones too (a link may still name one)."""
    wanted = list(dict.fromkeys(refs))
    return list(
        session.scalars(select(Event).where(Event.review_id == review.id, Event.ref.in_(wanted)))
    )


def links_of(session: Session, review: Review, ref: str) -> tuple[list[Link], list[Link]]:
    """Links into ``ref`` and out of it."""
    links = session.scalars(
        select(Link)
        .where(Link.review_id == review.id, or_(Link.source == ref, Link.target == ref))
        .order_by(Link.id)
    ).all()
    return [lk for lk in links if lk.target == ref], [lk for lk in links if lk.source == ref]


def voice_of_kpes(session: Session, review: Review) -> dict[str, bool]:
    """For each KPE: does any family or child account, child's-voice evidence, or an event
    whose source is the child's voice or the family's account, speak to it?"""
    kpe_events: dict[str, set[str]] = {}
    voiced: set[str] = set()
    rows = session.execute(
        select(KeyPracticeEpisode.ref, Event.ref, Event.source)
        .outerjoin(Event, (Event.kpe_id == KeyPracticeEpisode.id) & Event.deleted_at.is_(None))
        .where(KeyPracticeEpisode.review_id == review.id)
    )
    for kpe_ref, event_ref, source in rows:
        kpe_events.setdefault(kpe_ref, set())
        if event_ref:
            kpe_events[kpe_ref].add(event_ref)
        if source in ("childs_voice", "family_account"):
            voiced.add(kpe_ref)
    accounts = [
        account_facts(a)
        for a in session.scalars(
            select(Account)
            .where(Account.review_id == review.id)
            .options(selectinload(Account.events))
        )
    ]
    factors = [
        factor_facts(f)
        for f in session.scalars(
            select(Factor)
            .where(Factor.review_id == review.id)
            .options(selectinload(Factor.evidence))
        )
    ]
    heard = voice_by_kpe({k: frozenset(v) for k, v in kpe_events.items()}, accounts, factors)
    return {ref: value or ref in voiced for ref, value in heard.items()}
