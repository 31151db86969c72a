"""Pseudonymisation of generated outputs.

:func:`substitute` replaces every real name and alias in the people register, and their
variants, by the person's pseudonym. Variants of "Zara Jane Quillfeather" are: the name as
registered, "Zara Quillfeather", "Zara", "Quillfeather", each part of a hyphenated name,
"Z. Quillfeather", "Zara Q.", "Z.J.Q.", "Z.Q." and "ZJQ"/"ZQ" (initials only as capitals, and
not when they are a common abbreviation such as "HV" or "SW"), with an optional title, rank
or role ("Mrs Quillfeather", "DS Quillfeather", "Revd Quillfeather"), in any letter case, and
possessives ("Zara's" -> "Mother's"). A title in the register ("PC Jordan Lisle") is never
taken for the first name, and a title alone ("a PC attended") is never replaced. Names that
are also ordinary words ("Hope", "Will", "Rose") or very short ones are only matched when
capitalised, so "we will hope" is left alone, and not when they open a sentence as the word
("Will the board ensure…"). Accents are optional ("Zoë" matches "Zoe") and a double name may
be joined by a dash or a space. Matching is whole-word and longest first, and a pseudonym in
the text is never changed. A variant shared by two people goes to the person for whom it is
most specific ("Wrenfield" is Tobias Wrenfield's surname, only part of Ottilie
Quillfeather-Wrenfield's); when several are equally likely (a family surname used alone or
with a title: "Mrs Quillfeather", "Mr and Mrs Quillfeather") it is given to none of them but
becomes a marker naming who it could be, "[which person? Child F or Mother]", which the scan
reports. A family by its surname ("the Quillfeathers", "the Quillfeathers' home", "the
Wrenfield family") becomes "the family" when several register people share the surname, or
"Father's family" when one does. Names inside a web or email address are not replaced (that
would break the address): the scan reports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from analysis.anonymise.model import RegisterPerson
from analysis.anonymise.names import (
    _SENTENCE_START,
    _Found,
    _Matcher,
    _matcher,
    _name_matches,
    _with_possessive,
)
from analysis.anonymise.plain import _plain
from analysis.documents.model import (
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
)

AMBIGUOUS_PERSON = "[which person? {}]"
AMBIGUOUS_PEOPLE = "[which people? {}]"
_AMBIGUOUS = re.compile(r"\[which (?:person|people)\? (?P<candidates>[^\]\n]+)\]")
_NOT_IN_REGISTER = "someone not in the register"


def _one_of(pseudonyms: Sequence[str]) -> str:
    if len(pseudonyms) < 2:
        return "".join(pseudonyms)
    return ", ".join(pseudonyms[:-1]) + " or " + pseudonyms[-1]


def _candidates_in(marker: str) -> tuple[str, ...]:
    match = _AMBIGUOUS.fullmatch(marker)
    if match is None:
        return ()
    listed = match.group("candidates")
    head, _, last = listed.rpartition(" or ")
    names = [*head.split(", "), last] if head else [last]
    return tuple(name for name in names if name != _NOT_IN_REGISTER)


def _replacement(found: _Found, text: str) -> str:
    """What a register name becomes: the pseudonym; for a family name a family phrase; for
    a name several people share a marker naming them, which the scan reports."""
    if found.kind == "couple":
        names = [p.pseudonym for p in found.candidates]
        if len(names) < 2:
            names.append(_NOT_IN_REGISTER)
        return AMBIGUOUS_PEOPLE.format(_one_of(names))
    if found.kind == "family":
        if len(found.people) == 1:
            # "the Colbecks" -> "Mother's partner's family"
            phrase = _with_possessive(found.people[0].pseudonym, "'s") + f" {found.noun}"
        else:
            # "the Ashdowns", shared by the child, mother and grandmother: "the family"
            article = text[found.start : found.start + 3] if found.has_article else ""
            if not article:
                article = "The" if _SENTENCE_START.search(text, 0, found.start) else "the"
            phrase = f"{article} {found.noun}"
        return _with_possessive(phrase, found.possessive)
    if len(found.people) > 1:
        marker = AMBIGUOUS_PERSON.format(_one_of([p.pseudonym for p in found.candidates]))
        return _with_possessive(marker, found.possessive)
    return _with_possessive(found.people[0].pseudonym, found.possessive)


def substitute(text: str, register: Sequence[RegisterPerson]) -> str:
    """``text`` with every register name and variant replaced by the person's pseudonym.

    A family surname used as a family ("the Ashdowns", "the Ashdown family") becomes a family
    phrase ("the family" when several register people share it, "Father's family" when one
    does). A name that several register people share, used alone or with a title ("Mrs
    Ashdown"), is given to none of them: it becomes ``[which person? Child F, Mother or
    Maternal grandmother]``, which :func:`scan` reports so the author can name the person.
    """
    return _substitute(text, tuple(register), None)


def substituter(register: Sequence[RegisterPerson]) -> Callable[[str], str]:
    """:func:`substitute` for one register, its patterns compiled once: for a caller that
    changes many texts (every value of a page, every row of an export)."""
    people = tuple(register)
    matcher = _matcher(people)
    if matcher.names is None:
        return lambda text: text
    return lambda text: _substitute(text, people, matcher)


def _substitute(text: str, register: tuple[RegisterPerson, ...], matcher: _Matcher | None) -> str:
    if not text:
        return text
    plain = _plain(text)
    pieces = []
    last = 0
    # A name inside a web or email address is left for the scan to report: replacing it
    # would break the address without making it safe.
    for found in _name_matches(plain.text, register, skip_links=True, matcher=matcher):
        replacement = _replacement(found, plain.text)
        matched = plain.text[found.start : found.end]
        # "seen by Z.Q." at the end of a sentence: keep the full stop the initials swallowed.
        if matched.endswith(".") and not replacement.endswith("."):
            following = plain.text[found.end :]
            if not following.strip() or re.match(r"\s*(?:\n|[A-Z])", following):
                replacement += "."
        start, end = plain.span(found.start, found.end)
        pieces.append(text[last:start])
        pieces.append(replacement)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def substitute_svg(svg: bytes, register: Sequence[RegisterPerson]) -> bytes:
    """An SVG with register names replaced in the text between its tags (what is shown)."""
    return _map_svg(svg, lambda text: substitute(text, register))


def _map_svg(svg: bytes, change: Callable[[str], str]) -> bytes:
    source = svg.decode("utf-8", errors="replace")
    parts = re.split(r"(<[^>]*>)", source)
    return "".join(part if part.startswith("<") else change(part) for part in parts).encode("utf-8")


def _map_block(
    block: Paragraph | Markdown | BulletList | Table | Figure | Note,
    change: Callable[[str], str],
) -> Paragraph | Markdown | BulletList | Table | Figure | Note:
    if isinstance(block, Paragraph | Note):
        return replace(block, text=change(block.text))
    if isinstance(block, Markdown):
        return Markdown(change(block.source))
    if isinstance(block, BulletList):
        return BulletList(tuple(change(item) for item in block.items))
    if isinstance(block, Table):
        return Table(
            tuple(change(h) for h in block.headers),
            tuple(tuple(change(c) for c in row) for row in block.rows),
        )
    return replace(
        block,
        caption=change(block.caption),
        svg=_map_svg(block.svg, change) if block.svg is not None else None,
    )


def _map_document(doc: Document, change: Callable[[str], str]) -> Document:
    """A copy of ``doc`` with ``change`` applied to every text, SVG text included."""
    return replace(
        doc,
        title=change(doc.title),
        subtitle=change(doc.subtitle),
        sections=tuple(
            Section(
                change(section.heading),
                tuple(_map_block(block, change) for block in section.blocks),
                section.level,
            )
            for section in doc.sections
        ),
    )


def substitute_document(doc: Document, register: Sequence[RegisterPerson]) -> Document:
    """A copy of ``doc`` with :func:`substitute` applied to every text, SVG text included.

    PNG figures cannot be changed: draw them from pseudonymised data.
    """
    return _map_document(doc, lambda text: substitute(text, register))
