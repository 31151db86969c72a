"""What a drawing is made of: its views and limits, each node type's look, and label text.

Shape, outline, colour (the Okabe-Ito palette, safe for colour-blind readers) and a text
marker (AF, LC, PF, CX) each tell the factor types apart, so the picture also reads in
greyscale; protective links are dashed with a bar for a head.

Every piece of user text is escaped before it reaches DOT (``dot_string``), and no user
text is put in a URL, href or id: nodes are named ``n0``, ``n1``…
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VIEWS = ("accimap", "kpe", "event")


DEFAULT_MAX_NODES = 300
EVENTS_ROW = "events"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What a drawing falls back to, level by level, when even the collapsed graph is too big:
# the front line first, then upwards, the family's circumstances last.
_LEVELS_BY_PRIORITY = ("practice", "team", "organisation", "partnership", "national")


class DrawError(ValueError):
    """The view or ref asked for does not exist (the message says which and why)."""


@dataclass(frozen=True)
class Look:
    """How one kind of node is drawn: a text marker, a shape, a line style and colours.
    ``colour`` is the outline (an Okabe-Ito colour), ``fill`` a light tint of it."""

    marker: str
    name: str
    shape: str
    style: str
    colour: str
    fill: str
    penwidth: float = 1.5


FACTOR_LOOKS: dict[str, Look] = {
    "active_failure": Look("AF", "Active failure", "box", "filled,bold", "#D55E00", "#FBE1D1", 3),
    "latent_condition": Look(
        "LC", "Latent condition", "box", "filled,rounded", "#0072B2", "#D6E8F5"
    ),
    "protective": Look("PF", "Protective factor", "ellipse", "filled,dashed", "#009E73", "#D4F0E6"),
    "context": Look("CX", "Context", "note", "filled,dotted", "#666666", "#EEEEEE"),
}
EVENT_LOOKS: dict[str, Look] = {
    "problematic": Look("!", "Problematic event", "box", "filled", "#E69F00", "#FCEBC7", 2),
    "good_practice": Look("✓", "Good practice", "box", "filled", "#56B4E9", "#E3F2FB", 2),
    "neutral": Look("", "Neutral event", "box", "filled", "#555555", "#FFFFFF", 1),
    "not_appraised": Look(
        "?", "Not yet appraised", "box", "filled,dashed", "#555555", "#FFFFFF", 1
    ),
}
KPE_LOOK = Look("KPE", "Key practice episode", "box3d", "filled", "#555555", "#FFFFFF", 1.5)
_FALLBACK_FACTOR_LOOK = Look("?", "Factor", "box", "filled", "#555555", "#FFFFFF")


# --- text ------------------------------------------------------------------------------------

_CONTROL_TO_SPACE = {code: " " for code in (*range(32), 127)}


def plain_text(text: object) -> str:
    """User text on one line: control characters (newlines included) become spaces."""
    return " ".join(str(text).translate(_CONTROL_TO_SPACE).split())


def dot_string(text: object) -> str:
    """``text`` as the inside of a DOT double-quoted string that Graphviz shows literally.

    Backslashes are doubled (so ``\\n``, ``\\N``, ``\\G`` and ``\\l`` in user text are not
    escape sequences), quotes are escaped (so the string cannot end early), control
    characters become spaces, and ``&`` becomes ``&amp;`` (Graphviz reads HTML entities in
    labels, so ``&lt;`` would otherwise show as ``<``). Graphviz escapes ``<``, ``>`` and
    ``&`` itself when writing SVG.
    """
    value = plain_text(text).replace("&", "&amp;")
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _label_lines(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` wrapped at word boundaries into at most ``max_lines`` lines of ``width``
    characters (long words are cut), the last ending in an ellipsis when text was left out."""
    lines: list[str] = []
    current = ""
    words = plain_text(text).split(" ")
    for word in words:
        while len(word) > width:  # a word longer than a line is cut
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    lines = lines or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines


def _dot_label(lines: Iterable[str]) -> str:
    """Lines of user text as one quoted DOT label, each escaped, joined with ``\\n``."""
    return '"' + "\\n".join(dot_string(line) for line in lines) + '"'


def display_date(value: str | None) -> str:
    """``2023`` → ``2023``, ``2023-06`` → ``Jun 2023``, ``2023-06-14`` → ``14 Jun 2023``,
    ``2023-06-17T23:40`` → ``17 Jun 2023 23:40``."""
    if not value:
        return "date unknown"
    day, _sep, time = value.replace(" ", "T", 1).partition("T")
    parts = day.split("-")
    try:
        if len(parts) == 3:
            shown = f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
            if time:
                hours, _colon, minutes = time.partition(":")
                shown += f" {int(hours):02d}:{int(minutes[:2]):02d}"
            return shown
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return plain_text(value)
    return plain_text(value)


def _date_key(value: str | None) -> tuple[int, str]:
    return (0, value) if value else (1, "")
