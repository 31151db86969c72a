"""Text as a reader sees it.

Both read the text as a reader sees it: spaces, hyphens and invisible characters pasted from
a word processor (a non-breaking space in a phone number) are read as plain ones, with what
is found mapped back to the text as written; :func:`scan_markdown` also scans Markdown as
rendered, where "Ker**ry**" and "K&#101;rry" are "Kerry".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --------------------------------------------------------------------------- plain text

# Text pasted from Word or Outlook holds characters that look like a space or a hyphen but
# are not one (a non-breaking space inside a phone number), and characters that show nothing
# (a zero-width space inside a name). Names and identifiers are looked for in a plain copy of
# the text, and what is found is mapped back to the text as written.
_SPACE_LIKE = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
_LINE_LIKE = "\u2028\u2029"
_DASH_LIKE = "\u2010\u2011\u2012\u2013\u2043\u2212\ufe63\uff0d"  # not the em dash: prose
_INVISIBLE = "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff"
_TO_PLAIN = str.maketrans(
    {
        **dict.fromkeys(_SPACE_LIKE, " "),
        **dict.fromkeys(_LINE_LIKE, "\n"),
        **dict.fromkeys(_DASH_LIKE, "-"),
        **dict.fromkeys(_INVISIBLE),
    }
)
_NOT_PLAIN = re.compile(f"[{_SPACE_LIKE}{_LINE_LIKE}{_DASH_LIKE}{_INVISIBLE}]")


@dataclass(frozen=True)
class _PlainText:
    """A plain copy of a text and, for each of its characters, where it was in the text."""

    text: str
    positions: tuple[int, ...] | None  # None: the copy is the text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as written that ``text[start:end]`` came from."""
        if self.positions is None:
            return start, end
        if start >= end:
            return self.positions[start], self.positions[start]
        return self.positions[start], self.positions[end - 1] + 1


def _plain(text: str) -> _PlainText:
    """``text`` with space-like characters as spaces, hyphen-like ones as "-", and invisible
    ones removed."""
    if not _NOT_PLAIN.search(text):
        return _PlainText(text, None)
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        plain = char.translate(_TO_PLAIN)
        chars.append(plain)
        positions.extend([index] * len(plain))
    positions.append(len(text))
    return _PlainText("".join(chars), tuple(positions))
