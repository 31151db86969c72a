"""Pseudonymisation of generated outputs and the pre-publication scan for identifying details.

:func:`substitute` replaces every real name and alias in the people register, and their
variants, by the person's pseudonym. Variants of "Zara Jane Quillfeather" are: the name as
registered, "Zara Quillfeather", "Zara", "Quillfeather", each part of a hyphenated name,
"Z. Quillfeather", "Zara Q.", "Z.J.Q.", "Z.Q." and "ZJQ"/"ZQ" (initials only as capitals, and
not when they are a common abbreviation such as "HV" or "SW"), with an optional title
("Mrs Quillfeather"), in any letter case, and possessives ("Zara's" -> "Mother's"). Names that
are also ordinary words ("Hope", "Will", "Rose") or very short ones are only matched when
capitalised, so "we will hope" is left alone, and not when they open a sentence as the word
("Will the board ensure…"). Accents are optional ("Zoë" matches "Zoe") and a double name may
be joined by a dash or a space. Matching is whole-word and longest first, and a pseudonym in
the text is never changed. A variant shared by two people (a family surname) goes to the
person for whom it is most specific, then to the one registered first. Names inside a web or
email address are not replaced (that would break the address): the scan reports them.

:func:`scan` finds what substitution cannot know: NHS numbers (with a valid Modulus 11
checksum), UK postcodes, UK phone numbers, email addresses, National Insurance numbers,
dates of birth (a date near "born", "DOB", "date of birth"…), street addresses (a house
number, a capitalised street name and a street suffix), the school and agency names given as
``places``, and register names that survived substitution.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from analysis.documents import (
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
    document_text,
)

HIT_KINDS = (
    "email",
    "nhs_number",
    "ni_number",
    "phone",
    "postcode",
    "date_of_birth",
    "address",
    "school",
    "register_name",
)  # also the order in which overlapping hits are kept: an email beats a name inside it

CONTEXT_CHARS = 40


@dataclass(frozen=True)
class RegisterPerson:
    """A person in the review's people register: the pseudonym and the real name + aliases."""

    pseudonym: str
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.names, tuple):
            object.__setattr__(self, "names", tuple(self.names))


@dataclass(frozen=True)
class Hit:
    """An identifying detail found by :func:`scan`: what, where, and the text around it."""

    kind: str
    text: str
    location: str
    start: int
    end: int
    context: str


# --------------------------------------------------------------------------- names

# Given names and surnames that are also everyday English words: matched only when
# capitalised ("Hope", "HOPE"), never as "hope".
_COMMON_WORDS_TEXT = """
    hope faith grace joy will mark bill rose may june april august dawn summer autumn winter
    amber ruby pearl crystal ivy holly heather lily daisy poppy iris violet jack frank guy sue
    pat rob victor sunny rich rocky rusty sandy brook brooke river sky storm star angel honey
    cherry hazel olive ginger harmony patience prudence charity mercy constance chase hunter
    mason cash gene drew lance miles art ray dean earl duke king prince bishop major sterling
    wade reed forest cliff glen dale heath pierce grant noble bliss destiny trinity cole don
    nick jay robin wren lark penny kitty candy misty rain snow bay rowan ash bear fox wolf
    sally carol jade coral sage basil clay stone flint pip brown white green black young wood
    hall hill walker baker cook bird long short little moss lamb marsh field fields banks bell
    best cross sharp swift hunt ward page mills day friend lane street church park pool lord
    knight price power read savage strong wise good bright gold silver ford wells waters burns
    booth carpenter potter turner fisher fowler archer porter marshall chambers house love
    sweet hardy moody frost moon shepherd glass rice salt bacon lemon mustard bean head rush
    light fair free hart hay lee low law page rust well west north south east more mann
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())

# Capitals that are common abbreviations in reviews: never treated as someone's initials.
_ABBREVIATIONS_TEXT = """
    AB AC AD AI AM AN AP AS AT BC BE CA CC CE CG CH CI CM CP CS DA DC DI DO DS DV ED EH EP FE
    FM GP HA HB HM HR HV IC ID IF IN IO IS IT JP LA LD LP MA MD ME MH MP MR NB NC NE NI NO NP
    NW OK ON OR OT PA PC PD PE PM PO PR PS PT QA RE RN SA SC SE SG SI SN SO SS ST SW TA TV UK
    US VA WG CSC CIN CPP LAC SEN SEND EHC EHCP MASH LADO CAMHS GCSE NHS MARAC MAPPA ICPC RCPC
    DSL CPR ASB DVA PCC CPS CAF TAF EHA IRO PLO ICB CYP
