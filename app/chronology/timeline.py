"""The timeline drawn as SVG on the server: one swimlane per agency, KPE bands, and every
event a link. Every piece of user text goes through Markup escaping (Jinja-style).

A big chronology is drawn at its zoom level: while more than MAX_MARKS events are in view,
each lane shows how many events fall in each year, month or day (counted in SQL, by
``app.event_queries``), and each count is a link that zooms into its period; only when few
enough are in view is each event drawn. The chronology table stays the accessible list of
every event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.event_queries import (
    EventFilters,
    all_events,
    counts_per_agency_and_period,
    extent,
    kpe_spans,
)
from app.services.chronology import when_of
from models import Event, Review

# Events drawn one by one up to this many in view; beyond it, counts per lane and period.
MAX_MARKS = 400

LANE_HEIGHT = 48
LABEL_WIDTH = 220
PLOT_WIDTH = 1400
TOP = 40
# The plot's x positions are percentages of its width, so that the page widens or narrows the
# drawing (zoom, "Show all") without stretching its text: from PLOT_FROM % to PLOT_TO %.
PLOT_FROM = 1.5
PLOT_TO = 96.5
COLOURS = {
    "problematic": "#d4351c",
    "good_practice": "#00703c",
    "neutral": "#505a5f",
    "not_appraised": "#1d70b8",
}
SHAPES = {"problematic": "▲", "good_practice": "●", "neutral": "■", "not_appraised": "◆"}


def timeline_svg(review: Review, events: list[Event], text: Callable[[str], str] = str) -> Markup:
    """The timeline of ``events`` (as safe markup): the agency names in a column of their own,
    which stays in view while the drawing beside it scrolls, and the drawing."""
    lanes: list[tuple[str | None, str]] = [(a.ref, text(a.name)) for a in review.agencies]
    if any(e.agency is None for e in events):
        lanes.append((None, "No agency"))
    lane_of = {ref: index for index, (ref, _name) in enumerate(lanes)}
    height = TOP + LANE_HEIGHT * max(1, len(lanes)) + 40
    if not events:
        return Markup(  # noqa: S704 - no user text
            f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline-svg" class="lr-timeline" '
            f'width="{PLOT_WIDTH}" height="80" role="group" aria-labelledby="timeline-caption">'
            f'<text x="20" y="40">No events to show.</text></svg>'
        )
    start = min(e.sort_start for e in events)
    end = max(e.sort_end for e in events)
    span = max((end - start).total_seconds(), 86400.0)

    def x(moment: datetime) -> float:
        return PLOT_FROM + (moment - start).total_seconds() / span * (PLOT_TO - PLOT_FROM)

    parts = _lanes_and_years(len(lanes), start, end, x, height)
    kpes: dict[str, list[Event]] = {}
    for event in events:
        if event.kpe is not None:
            kpes.setdefault(event.kpe.ref, []).append(event)
    for ref, members in kpes.items():
        title = escape(f"{ref}: {text(members[0].kpe.title)}")  # type: ignore[union-attr]
        left = x(min(e.sort_start for e in members))
        right = x(max(e.sort_end for e in members))
        parts.append(_band(left, right, len(lanes), height, title, escape(ref)))
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
        if right - left > 0.5:
            bar = (
                f'<rect x="{left:.3f}%" y="{y - 3}" width="{right - left:.3f}%" height="6" '
                f'fill="{colour}" opacity="0.35"/>'
            )
        mark = SHAPES.get(event.appraisal, "◆")
        parts.append(
            f'<a href="{href}" aria-label="{label}" class="lr-tl-event">{bar}'
            f'<text x="{(left + right) / 2:.3f}%" y="{y + 6}" text-anchor="middle" '
            f'fill="{colour}" class="lr-tl-mark">{mark}</text><title>{label}</title></a>'
        )
    return _drawing([name for _ref, name in lanes], height, parts)


# --- at the zoom level ------------------------------------------------------------------------

# (name, the shortest span counted in it): the events in view are counted in the first period
# whose shortest span theirs reaches.
PERIODS = (
    ("year", timedelta(days=3 * 366)),
    ("month", timedelta(days=92)),
    ("day", timedelta(0)),
)


@dataclass(frozen=True)
class TimelineView:
    svg: Markup
    count: int
    period: str | None  # "year", "month" or "day" when counts are drawn, None for events


def _period_bounds(name: str, key: str) -> tuple[date, date]:
    if name == "year":
        year = int(key)
        return date(year, 1, 1), date(year, 12, 31)
    if name == "month":
        year, month = (int(part) for part in key.split("-"))
        following = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), following - timedelta(days=1)
    day = date.fromisoformat(key)
    return day, day


def _period_label(name: str, first: date) -> str:
    if name == "year":
        return str(first.year)
    if name == "month":
        return f"{first:%b %Y}"
    return f"{first.day} {first:%b %Y}"


def timeline_view(
    session: Session, review: Review, filters: EventFilters, text: Callable[[str], str] = str
) -> TimelineView:
    """The timeline of the events matching ``filters``, drawn at its zoom level: a fixed
    number of SQL statements whatever the size of the chronology. ``text`` is the reader's
    view of each text (applied before a description is cut short)."""
    count, start, end = extent(session, review, filters)
    if count <= MAX_MARKS or start is None or end is None:  # no start or end: no events
        events = all_events(session, review, filters)
        return TimelineView(timeline_svg(review, events, text), count, None)
    span = end - start
    name = next(name for name, shortest in PERIODS if span >= shortest)
    rows = counts_per_agency_and_period(session, review, filters, name)
    bands = kpe_spans(session, review, filters)
    svg = _counts_svg(review, filters, name, rows, bands, start, end, text)
    return TimelineView(svg, count, name)


def _counts_svg(
    review: Review,
    filters: EventFilters,
    period: str,
    rows: Sequence[Any],
    bands: Sequence[Any],
    start: datetime,
    end: datetime,
    text: Callable[[str], str],
) -> Markup:
    names = {a.id: text(a.name) for a in review.agencies}
    lanes: list[tuple[int | None, str]] = list(names.items())
    if any(row.agency_id is None for row in rows):
        lanes.append((None, "No agency"))
    lane_of = {agency_id: index for index, (agency_id, _name) in enumerate(lanes)}
    height = TOP + LANE_HEIGHT * max(1, len(lanes)) + 40
    first = datetime.combine(min(_period_bounds(period, row.period)[0] for row in rows), time.min)
    last = datetime.combine(max(_period_bounds(period, row.period)[1] for row in rows), time.max)
    first, last = min(first, start), max(last, end)
    span = max((last - first).total_seconds(), 86400.0)

    def x(moment: datetime) -> float:
        return PLOT_FROM + (moment - first).total_seconds() / span * (PLOT_TO - PLOT_FROM)

    parts = _lanes_and_years(len(lanes), first, last, x, height)
    for band in bands:
        title = escape(f"{band.ref}: {text(band.title)}")
        parts.append(_band(x(band[2]), x(band[3]), len(lanes), height, title, escape(band.ref)))
    most = max(row.events for row in rows)
    base_args = {k: v for k, v in filters.as_args().items() if k not in ("from", "to")}
    for row in sorted(rows, key=lambda r: (lane_of.get(r.agency_id, 0), r.period)):
        lane = lane_of.get(row.agency_id, len(lanes) - 1)
        opening, closing = _period_bounds(period, row.period)
        left = x(datetime.combine(opening, time.min))
        right = x(datetime.combine(closing, time.max))
        y = TOP + lane * LANE_HEIGHT
        problematic = int(row.problematic or 0)
        colour = COLOURS["problematic"] if problematic else COLOURS["not_appraised"]
        agency = names.get(row.agency_id, "No agency")
        label = escape(
            f"{agency}, {_period_label(period, opening)}: {row.events} "
            f"{'event' if row.events == 1 else 'events'}"
            f"{f', {problematic} problematic' if problematic else ''}. Zoom in"
        )
        # Any, as url_for's own **values: a str value would be checked against _external.
        zoom: dict[str, Any] = {**base_args, "from": opening.isoformat(), "to": closing.isoformat()}
        href = escape(url_for("chronology.timeline", review_id=review.id, **zoom))
        opacity = 0.25 + 0.6 * row.events / most
        parts.append(
            f'<a href="{href}" aria-label="{label}" class="lr-tl-event lr-tl-count">'
            f'<rect x="{left + 0.05:.3f}%" y="{y + 8}" width="{max(right - left - 0.1, 0.2):.3f}%" '
            f'height="{LANE_HEIGHT - 16}" fill="{colour}" opacity="{opacity:.2f}"/>'
            f'<text x="{(left + right) / 2:.3f}%" y="{y + LANE_HEIGHT / 2 + 4}" '
            f'text-anchor="middle" class="lr-tl-label">{row.events}</text>'
            f"<title>{label}</title></a>"
        )
    return _drawing([name for _id, name in lanes], height, parts)


def _lanes_and_years(
    lanes: int,
    first: datetime,
    last: datetime,
    x: Callable[[datetime], float],
    height: float,
) -> list[str]:
    """The drawing's lanes and its year lines between ``first`` and ``last``: the same in the
    drawing of events and of counts."""
    parts: list[str] = []
    for index in range(lanes):
        parts.append(
            f'<rect x="0" y="{TOP + index * LANE_HEIGHT}" width="100%" height="{LANE_HEIGHT}" '
            f'class="lr-tl-lane{index % 2}"/>'
        )
    for year in range(first.year, last.year + 2):
        tick = datetime(year, 1, 1)
        if first <= tick <= last:
            at = x(tick)
            parts.append(
                f'<line x1="{at:.3f}%" y1="{TOP - 10}" x2="{at:.3f}%" y2="{height - 30}" '
                f'class="lr-tl-year"/><text x="{at:.3f}%" dx="3" y="{TOP - 14}" '
                f'class="lr-tl-label lr-tl-year-label">{year}</text>'
            )
    return parts


def _band(left: float, right: float, lanes: int, height: float, title: str, ref: str) -> str:
    """A key practice episode's band from ``left`` to ``right`` (percentages), with its ref."""
    return (
        f'<rect x="{left - 0.2:.3f}%" y="{TOP - 4}" width="{max(right - left, 0.2) + 0.4:.3f}%" '
        f'height="{LANE_HEIGHT * lanes + 8}" class="lr-tl-kpe"><title>{title}</title>'
        f'</rect><text x="{left:.3f}%" y="{height - 12}" class="lr-tl-label">{ref}</text>'
    )


def _drawing(names: list[str], height: float, parts: list[str]) -> Markup:
    """The agency names, a column that stays in view (it is sticky in the scrolling frame),
    beside the drawing ``parts``, whose width the page sets (zoom, "Show all")."""
    column = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lr-tl-names" width="{LABEL_WIDTH}" '
        f'height="{height}" aria-hidden="true" focusable="false">'
    ]
    for index, name in enumerate(names):
        y = TOP + index * LANE_HEIGHT
        column.append(
            f'<rect x="0" y="{y}" width="{LABEL_WIDTH}" height="{LANE_HEIGHT}" '
            f'class="lr-tl-lane{index % 2}"/><text x="8" y="{y + LANE_HEIGHT / 2 + 5}" '
            f'class="lr-tl-agency">{escape(name[:28])}</text>'
        )
    column.append("</svg>")
    drawing = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline-svg" class="lr-timeline" '
        f'width="{PLOT_WIDTH}" height="{height}" role="group" '
        f'aria-labelledby="timeline-caption">{"".join(parts)}</svg>'
    )
    # Every piece of user text in ``parts`` and ``names`` is escaped.
    return Markup(f'<div class="lr-tl-grid">{"".join(column)}{drawing}</div>')  # noqa: S704
