"""The import preview.

``build_preview`` maps the columns and checks every row against the review, so the user sees
what will be stored, every row error with its row number, and likely duplicates, before
anything is stored.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from difflib import SequenceMatcher

from analysis.chronology.dates import DateParseError, When, parse_cell
from analysis.chronology.importing.model import (
    _ALIASES,
    _APPRAISAL_ALIASES,
    APPRAISALS,
    EXAMPLE_MARKER,
    FIELDS,
    REF_PATTERN,
    ColumnMapping,
    Duplicate,
    ExistingEvent,
    ImportContext,
    ImportPreview,
    ImportRow,
    RawRow,
    RawTable,
    RowError,
    RowFix,
    fold,
)
from analysis.chronology.people import PeopleMatcher
from analysis.taxonomy import SOURCE_KINDS

DUPLICATE_SIMILARITY = 0.6
# Bounds on the duplicate search, which would otherwise grow with rows x events per day.
_COMPARED_CHARS = 2000
_WORDS_WORTH_DIFFING = 0.3
_MAX_DIFFS = 20_000
_MAX_COMPARED_PER_ROW = 50


_HEADER_NOISE = re.compile(r"[\s._/-]+")
_HEADER_HINT = re.compile(r"\(.*?\)|\[.*?\]")


def _header_key(name: str) -> str:
    # "Date (dd/mm/yyyy)": a hint in brackets is for the person filling the sheet in.
    return _HEADER_NOISE.sub("", _HEADER_HINT.sub("", name)).casefold()


_FIELD_BY_KEY = {_header_key(name): name for name in FIELDS} | {
    _header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases
}
COLUMN_ALIASES = {key: name for key, name in _FIELD_BY_KEY.items() if key != name}


def guess_field(header: str) -> str | None:
    """The field a header names (``"Action/Outcome"`` is ``outcome``), or None."""
    return _FIELD_BY_KEY.get(_header_key(header))


def map_columns(
    headers: Sequence[str],
    *,
    has_default_agency: bool = False,
    chosen: dict[str, str | None] | None = None,
) -> ColumnMapping:
    """Match header names to fields, ignoring case, spaces and ``._-/``, and hints in brackets.

    Takes the header cells, whether the import names one agency for the whole file (then an
    ``agency`` column is not required) and the user's ``chosen`` fields by header text (None
    leaves a column out; a header not named keeps its guess). Returns the ``ColumnMapping``:
    a later column with the same meaning as an earlier one is listed in ``repeated`` and left
    out, like unknown columns. Raises ``ValueError`` for a chosen field that does not exist.
    """
    chosen = chosen or {}
    for wanted in chosen.values():
        if wanted is not None and wanted not in FIELDS:
            raise ValueError(
                f"There is no field {wanted!r}: choose one of {', '.join(FIELDS)}, or none."
            )
    fields: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    columns: list[tuple[str, str | None]] = []
    for index, name in enumerate(headers):
        field_name = chosen[name] if name in chosen else guess_field(name)
        if field_name is None:
            if name.strip():
                unknown.append(name)
        elif field_name in fields.values():
            repeated.append(name)
            field_name = None
        else:
            fields[index] = field_name
        columns.append((name, field_name))
    required = ["date", "description"] if has_default_agency else ["date", "agency", "description"]
    missing = [name for name in required if name not in fields.values()]
    return ColumnMapping(fields, unknown, missing, repeated, columns)


def _text(value: object) -> str:
    """A cell as text, stripped: numbers without a spurious ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time.min:
        value = value.date()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _choice_key(text: str) -> str:
    """``"Child's voice"`` and ``"childs-voice"`` both become ``childs_voice``."""
    without_apostrophes = re.sub("['\u2019]", "", text.casefold())
    return re.sub(r"[^a-z0-9]+", "_", without_apostrophes).strip("_")


_SOURCE_BY_KEY = {_choice_key(key): key for key in SOURCE_KINDS} | {
    _choice_key(label): key for key, label in SOURCE_KINDS.items()
}
_APPRAISAL_BY_KEY = {key: key for key in APPRAISALS} | _APPRAISAL_ALIASES


