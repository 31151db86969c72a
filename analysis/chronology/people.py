"""People named in a chronology entry, found in its text and matched to the people register.

``find_people`` looks for every name, alias, pseudonym and ref of the register in a text, as
whole words and ignoring case. A full name is linked to its person. A given name or surname
on its own ("Ms Holt", "Kerry said"), written with its capital, is linked when one person in
the register has it; when several do it is reported as a question ("which Holt?") rather than
guessed. Titled names that match nobody ("PC Sam Other") are reported, so the user can add
them to the register.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analysis.anonymise.names import looks_like_a_name

# Titles that introduce a person's name in agency records.
TITLES = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "pc", "dc", "ds", "di", "psc", "sgt", "insp",
    "nurse", "sister", "hv", "sw", "cllr", "prof", "rev",
)  # fmt: skip
# The titles among them that only a practitioner holds ("PC 1234 Smith", "DS Kaur", "Dr Whitlow").
PRACTITIONER_TITLES = ("dr", "pc", "dc", "ds", "di", "psc", "sgt", "insp", "nurse", "sister",
                       "hv", "sw")  # fmt: skip
_PRACTITIONER_TITLE = re.compile(r"(?i:" + "|".join(PRACTITIONER_TITLES) + r")\.?\s")
_TITLED_NAME = re.compile(
    r"\b(?P<title>(?i:" + "|".join(TITLES) + r"))\.?\s+"
    r"(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?)"
)
_NAME_CHARS = r"[\w'\u2019-]"
# Two or three capitalised words that look like a name (``looks_like_a_name``): a person the
# register may not hold ("Gary Pike (neighbour) reported…"), offered for the register.
_UNTITLED_NAME = re.compile(
    r"(?<![\w'\u2019-])[A-Z][a-z]{1,20}(?:[ \t]+[A-Z][a-z][a-z-]*){1,2}(?![\w-])"
)


@dataclass(frozen=True)
class RegisterEntry:
    """A person in the register: ``ref``, ``label`` (the pseudonym) and every name for them."""

    ref: str
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Ambiguous:
    """A name in the text that several register people share: ``candidates`` are their refs."""

    name: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class PeopleFound:
    """Who a text names: linked refs (in order of first mention), questions, unmatched names."""

    refs: list[str] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Form:
    text: str
    refs: tuple[str, ...]
    specificity: int  # a full name beats a surname on its own
    ignore_case: bool = True


class PeopleMatcher:
    """The register compiled once, for many texts (an import reads thousands of rows)."""

    def __init__(self, register: Iterable[RegisterEntry], not_names: Iterable[str] = ()) -> None:
        """``not_names``: names of things (agencies, places) whose words are never taken for
        a person's name."""
        self._not_words = frozenset(w.casefold() for name in not_names for w in name.split())
        full: dict[str, list[str]] = {}
        # A given name or surname on its own, as written in the register (capitalised, so an
        # everyday word such as "will" or "may" in lower case is never taken for a name).
        parts: dict[str, list[str]] = {}
        for person in register:
            for name in person.names:
                cleaned = " ".join(name.split())
                if len(cleaned) < 2:
                    continue
                full.setdefault(cleaned.casefold(), []).append(person.ref)
                words = cleaned.split()
                # A pseudonym's words ("Police officer 1") are no one's given name.
                if len(words) > 1 and name not in (person.label, person.ref):
                    for word in (words[0], words[-1]):
                        if len(word) >= 3 and word[0].isupper() and word[1:].islower():
                            parts.setdefault(word, []).append(person.ref)
        forms: list[_Form] = []
        for text, refs in full.items():
            forms.append(_Form(text, tuple(dict.fromkeys(refs)), 2))
        for text, refs in parts.items():
            if text.casefold() not in full:
                forms.append(_Form(text, tuple(dict.fromkeys(refs)), 1, False))
        # Longer names first, so "Kerry Holt" is found before "Holt" inside it.
        self.forms = sorted(forms, key=lambda f: (-f.specificity, -len(f.text)))
        # Every form in one pattern, tried in that order at each place in a text: one pass
        # over each text whatever the size of the register, and a dictionary from what
        # matched back to its form (full names by their folded text, parts as written).
        self._full = {f.text: f for f in self.forms if f.ignore_case}
        self._parts = {f.text: f for f in self.forms if not f.ignore_case}
        alternatives = [
            (f"(?i:{words})" if f.ignore_case else words)
            for f in self.forms
            for words in [r"\s+".join(re.escape(word) for word in f.text.split())]
        ]
        self._pattern = (
            re.compile(rf"(?<!{_NAME_CHARS})(?:{'|'.join(alternatives)})(?!{_NAME_CHARS})")
            if alternatives
            else None
        )

    def _form_of(self, written: str) -> _Form | None:
        spaced = " ".join(written.split())
        return self._full.get(spaced.casefold()) or self._parts.get(spaced)

    def find(self, text: str) -> PeopleFound:
        """The register people ``text`` names; see the module's docstring for the rules."""
        taken: list[tuple[int, int]] = []
        hits: list[tuple[int, _Form, str]] = []
        for match in self._pattern.finditer(text) if self._pattern is not None else ():
            form = self._form_of(match.group(0))
            if form is not None:
                taken.append(match.span())
                hits.append((match.start(), form, match.group(0)))
        found = PeopleFound()
        for _start, form, written in sorted(hits, key=lambda hit: hit[0]):
            if len(form.refs) == 1:
                if form.refs[0] not in found.refs:
                    found.refs.append(form.refs[0])
            elif all(a.name.casefold() != written.casefold() for a in found.ambiguous):
                found.ambiguous.append(Ambiguous(" ".join(written.split()), form.refs))
        for match in _TITLED_NAME.finditer(text):
            start, end = match.span("name")
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append(match.span())
            name = " ".join(match.group(0).split())
            if name not in found.unmatched:
                found.unmatched.append(name)
        for match in _UNTITLED_NAME.finditer(text):
            start, end = match.span()
            words = match.group(0).split()
            if (
                any(start < t_end and t_start < end for t_start, t_end in taken)
                or not looks_like_a_name(words)
                or any(word.casefold() in self._not_words for word in words)
            ):
                continue
            name = " ".join(words)
            if name not in found.unmatched:
                found.unmatched.append(name)
        return found


def has_practitioner_title(name: str) -> bool:
    """Whether ``name`` begins with a title only a practitioner holds ("DS Kaur")."""
    return _PRACTITIONER_TITLE.match(name.strip()) is not None


def find_people(text: str, register: Sequence[RegisterEntry]) -> PeopleFound:
    """The register people named in ``text`` (a one-off: build a ``PeopleMatcher`` for many)."""
    return PeopleMatcher(register).find(text)