"""
ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())

_TITLES = r"(?:(?i:mr|mrs|ms|miss|mx|dr|master|mister|sir|dame|lady|lord|prof)\.?\s+)?"
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "la", "le", "da", "di", "du", "del"})
_SPACE = r"\s+"
_BEFORE = r"(?<![\w@.])"
_POSSESSIVE = r"(?P<possessive>['’][sS](?!\w)|(?<=[sS])['’](?=\s+\w))?(?![\w@])"


_APOSTROPHE = re.compile("['’]")


def _escape_name(text: str) -> str:
    """A literal name, with either apostrophe and any dash or a space inside double names."""
    escaped = _APOSTROPHE.sub("['’]", re.escape(text))
    return escaped.replace("\\-", "[-‐‑–\\s]")


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _token_pattern(token: str) -> str:
    """A name token: any letter case, unless it is an ordinary word or very short; a name
    with accents ("Zoë") also matches without them ("Zoe")."""
    spellings = dict.fromkeys([token, _ascii_fold(token)])
    if token.lower() in COMMON_WORDS or len(token) <= 2:
        forms = {
            form
            for spelling in spellings
            for form in (spelling, spelling.upper(), spelling[:1].upper() + spelling[1:].lower())
        }
        return "(?:" + "|".join(_escape_name(f) for f in sorted(forms, key=len, reverse=True)) + ")"
    return "(?i:" + "|".join(_escape_name(s) for s in spellings) + ")"


def _initial(letter: str) -> str:
    return re.escape(letter.upper())


@dataclass(frozen=True)
class _Variant:
    sample: str  # what it looks like, for ordering and de-duplication
    pattern: str
    person: int
    specificity: int  # 0 = as registered, higher = less specific


def _name_variants(name: str, person: int) -> list[_Variant]:
    tokens = name.split()
    while tokens and re.fullmatch(r"(?i:mr|mrs|ms|miss|mx|dr|master)\.?", tokens[0]):
        tokens = tokens[1:]
    if not tokens:
        return []
    variants = [_Variant(" ".join(tokens), _SPACE.join(map(_token_pattern, tokens)), person, 0)]
    if len(tokens) == 1:
        variants.extend(
            _Variant(part, _token_pattern(part), person, 4)
            for part in tokens[0].split("-")
            if len(part) >= 3 and part != tokens[0]
        )
        return variants
    surname_start = len(tokens) - 1
    while surname_start > 1 and tokens[surname_start - 1].lower() in _PARTICLES:
        surname_start -= 1
    first, given, surname = tokens[0], tokens[:surname_start], tokens[surname_start:]
    surname_pattern = _SPACE.join(map(_token_pattern, surname))
    surname_text = " ".join(surname)
    if len(given) > 1:
        variants.append(
            _Variant(
                f"{first} {surname_text}",
                f"{_token_pattern(first)}\\s+{surname_pattern}",
                person,
                1,
            )
        )
    variants.append(_Variant(first, _token_pattern(first), person, 3))
    variants.append(_Variant(surname_text, surname_pattern, person, 3))
    for part in [*first.split("-"), *surname_text.split("-")]:
        if len(part) >= 3 and part not in (first, surname_text):
            variants.append(_Variant(part, _token_pattern(part), person, 4))
    # Initials in context: next to the other half of the name.
    variants.append(
        _Variant(
            f"{first[0]}. {surname_text}",
            f"{_initial(first[0])}\\.?\\s*{surname_pattern}",
            person,
            2,
        )
    )
    variants.append(
        _Variant(
            f"{first} {surname[0][0]}.",
            f"{_token_pattern(first)}\\s+{_initial(surname[0][0])}\\.?",
            person,
            2,
        )
    )
    letters = [t[0] for t in given] + [surname[-1][0]]
    if all(letter.isalpha() for letter in letters):
        dotted = r"\.\s?".join(_initial(letter) for letter in letters) + r"\."
        variants.append(_Variant(".".join(letters).upper() + ".", dotted, person, 2))
        if len(letters) > 2:
            short = [letters[0], letters[-1]]
            dotted_short = r"\.\s?".join(_initial(letter) for letter in short) + r"\."
            variants.append(_Variant(".".join(short).upper() + ".", dotted_short, person, 2))
        for group in {"".join(letters).upper(), (letters[0] + letters[-1]).upper()}:
            if group not in ABBREVIATIONS:
                variants.append(_Variant(group, f"(?-i:{re.escape(group)})", person, 2))
    return variants


@dataclass(frozen=True)
class _Matcher:
    names: re.Pattern[str] | None
    groups: tuple[tuple[str, int], ...]  # group name -> person index
    pseudonyms: re.Pattern[str] | None


@lru_cache(maxsize=32)
def _matcher(register: tuple[RegisterPerson, ...]) -> _Matcher:
    best: dict[str, _Variant] = {}
    for index, person in enumerate(register):
        for name in person.names:
            for variant in _name_variants(name, index):
                key = " ".join(variant.sample.lower().split())
                current = best.get(key)
                if current is None or (variant.specificity, variant.person) < (
                    current.specificity,
                    current.person,
                ):
                    best[key] = variant
    ordered = sorted(best.values(), key=lambda v: (-len(v.sample), v.specificity, v.sample))
    groups = tuple((f"v{i}", v.person) for i, v in enumerate(ordered))
    alternatives = "|".join(f"(?P<v{i}>{v.pattern})" for i, v in enumerate(ordered))
    names = re.compile(f"{_BEFORE}{_TITLES}(?:{alternatives}){_POSSESSIVE}") if ordered else None
    pseudonym_texts = sorted({p.pseudonym for p in register if p.pseudonym.strip()}, key=len)
    pseudonyms = (
        re.compile(
            "(?<!\\w)(?:"
            + "|".join(
                r"\s+".join(map(re.escape, text.split())) for text in reversed(pseudonym_texts)
            )
            + ")(?!\\w)"
        )
        if pseudonym_texts
        else None
    )
    return _Matcher(names, groups, pseudonyms)


_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


def _name_matches(
    text: str, register: Sequence[RegisterPerson], *, skip_links: bool = False
) -> list[tuple[re.Match[str], RegisterPerson]]:
    """Register-name matches in ``text`` that do not overlap a pseudonym (or, if
    ``skip_links``, a web address or an email address)."""
    people = tuple(register)
    matcher = _matcher(people)
    if matcher.names is None:
        return []
    protected = [m.span() for m in matcher.pseudonyms.finditer(text)] if matcher.pseudonyms else []
    if skip_links:
        protected.extend(m.span() for m in _LINK.finditer(text))
    found = []
    for match in matcher.names.finditer(text):
        start, end = match.span()
        if any(start < p_end and p_start < end for p_start, p_end in protected):
            continue
        if _is_ordinary_word(text, match):
            continue
        for group, person in matcher.groups:
            if match.group(group) is not None:
                found.append((match, people[person]))
                break
    return found


_SENTENCE_START = re.compile(r"(?:(?:^|\n)\s*(?:[-*+]\s+|\d+[.)]\s+)?|[.!?:]\s+)$")
_FUNCTION_WORD_NEXT = re.compile(
    r"\s+(?:the|a|an|this|that|these|those|we|you|they|it|there|our|your|their|he|she|i|"
    r"all|any|each|every|no|not|be|have|agencies|partners|practitioners|staff|leaders)\b"
)


def _is_ordinary_word(text: str, match: re.Match[str]) -> bool:
    """A name that is also an ordinary word, opening a sentence as that word ("Will the
    board ensure…", "May we ask…") rather than as the name ("Will said…")."""
    word = match.group(0)
    if word.lower() not in COMMON_WORDS:
        return False
    start, end = match.span()
    return bool(
        _SENTENCE_START.search(text, max(0, start - 12), start)
        and _FUNCTION_WORD_NEXT.match(text, end)
    )


def _with_possessive(pseudonym: str, possessive: str | None) -> str:
    if not possessive:
        return pseudonym
    apostrophe = possessive[0]
    return pseudonym + (apostrophe if pseudonym.endswith(("s", "S")) else f"{apostrophe}s")


def substitute(text: str, register: Sequence[RegisterPerson]) -> str:
    """``text`` with every register name and variant replaced by the person's pseudonym."""
    if not text:
        return text
    pieces = []
    last = 0
    # A name inside a web or email address is left for the scan to report: replacing it
    # would break the address without making it safe.
    for match, person in _name_matches(text, register, skip_links=True):
        start, end = match.span()
        replacement = _with_possessive(person.pseudonym, match.group("possessive"))
        matched = match.group(0)
        # "seen by Z.Q." at the end of a sentence: keep the full stop the initials swallowed.
        if matched.endswith(".") and not replacement.endswith("."):
            following = text[end:]
            if not following.strip() or re.match(r"\s*(?:\n|[A-Z])", following):
                replacement += "."
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


# --------------------------------------------------------------------------- identifiers

_NHS = re.compile(r"(?<![\w-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}(?![\w-])"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|0044\s?(?:\(0\)\s?)?|\(?0)"
    r"\d(?:[ \-]?\)?[ \-]?\d){8,9}(?![\d])"
)
_NI = re.compile(
    r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?(\d{2})\s?(\d{2})\s?(\d{2})"
    r"(?:\s?([A-D]))?(?![A-Za-z0-9])"
)
_NI_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR\s?0AA|"
    r"[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r"\s?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}"
    r")(?![\w/])",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(
    r"(?<!\w)(?:born|birthday|date\s+of\s+birth|birth\s*date|d\.\s?o\.\s?b\.?|dob|b\.(?=\s*\d))",
    re.IGNORECASE,
)
_STREET_SUFFIX = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Close|Lane|Drive|Way|Crescent|Court|Gardens|Terrace|"
    r"Place|Grove|Row|Square|Mews|Walk|Rise|Parade|Villas|Boulevard|Hill|Park|View|Green|"
    r"Croft|Mount|Meadows?|Chase|Wharf|Yard|Approach|Circus|Esplanade|Embankment|Heights|Vale)"
)
_STREET_WORD = r"(?:St\.?\s+)?[A-Z][a-z’']+(?:-[A-Z][a-z’']+)?"
_ADDRESS = re.compile(
    r"(?<![\w/.-])(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?"
    r"\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+"
    rf"(?P<street>{_STREET_WORD}(?:\s+{_STREET_WORD}){{0,3}})\s+{_STREET_SUFFIX}\.?(?!\w)"
)
# "2 Family Court hearings" is not an address.
_NOT_STREETS = frozenset(
    {"family", "crown", "youth", "county", "magistrates", "magistrates'", "high", "supreme",
     "appeal", "coroner's", "coroners", "working", "key", "practice", "review", "case"}
)  # fmt: skip


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS Modulus 11 check on a 10-digit string."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phone_is_uk(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip("(").startswith(("+", "0044")):
        digits = "0" + digits[4:] if digits.startswith("0044") else "0" + digits[2:]
        if "(0)" in candidate:
            digits = "0" + digits[2:] if digits.startswith("00") else digits
    if digits.startswith("07"):
        return len(digits) == 11
    if digits.startswith(("01", "02", "03")):
        return len(digits) in {10, 11}
    return False


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    snippet = " ".join(f"{before}{text[start:end]}{after}".split())
    prefix = "…" if start > CONTEXT_CHARS else ""
    suffix = "…" if end + CONTEXT_CHARS < len(text) else ""
    return f"{prefix}{snippet}{suffix}"


def _spans(
    text: str, register: Sequence[RegisterPerson], places: Sequence[str]
) -> Iterable[tuple[str, int, int]]:
    for match in _EMAIL.finditer(text):
        yield "email", *match.span()
    for match in _NHS.finditer(text):
        if nhs_number_is_valid(match.group(1) + match.group(3) + match.group(4)):
            yield "nhs_number", *match.span()
    for match in _NI.finditer(text):
        if match.group(1) not in _NI_UNUSED_PREFIXES:
            yield "ni_number", *match.span()
    for match in _PHONE.finditer(text):
        if _phone_is_uk(match.group(0)):
            yield "phone", *match.span()
    for match in _POSTCODE.finditer(text):
        found = match.group(0)
        if found.isupper() or (
            found.islower() and " " in found and found[-2:] not in {"st", "nd", "rd", "th"}
        ):
            yield "postcode", *match.span()
    for match in _DATE.finditer(text):
        if _near_birth_word(text, *match.span()):
            yield "date_of_birth", *match.span()
    for match in _ADDRESS.finditer(text):
        if match.group("street").split()[0].lower() not in _NOT_STREETS:
            yield "address", *match.span()
    for place in places:
        words = place.split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            yield "school", *match.span()
    for match, _person in _name_matches(text, register):
        start, end = match.span()
        if match.group("possessive"):
            end = match.start("possessive")
        yield "register_name", start, end


def _near_birth_word(text: str, start: int, end: int) -> bool:
    """A birth word shortly before the date in the same clause, or just after it."""
    before = text[max(0, start - 40) : start]
    for word in _BIRTH_WORDS.finditer(before):
        between = before[word.end() :]
        if not re.search(r"[.;!?]\s|\n", between) and len(between) <= 30:
            return True
    after = text[end : end + 16]
    return bool(re.match(r"\s*[(\[,]?\s*(?:dob|d\.o\.b\.?|date of birth|born)\b", after, re.I))


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
    Pseudonyms are never reported.
    """
    if not text:
        return []
    rank = {kind: index for index, kind in enumerate(HIT_KINDS)}
    found = sorted(set(_spans(text, register, places)), key=lambda s: (rank[s[0]], s[1]))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if any(k_start <= start and end <= k_end for _, k_start, k_end in kept):
            continue
        kept.append((kind, start, end))
    kept.sort(key=lambda s: (s[1], rank[s[0]]))
    return [
        Hit(kind, text[start:end], location, start, end, _context(text, start, end))
        for kind, start, end in kept
    ]


def scan_document(
    doc: Document, *, register: Sequence[RegisterPerson], places: Sequence[str] = ()
) -> list[Hit]:
    """:func:`scan` over every text of ``doc`` (see :func:`analysis.documents.document_text`)."""
    hits: list[Hit] = []
    for location, text in document_text(doc):
        hits.extend(scan(text, register=register, places=places, location=location))
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