@dataclass
class _Preview:
    """The preview being built, one row at a time."""

    context: ImportContext
    headers: list[str]
    column_of: dict[str, int]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_agencies: dict[str, str] = field(default_factory=dict)
    unknown_people: dict[str, str] = field(default_factory=dict)
    refs_seen: dict[str, int] = field(default_factory=dict)
    fixes: dict[int, RowFix] = field(default_factory=dict)
    matcher: PeopleMatcher | None = None
    linked_people: dict[str, int] = field(default_factory=dict)
    ambiguous_people: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, row: RawRow, name: str) -> object:
        fix = self.fixes.get(row.number)
        if fix is not None and name in ("date", "time", "agency", "description"):
            fixed = getattr(fix, name)
            if fixed is not None:
                return fixed
        index = self.column_of.get(name)
        return row.cells[index] if index is not None else None

    def add(self, row: RawRow) -> None:
        problems: list[tuple[str, str]] = []
        when = self._when(row, problems)
        description = _text(self.cell(row, "description"))
        if not description:
            problems.append(("description", "The description is empty: say what happened."))
        elif description.startswith(EXAMPLE_MARKER):
            problems.append(("description", "This is the template's example row: delete it."))
        source, source_detail = self._source(row)
        appraisal = self._choice(row, "appraisal", _APPRAISAL_BY_KEY, "not_appraised", problems)
        kpe = self._kpe(row, problems)
        ref = self._ref(row, problems)
        if problems or when is None:
            self.errors.extend(
                RowError(row.number, self._header(name), message) for name, message in problems
            )
            return
        agency_name = self._agency_name(row)
        agency_ref = self.context.agencies.get(fold(agency_name)) if agency_name else None
        if agency_name and agency_ref is None:
            self.unknown_agencies.setdefault(fold(agency_name), agency_name)
        people, unknown_people = self._people(row)
        # Names in the file's people column that match nobody are kept in the text (as the
        # preview says), so nothing the agency wrote is lost.
        unwritten = [n for n in unknown_people if fold(n) not in fold(description)]
        if unwritten:
            description = f"{description}\n\n{self._header('people')}: {'; '.join(unwritten)}"
        ambiguous: list[str] = []
        outcome = _text(self.cell(row, "outcome"))
        if self.matcher is not None:
            found = self.matcher.find(f"{description}\n{outcome}")
            people.extend(linked for linked in found.refs if linked not in people)
            for question in found.ambiguous:
                ambiguous.append(question.name)
                self.ambiguous_people.setdefault(question.name, list(question.candidates))
            written_agency = fold(f"{agency_name} {source_detail}")
            for name in found.unmatched:
                if fold(name) in written_agency:
                    continue  # the agency's or team's own name, not a person
                if name not in unknown_people:
                    unknown_people.append(name)
                    self.unknown_people.setdefault(fold(name), name)
        for person in people:
            self.linked_people[person] = self.linked_people.get(person, 0) + 1
        self.rows.append(
            ImportRow(
                number=row.number,
                ref=ref,
                when=when,
                agency_name=agency_name,
                agency_ref=agency_ref,
                description=description,
                source=source,
                source_detail=source_detail,
                people=people,
                unknown_people=unknown_people,
                appraisal=appraisal,
                kpe=kpe,
                outcome=outcome,
                order=self._sequence(row),
                written_date=_text(self.cell(row, "date")),
                ambiguous_people=ambiguous,
            )
        )

    def _source(self, row: RawRow) -> tuple[str, str | None]:
        """The source kind, and the detail: a Source value that is no kind is the agency's own
        label ("MASH", "Early Help"), kept as the detail, never an error."""
        detail = _text(self.cell(row, "source_detail"))
        written = _text(self.cell(row, "source"))
        if not written:
            return "agency_record", detail or None
        kind = _SOURCE_BY_KEY.get(_choice_key(written))
        if kind is not None:
            return kind, detail or None
        joined = f"{written} \u00b7 {detail}" if detail and detail != written else written
        return "agency_record", joined[:300]

    def _sequence(self, row: RawRow) -> int:
        written = _text(self.cell(row, "sequence"))
        digits = re.search(r"\d+", written)
        return int(digits.group(0)) if digits else 0

    def _header(self, name: str) -> str:
        index = self.column_of.get(name)
        return self.headers[index] if index is not None else name

    def _when(self, row: RawRow, problems: list[tuple[str, str]]) -> When | None:
        precision = _text(self.cell(row, "date_precision")) or None
        try:
            return parse_cell(
                self.cell(row, "date"),
                precision,
                self.cell(row, "end_date"),
                time_value=self.cell(row, "time"),
                end_time_value=self.cell(row, "end_time"),
                latest_year=self.context.latest_year,
            )
        except DateParseError as error:
            problems.append(("date", str(error)))
            return None

    def _choice(
        self,
        row: RawRow,
        name: str,
        allowed: dict[str, str],
        default: str,
        problems: list[tuple[str, str]],
    ) -> str:
        written = _text(self.cell(row, name))
        if not written:
            return default
        value = allowed.get(_choice_key(written))
        if value is None:
            choices = ", ".join(
                sorted({key.replace("_", " ").capitalize() for key in allowed.values()})
            )
            problems.append((name, f"Unknown {name} {written!r}: use one of {choices}."))
            return default
        return value

    def _kpe(self, row: RawRow, problems: list[tuple[str, str]]) -> str | None:
        written = _text(self.cell(row, "kpe"))
        if not written:
            return None
        kpe = self.context.kpes.get(fold(written))
        if kpe is None:
            problems.append(
                ("kpe", f"No key practice episode {written!r} in this review: add it first.")
            )
        return kpe

    def _ref(self, row: RawRow, problems: list[tuple[str, str]]) -> str | None:
        ref = _text(self.cell(row, "ref"))
        if not ref:
            return None
        if REF_PATTERN.fullmatch(ref) is None:
            problems.append(
                (
                    "ref",
                    f"The ref {ref!r} may only use letters, digits and _ . : - (at most 64).",
                )
            )
        elif ref in self.context.used_refs:
            problems.append(("ref", f"The ref {ref!r} is already used in this review."))
        elif ref in self.refs_seen:
            problems.append(("ref", f"The ref {ref!r} is also used on row {self.refs_seen[ref]}."))
        else:
            self.refs_seen[ref] = row.number
        return ref

    def _agency_name(self, row: RawRow) -> str | None:
        # With no agency column, the agency named for the whole file applies to every row;
        # with one, a blank cell means no agency (a birth, family context).
        fix = self.fixes.get(row.number)
        if fix is not None and fix.agency is not None:
            return fix.agency.strip() or None
        if "agency" not in self.column_of:
            return self.context.default_agency
        return _text(self.cell(row, "agency")) or None

    def _people(self, row: RawRow) -> tuple[list[str], list[str]]:
        known: list[str] = []
        unknown: list[str] = []
        for written in re.split(r"[;,\n]", _text(self.cell(row, "people"))):
            name = " ".join(written.split())
            ref = self.context.people.get(fold(name))
            if ref is not None and ref not in known:
                known.append(ref)
            elif ref is None and name and name not in unknown:
                unknown.append(name)
                self.unknown_people.setdefault(fold(name), name)
        return known, unknown


