"""The pre-publication scan for identifying details, and redaction.

:func:`scan` finds what substitution cannot know: NHS numbers (with a valid Modulus 11
checksum), UK postcodes, UK phone numbers, email addresses, National Insurance numbers,
dates of birth (a date near "born", "DOB", "date of birth"…), street addresses (a house
number, a capitalised street name and a street suffix), the school and agency names given as
``places`` (a school also by its own name with any school phrase, "Oakfield Primary Academy"
for "Oakfield Primary School", or alone where it can only mean the school, "Oakfield's worry
box"; and a distinctive stem alone, "Oakfield", unless it names a road), register names
that survived substitution, ambiguous names, near-misses of register names (a capitalised
word one or two letters from a name of five or more letters, "Florance" for "Florence", and
not an English word) and titled names that are not in the register ("Mrs Janet Pike"),
reported as a possible name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from analysis.anonymise.identifiers import (
    _ADDRESS,
    _DATE,
    _EMAIL,
    _NHS,
    _NI,
    _NI_UNUSED_PREFIXES,
    _PHONE,
    _POSTCODE,
    _TITLED_NAME,
    _context,
    _is_address,
    _is_possible_name,
    _near_birth_word,
    _phone_is_uk,
    _school_patterns,
    nhs_number_is_valid,
)
from analysis.anonymise.model import HIT_KINDS, Hit, RegisterPerson
from analysis.anonymise.names import (
    _TITLE_WORDS,
    _ascii_fold,
    _is_english,
    _matcher,
    _name_matches,
    name_without_titles,
)
from analysis.anonymise.plain import _plain
from analysis.anonymise.substitute import _AMBIGUOUS, _candidates_in, _map_document
from analysis.documents.model import (
    Document,
    document_markdown,
    document_text,
)
from analysis.markdown import markdown_text

# --------------------------------------------------------------------------- near names

_CAPITALISED_WORD = re.compile(r"(?<![\w@.'’-])[A-Z][a-z]{3,}(?![\w@-])")


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts once), or
    ``limit + 1`` as soon as it is more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=32)
def _name_words(register: tuple[RegisterPerson, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Every word of the register's names (lower case), and those of five letters or more
    that a misspelling may be measured against."""
    words: set[str] = set()
    for person in register:
        for name in person.names:
            for token in name_without_titles(name):
                for part in token.split("-"):
                    words.add(_ascii_fold(part).lower().strip("'’"))
        for token in person.pseudonym.split():
            words.add(token.lower())
    long = tuple(sorted(w for w in words if len(w) >= 5 and w.isalpha()))
    return frozenset(words), long


def _near_names(text: str, register: Sequence[RegisterPerson]) -> Iterable[tuple[int, int]]:
    """Capitalised words one letter (names of five or six letters) or two (longer names)
    from a register name, with the same first letter, that are not English words:
    "Florance" for "Florence", "Quilfeather" for "Quillfeather"."""
    words, long = _name_words(tuple(register))
    if not long:
        return
    for match in _CAPITALISED_WORD.finditer(text):
        word = _ascii_fold(match.group(0)).lower()
        if word in words or word in _TITLE_WORDS:
            continue
        close = [
            name
            for name in long
            if name[0] == word[0]
            and _edit_distance(word, name, 1 if len(name) <= 6 else 2)
            <= (1 if len(name) <= 6 else 2)
        ]
        if close and not _is_english(word):
            yield match.span()


_Span = tuple[str, int, int, tuple[str, ...]]


def _spans(text: str, register: Sequence[RegisterPerson], places: Sequence[str]) -> Iterable[_Span]:
    for match in _EMAIL.finditer(text):
        yield "email", *match.span(), ()
    for match in _NHS.finditer(text):
        if nhs_number_is_valid(match.group(1) + match.group(3) + match.group(4)):
            yield "nhs_number", *match.span(), ()
    for match in _NI.finditer(text):
        if match.group(1) not in _NI_UNUSED_PREFIXES:
            yield "ni_number", *match.span(), ()
    for match in _PHONE.finditer(text):
        if _phone_is_uk(match.group(0)):
            yield "phone", *match.span(), ()
    for match in _POSTCODE.finditer(text):
        found = match.group(0)
        if found.isupper() or (
            found.islower() and " " in found and found[-2:] not in {"st", "nd", "rd", "th"}
        ):
            yield "postcode", *match.span(), ()
    for match in _DATE.finditer(text):
        if _near_birth_word(text, *match.span()):
            yield "date_of_birth", *match.span(), ()
    for match in _ADDRESS.finditer(text):
        if _is_address(match):
            yield "address", *match.span(), ()
    for pattern in _school_patterns(tuple(places)):
        for match in pattern.finditer(text):
            group = next((g for g in ("stem", "stem2") if match.groupdict().get(g)), None)
            yield "school", *(match.span(group) if group else match.span()), ()
    names = _name_matches(text, register)
    taken = [(n.start, n.end) for n in names]
    taken.extend(m.span() for m in _AMBIGUOUS.finditer(text))
    matcher = _matcher(tuple(register))
    if matcher.pseudonyms is not None:
        taken.extend(m.span() for m in matcher.pseudonyms.finditer(text))

    def is_free(start: int, end: int) -> bool:
        return not any(start < t_end and t_start < end for t_start, t_end in taken)

    for start, end in _near_names(text, register):
        if is_free(start, end):
            yield "near_name", start, end, ()
    for match in _TITLED_NAME.finditer(text):
        if is_free(*match.span()) and _is_possible_name(match):
            yield "possible_name", *match.span(), ()
    for name in names:
        candidates = tuple(p.pseudonym for p in name.candidates)
        if name.kind == "family":  # "the Ashdowns": the surname is what identifies
            yield "register_name", name.name_start, name.name_end, ()
        elif name.kind == "couple" or len(name.people) > 1:
            yield "ambiguous_name", name.start, name.name_end, candidates
        else:
            yield "register_name", name.start, name.name_end, ()
    for match in _AMBIGUOUS.finditer(text):
        yield "ambiguous_name", *match.span(), _candidates_in(match.group(0))


