"""Presenter mode: the workshop as slides (the agenda; for each key practice episode the
chronology as it could have been known at the time, the questions, and the graph revealed
step by step), with the hindsight guard that keeps later events and factors out of an
earlier episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from analysis.chronology.knowledge import as_known_at
from analysis.chronology.merge import EventFacts
from analysis.taxonomy import SYSTEM_LEVELS
from app.services.workshops.snapshot import RoomView, snapshot_nodes, upstream
from models import Workshop

# The order in which presenter mode reveals the graph.
REVEAL_STEPS: tuple[tuple[str, str], ...] = (
    ("events", "Events"),
    ("active_failure", "Active failures"),
    ("latent_condition", "Latent conditions"),
    ("protective", "Protective factors"),
)


def _event_facts(event: dict[str, Any]) -> EventFacts:
    return EventFacts(
        ref=event["ref"],
        agency=event.get("agency") or None,
        earliest=datetime.fromisoformat(event["earliest"]),
        latest=datetime.fromisoformat(event["latest"]),
        description=event.get("description", ""),
        people=frozenset(),
    )


def _known_refs(events: Sequence[dict[str, Any]], moment: datetime) -> list[str]:
    """The one place the workshop asks the chronology's "as known at" rule (so a change to
    how approximate dates count reaches every slide, handout and pack at once)."""
    return as_known_at([_event_facts(e) for e in events], moment)


def known_at_kpe(workshop: Workshop | RoomView, kpe: dict[str, Any]) -> list[dict[str, Any]]:
    """The chronology as it could have been known at the episode's end: its events and what
    came before them, never what came after (the hindsight guard)."""
    events = workshop.snapshot.get("events", [])
    by_ref = {e["ref"]: e for e in events}
    own = [by_ref[ref] for ref in kpe.get("events", []) if ref in by_ref]
    if not own:
        return []
    moment = max(datetime.fromisoformat(e["earliest"]) for e in own)
    return [by_ref[ref] for ref in _known_refs(events, moment)]


def _dated_by(workshop: Workshop | RoomView) -> dict[str, set[str]]:
    """For each factor, the events that date it: those its evidence cites; failing those,
    the events it links to; failing those, what dates the factors it links to."""
    snapshot = workshop.snapshot
    event_refs = {e["ref"] for e in snapshot.get("events", [])}
    factors = {f["ref"]: f for f in snapshot.get("factors", [])}
    out: dict[str, list[str]] = {}
    for link in snapshot.get("links", []):
        out.setdefault(link["source"], []).append(link["target"])
    dated: dict[str, set[str]] = {}

    def dates_of(ref: str, seen: frozenset[str]) -> set[str]:
        if ref in dated:
            return dated[ref]
        factor = factors[ref]
        found = {e for e in factor.get("evidence_events", []) if e in event_refs}
        found = found or {t for t in out.get(ref, []) if t in event_refs}
        if not found:
            for target in out.get(ref, []):
                if target in factors and target not in seen:
                    found |= dates_of(target, seen | {ref})
        dated[ref] = found
        return found

    for ref in factors:
        dates_of(ref, frozenset({ref}))
    return dated


def episode_factor_refs(workshop: Workshop | RoomView, kpe: dict[str, Any]) -> set[str]:
    """The factors an episode's material may show: those with a path of links into its own
    events and evidenced by events that could be known at its end (a protective factor seen
    months later stays out of an earlier episode)."""
    known = {e["ref"] for e in known_at_kpe(workshop, kpe)}
    links = workshop.snapshot.get("links", [])
    related = upstream(((lk["source"], lk["target"]) for lk in links), set(kpe["events"]))
    return {ref for ref, events in _dated_by(workshop).items() if ref in related and events & known}


def reveal_nodes(
    workshop: Workshop | RoomView, kpe: dict[str, Any] | None, step: int
) -> list[dict[str, Any]]:
    """The nodes shown at ``step`` of the graph reveal (0: events, 1: + active failures,
    2: + latent conditions, 3: + protective factors), for one KPE (its own events and the
    factors known by its end) or the whole workshop."""
    nodes = snapshot_nodes(workshop)
    events = set(kpe["events"]) if kpe else {e["ref"] for e in workshop.snapshot.get("events", [])}
    related = episode_factor_refs(workshop, kpe) if kpe else set(nodes)
    shown_types = {kind for kind, _label in REVEAL_STEPS[1 : step + 1]}
    return [
        node
        for ref, node in nodes.items()
        if (node["kind"] == "event" and ref in events)
        or (node["kind"] == "factor" and node["type"] in shown_types and ref in related)
    ]


def stage(workshop: Workshop | RoomView, kpe: dict[str, Any] | None, step: int) -> dict[str, Any]:
    """A graph slide zoomed to what it discusses: the episode's events and the factors of the
    type this step reveals, each factor with the refs it links to, by system level (top
    first); the types revealed before are named, not drawn."""
    nodes = reveal_nodes(workshop, kpe, step)
    kind = REVEAL_STEPS[step][0]
    links: dict[str, list[str]] = {}
    for link in workshop.snapshot.get("links", []):
        links.setdefault(link["source"], []).append(link["target"])
    shown = {n["ref"] for n in nodes}
    focus = [n for n in nodes if n["kind"] == "factor" and n["type"] == kind]
    rows = [
        {
            "level": level,
            "label": label,
            "nodes": [
                {**n, "targets": [t for t in links.get(n["ref"], []) if t in shown]}
                for n in focus
                if n["level"] == level
            ],
        }
        for level, label in SYSTEM_LEVELS.items()
    ]
    earlier = [n for n in nodes if n["kind"] == "factor" and n["type"] != kind]
    events = [n for n in nodes if n["kind"] == "event"]
    if focus:
        # The slide is about the factors: the events they reach, by ref and date only.
        reached = {t for n in focus for t in links.get(n["ref"], [])}
        events = [n for n in events if n["ref"] in reached]
    return {
        "rows": [row for row in rows if row["nodes"]],
        "events": events,
        "compact_events": bool(focus),
        "earlier": earlier,
    }


def presenter_slides(workshop: Workshop | RoomView) -> list[dict[str, Any]]:
    """The presentation: the agenda, then for each KPE the chronology as known at the time, the
    questions, and the graph revealed step by step."""
    slides: list[dict[str, Any]] = [{"kind": "title"}]
    kpes: list[dict[str, Any] | None] = list(workshop.snapshot.get("kpes", [])) or [None]
    for kpe in kpes:
        if kpe is not None:
            slides.append({"kind": "chronology", "kpe": kpe, "events": known_at_kpe(workshop, kpe)})
        slides.append({"kind": "questions", "kpe": kpe})
        for step, (_kind, label) in enumerate(REVEAL_STEPS):
            slides.append(
                {
                    "kind": "graph",
                    "kpe": kpe,
                    "step": step,
                    "label": label,
                    "nodes": reveal_nodes(workshop, kpe, step),
                    "stage": stage(workshop, kpe, step),
                }
            )
    return slides