@dataclass(frozen=True)
class _Comparable:
    """A text ready to compare: normalised words, cut to a length difflib can afford."""

    text: str
    words: frozenset[str]

    @classmethod
    def of(cls, description: str) -> _Comparable:
        text = " ".join(re.findall(r"\w+", description.casefold()))[:_COMPARED_CHARS]
        return cls(text, frozenset(text.split()))

    def word_overlap(self, other: _Comparable) -> float:
        """The Jaccard index of the two texts' words."""
        union = self.words | other.words
        return len(self.words & other.words) / len(union) if union else 1.0

    def text_ratio(self, other: _Comparable) -> float:
        """difflib's ratio of the two texts, which forgives typos (and costs more)."""
        matcher = SequenceMatcher(None, self.text, other.text, autojunk=False)
        if matcher.real_quick_ratio() < DUPLICATE_SIMILARITY:
            return 0.0
        return matcher.ratio()


def _find_duplicates(
    rows: Sequence[ImportRow], existing: Iterable[ExistingEvent]
) -> list[Duplicate]:
    """For each row, the existing event on the same day most like it, from any agency (the
    same happening is often recorded by others); the same agency wins a tie."""
    by_day: dict[str, list[tuple[ExistingEvent, _Comparable]]] = {}
    for event in existing:
        by_day.setdefault(event.when.date[:10], []).append(
            (event, _Comparable.of(event.description))
        )
    found: list[Duplicate] = []
    diffs_left = _MAX_DIFFS
    for row in rows:
        text = _Comparable.of(row.description)
        best: tuple[float, bool, ExistingEvent] | None = None
        for event, other in by_day.get(row.when.date[:10], [])[:_MAX_COMPARED_PER_ROW]:
            similarity = text.word_overlap(other)
            # difflib is quadratic: it weighs in (for typos) only when many words are shared,
            # and only so often per file.
            if _WORDS_WORTH_DIFFING <= similarity < DUPLICATE_SIMILARITY and diffs_left > 0:
                diffs_left -= 1
                similarity = max(similarity, text.text_ratio(other))
            same_agency = row.agency_ref is not None and event.agency == row.agency_ref
            if similarity >= DUPLICATE_SIMILARITY and (
                best is None or (similarity, same_agency) > best[:2]
            ):
                best = (similarity, same_agency, event)
        if best is not None:
            similarity, same_agency, event = best
            whose = "same agency" if same_agency else "another agency"
            reason = (
                f"Same day ({row.when.display()}), {whose} and "
                f"{similarity:.0%} similar text to {event.ref}."
            )
            found.append(Duplicate(row.number, event.ref, reason))
    return found


