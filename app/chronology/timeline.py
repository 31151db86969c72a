"""The timeline drawn as SVG on the server: one swimlane per agency, KPE bands, and every
event a link. Every piece of user text goes through Markup escaping (Jinja-style)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import url_for
from markupsafe import Markup, escape

from app.services.chronology import when_of
from models import Event, Review

LANE_HEIGHT = 48
LABEL_WIDTH = 220
PLOT_WIDTH = 1400
TOP = 40
COLOURS = {
    "problematic": "#d4351c",
    "good_practice": "#00703c",
    "neutral": "#505a5f",
    "not_appraised": "#1d70b8",
}
SHAPES = {"problematic": "▲", "good_practice": "●", "neutral": "■", "not_appraised": "◆"}


def timeline_svg(review: Review, events: list[Event], text: Callable[[str], str] = str) -> Markup:
    """An SVG document (as safe markup) of ``events`` for the timeline page; ``text`` is the
    reader's view of each text (applied before a description is cut short)."""
    lanes: list[tuple[str | None, str]] = [(a.ref, text(a.name)) for a in review.agencies]
    if any(e.agency is None for e in events):
        lanes.append((None, "No agency"))
    lane_of = {ref: index for index, (ref, _name) in enumerate(lanes)}
    height = TOP + LANE_HEIGHT * max(1, len(lanes)) + 40
    width = LABEL_WIDTH + PLOT_WIDTH + 20
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline-svg" class="lr-timeline" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="group" aria-labelledby="timeline-caption">'
    ]
    if not events:
        parts.append('<text x="20" y="40">No events to show.</text></svg>')
        return Markup("".join(parts))  # noqa: S704 - built from escaped parts only
    start = min(e.sort_start for e in events)
    end = max(e.sort_end for e in events)
    span = max((end - start).total_seconds(), 86400.0)

    def x(moment: datetime) -> float:
        return LABEL_WIDTH + (moment - start).total_seconds() / span * PLOT_WIDTH

    for index, (_ref, name) in enumerate(lanes):
        y = TOP + index * LANE_HEIGHT
        parts.append(
            f'<rect x="0" y="{y}" width="{width}" height="{LANE_HEIGHT}" '
            f'class="lr-tl-lane{index % 2}"/><text x="8" y="{y + LANE_HEIGHT / 2 + 5}" '
            f'class="lr-tl-agency">{escape(name[:32])}</text>'
        )
    for year in range(start.year, end.year + 2):
        tick = datetime(year, 1, 1)
        if start <= tick <= end:
            at = x(tick)
            parts.append(
                f'<line x1="{at:.1f}" y1="{TOP - 10}" x2="{at:.1f}" y2="{height - 30}" '
                f'class="lr-tl-year"/><text x="{at + 3:.1f}" y="{TOP - 14}" '
                f'class="lr-tl-label">{year}</text>'
            )
    kpes: dict[str, list[Event]] = {}
    for event in events:
        if event.kpe is not None:
            kpes.setdefault(event.kpe.ref, []).append(event)
    for ref, members in kpes.items():
        left = x(min(e.sort_start for e in members))
        right = max(x(max(e.sort_end for e in members)), left + 6)
        title = escape(f"{ref}: {text(members[0].kpe.title)}")  # type: ignore[union-attr]
        parts.append(
            f'<rect x="{left - 3:.1f}" y="{TOP - 4}" width="{right - left + 6:.1f}" '
            f'height="{LANE_HEIGHT * len(lanes) + 8}" class="lr-tl-kpe"><title>{title}</title>'
            f'</rect><text x="{left:.1f}" y="{height - 12}" '
            f'class="lr-tl-label">{escape(ref)}</text>'
        )
    for event in events:
        lane = lane_of.get(event.agency.ref if event.agency else None, len(lanes) - 1)
        y = TOP + lane * LANE_HEIGHT + LANE_HEIGHT / 2
        left, right = x(event.sort_start), x(event.sort_end)
        colour = COLOURS.get(event.appraisal, COLOURS["not_appraised"])
        label = escape(
            f"{event.ref}, {when_of(event).display()}, "
            f"{text(event.agency.name) if event.agency else 'no agency'}, "
            f"{event.appraisal.replace('_', ' ')}: {text(event.description)[:120]}"
        )
        href = escape(url_for("chronology.event", review_id=review.id, ref=event.ref))
        bar = ""
        if right - left > 8:
            bar = (
                f'<rect x="{left:.1f}" y="{y - 3}" width="{right - left:.1f}" height="6" '
                f'fill="{colour}" opacity="0.35"/>'
            )
        mark = SHAPES.get(event.appraisal, "◆")
        parts.append(
            f'<a href="{href}" aria-label="{label}" class="lr-tl-event">{bar}'
            f'<text x="{(left + right) / 2:.1f}" y="{y + 6}" text-anchor="middle" '
            f'fill="{colour}" class="lr-tl-mark">{mark}</text><title>{label}</title></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of user text above is escaped
