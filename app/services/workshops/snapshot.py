"""A workshop's material and how the room sees it.

The snapshot is taken when the workshop is planned: the chosen key practice episodes, their
events (the chronology up to the last of them, never after), the factors linked into them and
the links, every text pseudonymised. ``RoomView`` is that material as participants and the
projected screen see it, every other identifying detail masked.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.services.anonymity import Anonymiser, agency_label, anonymiser_for, hit_rows
from app.services.chronology import kpes_of, when_of
from app.services.graph import event_title
from models import Event, Factor, Link, Review, Workshop


def upstream(links: Iterable[tuple[str, str]], targets: Iterable[str]) -> set[str]:
    """Every ref with a path of links (source, target) into one of ``targets`` (the targets
    included)."""
    into: dict[str, list[str]] = {}
    for source, target in links:
        into.setdefault(target, []).append(source)
    seen = set(targets)
    queue = deque(seen)
    while queue:
        for source in into.get(queue.popleft(), []):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def build_snapshot(session: Session, review: Review, kpe_refs: Sequence[str]) -> dict[str, Any]:
    """The workshop's material: chosen KPEs, their events (and the chronology up to the last
    of them, never after: no hindsight), the factors linked into them and the links, with every
    text pseudonymised."""
    # Stored with pseudonyms; what the scanner would still find is masked when shown
    # (``RoomView``) and listed for the facilitator (``room_warnings``).
    clean = anonymiser_for(session, review).pseudonymise_places

    all_kpes = kpes_of(session, review)
    chosen = [k for k in all_kpes if not kpe_refs or k.ref in kpe_refs]
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.review_id == review.id,
                Event.deleted_at.is_(None),
                Event.merged_into_id.is_(None),
            )
            .order_by(Event.sort_start, Event.id)
        )
    )
    factors = list(
        session.scalars(
            select(Factor)
            .where(Factor.review_id == review.id)
            .options(selectinload(Factor.evidence))
        )
    )
    links = list(session.scalars(select(Link).where(Link.review_id == review.id)))
    chosen_refs = {k.ref for k in chosen}
    kpe_events = [e for e in events if e.kpe is not None and e.kpe.ref in chosen_refs]
    if kpe_refs:
        horizon = max((e.sort_start for e in kpe_events), default=None)
        events = [e for e in events if horizon is not None and e.sort_start <= horizon]
        keep = upstream(((lk.source, lk.target) for lk in links), {e.ref for e in kpe_events})
        # Protective factors mitigate: they point at events too, so they are upstream already.
        factors = [f for f in factors if f.ref in keep]
    node_refs = {e.ref for e in events} | {f.ref for f in factors}
    return {
        "kpes": [
            {
                "ref": k.ref,
                "title": clean(k.title),
                "summary": clean(k.summary),
                "events": [e.ref for e in kpe_events if e.kpe is not None and e.kpe.ref == k.ref],
            }
            for k in chosen
        ],
        "events": [
            {
                "ref": e.ref,
                "date": e.date,
                "when": when_of(e).display(),
                "earliest": e.sort_start.isoformat(),
                "latest": e.sort_end.isoformat(),
                "agency": agency_label(e.agency),
                "title": clean(event_title(e.description)),
                "description": clean(e.description),
                "appraisal": e.appraisal,
                "kpe": e.kpe.ref if e.kpe else None,
            }
            for e in events
        ],
        "factors": [
            {
                "ref": f.ref,
                "label": clean(f.label),
                "type": f.type,
                "level": f.level,
                "description": clean(f.description),
                # The events the factor's evidence cites: what dates it (no hindsight).
                "evidence_events": sorted(
                    {ev.event.ref for ev in f.evidence if ev.event is not None}
                ),
            }
            for f in sorted(factors, key=lambda f: f.id)
        ],
        "links": [
            {"source": lk.source, "target": lk.target, "relation": lk.relation}
            for lk in sorted(links, key=lambda lk: lk.id)
            if lk.source in node_refs and lk.target in node_refs
        ],
    }


def snapshot_nodes(workshop: Workshop | RoomView) -> dict[str, dict[str, Any]]:
    """The workshop's nodes by ref: events (kind "event") and factors (kind "factor")."""
    nodes: dict[str, dict[str, Any]] = {}
    for event in workshop.snapshot.get("events", []):
        nodes[event["ref"]] = {**event, "kind": "event", "label": event["title"]}
    for factor in workshop.snapshot.get("factors", []):
        nodes[factor["ref"]] = {**factor, "kind": "factor"}
    return nodes