def build_preview(
    table: RawTable,
    context: ImportContext,
    *,
    chosen: dict[str, str | None] | None = None,
    fixes: dict[int, RowFix] | None = None,
    left_out: Iterable[int] = (),
) -> ImportPreview:
    """Check every row of ``table`` against the review described by ``context``.

    Takes the ``RawTable`` from ``read_table``, the ``ImportContext``, the user's ``chosen``
    column fields (see ``map_columns``), ``fixes`` typed into the preview by row number, and
    the row numbers the user ``left_out``. Returns the ``ImportPreview``: valid rows as they
    will be stored (in the order to store them), one ``RowError`` per problem (bad date, empty
    description, unknown appraisal or KPE, a ref that is malformed, used in the review or
    repeated in the file, merged cells), the column mapping, unknown agencies and people,
    people linked from the text, and likely duplicates of existing events. When a required
    column is missing no row is checked; ``mapping.missing`` says which. Raises ``ValueError``
    for a chosen field that does not exist, nothing for bad content.
    """
    mapping = map_columns(
        table.headers, has_default_agency=context.default_agency is not None, chosen=chosen
    )
    preview = _Preview(
        context,
        table.headers,
        {name: i for i, name in mapping.fields.items()},
        fixes=dict(fixes or {}),
        matcher=PeopleMatcher(context.register, not_names=context.agencies),
    )
    skipped = set(left_out)
    if not mapping.missing:
        for row in table.rows:
            if row.number in skipped:
                continue
            if row.problem is not None:
                preview.errors.append(RowError(row.number, None, row.problem))
            else:
                preview.add(row)
    rows, descending = _with_order(preview.rows)
    return ImportPreview(
        rows=rows,
        errors=preview.errors,
        mapping=mapping,
        unknown_agencies=list(preview.unknown_agencies.values()),
        unknown_people=list(preview.unknown_people.values()),
        duplicates=_find_duplicates(rows, context.existing_events),
        row_count=len(table.rows),
        warnings=list(table.warnings),
        linked_people=preview.linked_people,
        ambiguous_people=preview.ambiguous_people,
        descending=descending,
        left_out=sorted(skipped & {row.number for row in table.rows}),
    )


def _with_order(rows: Sequence[ImportRow]) -> tuple[list[ImportRow], bool]:
    """The rows, each with its ``order`` within a day (its Sequence, else its place in the
    file, reversed when the file is written newest first); and whether it is."""
    starts = [row.when.sort_key()[0] for row in rows]
    pairs = list(itertools.pairwise(starts))
    descending = sum(b < a for a, b in pairs) > sum(b > a for a, b in pairs)
    count = len(rows)
    placed = [
        replace(row, order=row.order or (count - index if descending else index + 1))
        for index, row in enumerate(rows)
    ]
    return placed, descending