def scan(
    text: str,
    *,
    register: Sequence[RegisterPerson],
    places: Sequence[str] = (),
    location: str = "",
) -> list[Hit]:
    """Identifying details in ``text``, in order of position.

    When two findings overlap, the one of the earlier kind in :data:`HIT_KINDS` is kept if it
    covers the other (an email address is reported once, not also as the name inside it).
    Pseudonyms are never reported. Spaces and dashes pasted from a word processor (a
    non-breaking space inside a phone number) and invisible characters do not hide anything;
    ``start`` and ``end`` are positions in ``text`` as given.
    """
    if not text:
        return []
    plain = _plain(text)
    rank = {kind: index for index, kind in enumerate(HIT_KINDS)}
    found = sorted(
        set(_spans(plain.text, register, places)), key=lambda s: (rank[s[0]], s[1], -s[2])
    )
    kept: list[_Span] = []
    for span in found:
        _kind, start, end, _candidates = span
        if any(k_start <= start and end <= k_end for _, k_start, k_end, _ in kept):
            continue
        kept.append(span)
    kept.sort(key=lambda s: (s[1], rank[s[0]]))
    hits = []
    for kind, plain_start, plain_end, candidates in kept:
        start, end = plain.span(plain_start, plain_end)
        hits.append(
            Hit(kind, text[start:end], location, start, end, _context(text, start, end), candidates)
        )
    return hits


def scan_markdown(
    source: str,
    *,
    register: Sequence[RegisterPerson],
    places: Sequence[str] = (),
    location: str = "",
) -> list[Hit]:
    """:func:`scan` over Markdown ``source`` and over what a reader sees of it.

    Markup can hide a name from a scan of the source ("Ker**ry**", "K&#101;rry" render as
    "Kerry"), so the rendered text (tags removed, character references resolved) is scanned
    too; what it finds beyond the source's hits is added, with positions in the rendered text.
    """
    hits = scan(source, register=register, places=places, location=location)
    rendered = markdown_text(source)
    seen = {(hit.kind, _plain(hit.text).text) for hit in hits}
    for hit in scan(rendered, register=register, places=places, location=location):
        if (hit.kind, _plain(hit.text).text) not in seen:
            hits.append(hit)
    return hits


def scan_document(
    doc: Document, *, register: Sequence[RegisterPerson], places: Sequence[str] = ()
) -> list[Hit]:
    """:func:`scan` over every text of ``doc`` (see :func:`analysis.documents.document_text`),
    Markdown with :func:`scan_markdown`."""
    markdown = set(document_markdown(doc))
    hits: list[Hit] = []
    for location, text in document_text(doc):
        scanner = scan_markdown if (location, text) in markdown else scan
        hits.extend(scanner(text, register=register, places=places, location=location))
    return hits


REDACTED = "[identifying detail removed]"


def redact(
    text: str,
    *,
    register: Sequence[RegisterPerson],
    places: Sequence[str] = (),
    location: str = "",
    marker: str = REDACTED,
) -> tuple[str, list[Hit]]:
    """``text`` with everything :func:`scan` finds replaced by ``marker``, and the hits.

    For outputs that must not wait for the text to be fixed at source (a briefing): the
    reader sees that something was removed, never what.
    """
    hits = scan(text, register=register, places=places, location=location)
    pieces = []
    last = 0
    for hit in hits:  # in order of position; overlapping hits become one marker
        if hit.start >= last:
            pieces.append(text[last : hit.start])
            pieces.append(marker)
        last = max(last, hit.end)
    pieces.append(text[last:])
    return "".join(pieces), hits


def redact_document(
    doc: Document,
    *,
    register: Sequence[RegisterPerson],
    places: Sequence[str] = (),
    marker: str = REDACTED,
) -> tuple[Document, list[Hit]]:
    """:func:`redact` over every text of ``doc`` (SVG text included): the clean copy and
    every hit removed from it."""
    hits: list[Hit] = []

    def change(text: str) -> str:
        clean, found = redact(text, register=register, places=places, marker=marker)
        hits.extend(found)
        return clean

    return _map_document(doc, change), hits