class RoomView:
    """A workshop as participants and the projected screen see it: its title, agenda,
    questions and snapshot through ``Anonymiser.for_room`` (pseudonyms, "the school", every
    other identifying detail masked), whatever was typed into them and whenever a name joined
    the people register. Everything else is read from the workshop; nothing is written.
    With ``mask=False`` (the handout, which is refused rather than masked) details stay for
    the scanner to find."""

    def __init__(self, workshop: Workshop, anonymiser: Anonymiser, *, mask: bool = True) -> None:
        self.workshop = workshop
        self.anonymiser = anonymiser
        self.clean = anonymiser.for_room if mask else anonymiser.pseudonymise_places
        self._labels: dict[str, str] = {}

    # Each part is cleaned when first read: the board, polled every two seconds, reads only
    # the labels of the nodes it lists (``label``), not every event's description.
    @cached_property
    def title(self) -> str:
        return self.clean(self.workshop.title)

    @cached_property
    def agenda(self) -> str:
        return self.clean(self.workshop.agenda)

    @cached_property
    def questions(self) -> list[str]:
        return [self.clean(q) for q in self.workshop.questions]

    @cached_property
    def snapshot(self) -> dict[str, Any]:
        clean, snapshot = self.clean, self.workshop.snapshot or {}
        return {
            **snapshot,
            "kpes": [
                {**k, "title": clean(k["title"]), "summary": clean(k.get("summary", ""))}
                for k in snapshot.get("kpes", [])
            ],
            "events": [
                {**e, "title": clean(e["title"]), "description": clean(e.get("description", ""))}
                for e in snapshot.get("events", [])
            ],
            "factors": [
                {**f, "label": clean(f["label"]), "description": clean(f.get("description", ""))}
                for f in snapshot.get("factors", [])
            ],
        }

    @cached_property
    def _raw_nodes(self) -> dict[str, dict[str, Any]]:
        return snapshot_nodes(self.workshop)

    def label(self, ref: str) -> str:
        """The cleaned label of node ``ref`` (its ref when the snapshot has no such node)."""
        if ref not in self._labels:
            raw = self._raw_nodes.get(ref, {}).get("label", ref)
            self._labels[ref] = self.clean(raw)
        return self._labels[ref]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.workshop, name)


def room_view(session: Session, workshop: Workshop | RoomView) -> RoomView:
    """The workshop as the room may see it (see ``RoomView``)."""
    if isinstance(workshop, RoomView):
        return workshop
    review = session.get_one(Review, workshop.review_id)
    return RoomView(workshop, anonymiser_for(session, review))


def room_warnings(session: Session, workshop: Workshop) -> list[dict[str, str]]:
    """For the facilitator: what the room would see masked, by where it was typed, so it can
    be fixed at its source (names are replaced by pseudonyms without a warning)."""
    review = session.get_one(Review, workshop.review_id)
    anonymiser = anonymiser_for(session, review)
    texts: list[tuple[str, str]] = [("Title", workshop.title), ("Agenda", workshop.agenda)]
    texts += [(f"Question {n}", q) for n, q in enumerate(workshop.questions, start=1)]
    for kpe in (workshop.snapshot or {}).get("kpes", []):
        texts += [
            (f"{kpe['ref']} title", kpe["title"]),
            (f"{kpe['ref']} summary", kpe.get("summary", "")),
        ]
    for event in (workshop.snapshot or {}).get("events", []):
        texts.append((f"Event {event['ref']}", event.get("description", "")))
    for factor in (workshop.snapshot or {}).get("factors", []):
        texts.append(
            (f"Factor {factor['ref']}", f"{factor['label']}\n{factor.get('description', '')}")
        )
    hits = [h for where, text in texts for h in anonymiser.room_hits(text, where)]
    return hit_rows(hits)
