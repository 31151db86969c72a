"""Pseudonymisation of generated outputs and the pre-publication scan for identifying details.

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

Both read the text as a reader sees it: spaces, hyphens and invisible characters pasted from
a word processor (a non-breaking space in a phone number) are read as plain ones, with what
is found mapped back to the text as written; :func:`scan_markdown` also scans Markdown as
rendered, where "Ker**ry**" and "K&#101;rry" are "Kerry".
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
    document_markdown,
    document_text,
)
from analysis.markdown import markdown_text

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
    "ambiguous_name",
    "near_name",
    "possible_name",
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
    candidates: tuple[str, ...] = ()  # an ambiguous name: the pseudonyms it could be


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

# Titles, ranks and roles written before a name. In the register they are never the first
# name ("PC Jordan Lisle" is Jordan Lisle); in the text they go with the name ("DS Lisle" is
# one person). Upper-case ranks and role words are matched only as written, so "Di Smith"
# keeps her first name and "his sister Zara" keeps "sister".
_TITLE_WORDS = (
    "mr", "mrs", "ms", "miss", "mx", "master", "mister", "dr", "prof", "rev", "revd", "fr",
    "cllr", "sir", "dame", "lady", "lord", "sgt", "insp", "supt", "det",
)  # fmt: skip
_TITLE_ROLES = (
    "Doctor", "Professor", "Reverend", "Father", "Pastor", "Canon", "Rabbi", "Imam",
    "Councillor", "Judge", "Sister", "Nurse", "Matron", "Midwife", "Officer", "Detective",
    "Constable", "Sergeant", "Inspector", "Chief", "Superintendent",
)  # fmt: skip
_TITLE_RANKS = ("PC", "WPC", "PCSO", "DC", "PS", "DS", "DI", "DCI", "DSI", "DCS", "CI")
_TITLE = (
    "(?:(?i:" + "|".join(_TITLE_WORDS) + ")|" + "|".join((*_TITLE_ROLES, *_TITLE_RANKS)) + r")\.?"
)
_IS_TITLE = re.compile(_TITLE)
# Up to two ("Det Sgt Lisle"); "Father" in the text is left out: it is a common pseudonym.
_TITLES = (
    "(?P<title>(?:(?:(?i:"
    + "|".join(_TITLE_WORDS)
    + ")|"
    + "|".join((*(r for r in _TITLE_ROLES if r != "Father"), *_TITLE_RANKS))
    + r")\.?\s+){0,2})"
)
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
    is_surname: bool = False  # a family name: also "the Ashdowns", "the Ashdown family"


def name_without_titles(name: str) -> list[str]:
    """The words of a register name without the titles, ranks and roles before it:
    "PC Jordan Lisle" -> ["Jordan", "Lisle"]. A name that is only a title is kept."""
    tokens = name.split()
    while len(tokens) > 1 and _IS_TITLE.fullmatch(tokens[0]):
        tokens = tokens[1:]
    return tokens


def _name_variants(name: str, person: int) -> list[_Variant]:
    tokens = name_without_titles(name)
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
    variants.append(_Variant(surname_text, surname_pattern, person, 3, is_surname=True))
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
class _Form:
    """A name form the matcher knows: whose it could be, and whether it is a family name."""

    people: tuple[int, ...]  # the person it goes to; several when it is ambiguous
    candidates: tuple[int, ...]  # everyone it could be, most likely first
    is_surname: bool
    is_common_word: bool

    @property
    def is_ambiguous(self) -> bool:
        return len(self.people) > 1


@dataclass(frozen=True)
class _Matcher:
    names: re.Pattern[str] | None
    forms: tuple[tuple[str, str | None, _Form], ...]  # (name group, plural group, form)
    pseudonyms: re.Pattern[str] | None
    # Every word of every name (folded), and the capitals of initials ("ZQ"): a text with
    # none of them, and no initial followed by a full stop, holds no name (checked first,
    # because the names pattern is slow to try at every position of a long text).
    words: frozenset[str] = frozenset()
    initials: frozenset[str] = frozenset()

    def may_match(self, text: str) -> bool:
        """Whether ``text`` may hold a register name (False: it certainly does not)."""
        folded = text.casefold() if text.isascii() else _ascii_fold(text).casefold()
        for word in _WORD.findall(folded):
            if word in self.words or (word.endswith("s") and word[:-1] in self.words):
                return True
        if self.initials:
            if _DOTTED_INITIAL.search(text):
                return True
            return any(word in self.initials for word in _WORD.findall(text))
        return False


_WORD = re.compile(r"[^\W\d_]+")
_DOTTED_INITIAL = re.compile(r"(?<![^\W\d_])[A-Z]\.")


@lru_cache(maxsize=32)
def _matcher(register: tuple[RegisterPerson, ...]) -> _Matcher:
    by_key: dict[str, list[_Variant]] = {}
    for index, person in enumerate(register):
        for name in person.names:
            for variant in _name_variants(name, index):
                by_key.setdefault(" ".join(variant.sample.lower().split()), []).append(variant)
    chosen: list[tuple[_Variant, _Form]] = []
    for variants in by_key.values():
        variants.sort(key=lambda v: (v.specificity, v.person))
        best = variants[0]
        candidates = tuple(dict.fromkeys(v.person for v in variants))
        # A form shared by several people at the same specificity (a family surname used
        # alone) is nobody's in particular: it is not given to one of them.
        people = tuple(
            dict.fromkeys(v.person for v in variants if v.specificity == best.specificity)
        )
        is_surname = any(v.is_surname for v in variants if v.specificity == best.specificity)
        common = all(word.lower() in COMMON_WORDS for word in best.sample.split())
        chosen.append((best, _Form(people, candidates, is_surname, common)))
    chosen.sort(key=lambda c: (-len(c[0].sample), c[0].specificity, c[0].sample))
    forms = []
    alternatives = []
    for i, (variant, form) in enumerate(chosen):
        plural = f"p{i}" if form.is_surname else None
        # "the Ashdowns", "the Ashdowns' home": a family, by its plural.
        suffix = f"(?P<{plural}>[sS](?=['’]|[^\\w@]|$))?" if plural else ""
        alternatives.append(f"(?P<v{i}>{variant.pattern}){suffix}")
        forms.append((f"v{i}", plural, form))
    names = (
        re.compile(f"{_BEFORE}{_TITLES}(?:{'|'.join(alternatives)}){_POSSESSIVE}")
        if alternatives
        else None
    )
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
    words = frozenset(
        word
        for person in register
        for name in person.names
        for word in _WORD.findall(_ascii_fold(name).casefold())
    )
    initials = frozenset(
        variant.sample
        for variant, _form in chosen
        if variant.sample.isupper() and variant.sample.isalpha()
    )
    return _Matcher(names, tuple(forms), pseudonyms, words, initials)


_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_FAMILY_NOUN = re.compile(r"\s+(?P<noun>[Ff]amily|[Hh]ousehold)(?P<possessive>['’]s)?(?!\w)")
_THE_BEFORE = re.compile(r"(?<!\w)(?P<the>[Tt]he|THE)\s+$")
_COUPLE_BEFORE = re.compile(r"(?<![\w.])(?i:mr|mrs|ms|miss|mx|dr)\.?\s+(?:and|&)\s+$")


@dataclass(frozen=True)
class _Found:
    """A register name in a text: the span it replaces, the name itself, and whose it is."""

    start: int  # where the replacement starts (a title, "Mr and", "the" are included)
    end: int  # where it ends (a possessive, "family" are included)
    name_start: int  # the name as the scan reports it
    name_end: int
    people: tuple[RegisterPerson, ...]  # one person, or several when the name is ambiguous
    candidates: tuple[RegisterPerson, ...]
    kind: str  # "name", "family" or "couple"
    possessive: str | None
    has_article: bool = False  # "the" before a family name is part of the span
    noun: str = "family"  # "the Ashdown household" stays a household


def _name_matches(
    text: str,
    register: Sequence[RegisterPerson],
    *,
    skip_links: bool = False,
    matcher: _Matcher | None = None,
) -> list[_Found]:
    """Register names in ``text`` that do not overlap a pseudonym (or, if ``skip_links``, a
    web address or an email address). ``matcher``: the register's, already looked up."""
    people = tuple(register)
    matcher = matcher or _matcher(people)
    if matcher.names is None or not matcher.may_match(text):
        return []
    protected = [m.span() for m in matcher.pseudonyms.finditer(text)] if matcher.pseudonyms else []
    if skip_links:
        protected.extend(m.span() for m in _LINK.finditer(text))

    def overlaps(start: int, end: int) -> bool:
        return any(start < p_end and p_start < end for p_start, p_end in protected)

    found: list[_Found] = []
    for match in matcher.names.finditer(text):
        start, end = match.span()
        if overlaps(start, end):
            # "Nurse Thistlewood" where "Nurse" ends a pseudonym: the name alone is still a name.
            start = match.end("title")
            if start == match.start() or overlaps(start, end):
                continue
        if _is_ordinary_word(text, match):
            continue
        group, plural, form = next(
            (g, p, f) for g, p, f in matcher.forms if match.group(g) is not None
        )
        is_plural = plural is not None and match.group(plural) is not None
        if is_plural and form.is_common_word and not _THE_BEFORE.search(text, 0, start):
            continue  # "the Browns" is a family; "Browns" alone may be a colour
        possessive = match.group("possessive")
        name_start = max(start, match.end("title"))
        name_end = match.end(plural) if plural is not None and is_plural else match.end(group)
        candidates = tuple(people[i] for i in form.candidates)
        owners = tuple(people[i] for i in form.people)
        kind = "name"
        has_article = False
        family_noun = "family"
        noun = None if (possessive or is_plural) else _FAMILY_NOUN.match(text, end)
        couple = _COUPLE_BEFORE.search(text, max(0, start - 12), start)
        if form.is_surname and (is_plural or noun) and start == name_start:
            kind = "family"
            if noun:
                end = noun.end()
                possessive = noun.group("possessive")
                family_noun = noun.group("noun").lower()
            article = _THE_BEFORE.search(text, max(0, start - 8), start)
            if article:
                start, has_article = article.start(), True
        elif form.is_surname and couple and start < name_start:
            kind = "couple"
            start = couple.start()
        found.append(
            _Found(
                start,
                end,
                name_start,
                name_end,
                owners,
                candidates,
                kind,
                possessive,
                has_article,
                family_noun,
            )
        )
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


# --------------------------------------------------------------------------- identifiers

# Not the end of a longer number ("0044 113 496 0468" is a phone number).
_NHS = re.compile(r"(?<![\w-])(?<!\d[ -])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")
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
    r"(?:Road|Rd|Street|St|Avenue|Ave|Close|Lane|Ln|Drive|Dr|Way|Crescent|Cres|Court|Ct|"
    r"Gardens|Gdns|Terrace|Tce|Place|Pl|Grove|Row|Square|Sq|Mews|Walk|Rise|Parade|Villas|"
    r"Boulevard|Hill|Park|View|Green|Croft|Mount|Meadows?|Chase|Wharf|Yard|Approach|Circus|"
    r"Esplanade|Embankment|Heights|Vale|End|Fold|Paddocks?|Bank|Side|Gate|Mead|Dene|Wynd|"
    r"Garth|Hollow|Brow|Nook|Loke|Pastures|Fields|Orchard|Copse|Glade|Dale)"
)
_STREET_WORD = r"(?:St\.?\s+)?[A-Z][a-z’']+(?:-[A-Z][a-z’']+)?"
_ADDRESS = re.compile(
    r"(?<![\w/.-])(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?"
    r"\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+"
    rf"(?:(?P<street>{_STREET_WORD}(?:\s+{_STREET_WORD}){{0,3}})\s+{_STREET_SUFFIX}"
    # the full stop of an abbreviation ("Rd."), not the one that ends the sentence
    r"(?:(?:(?<=Rd)|(?<=St)|(?<=Ave)|(?<=Ln)|(?<=Dr)|(?<=Ct)|(?<=Pl)|(?<=Sq)|(?<=Tce)"
    r"|(?<=Cres)|(?<=Gdns))\.)?"
    # "3 The Paddocks", "12 The Maltings": a house on a named close
    rf"|The\s+(?P<named>[A-Z][a-z’']+(?:\s+[A-Z][a-z’']+)?)"
    # written in lower case, with a suffix that is only a street: "14 acacia road"
    r"|(?P<lower>[a-z][a-z’']+(?:\s+[a-z][a-z’']+)?)\s+(?:road|street|avenue|crescent|terrace))"
    r"(?!\w)"
)
# "3 The Paddocks" is an address; "2 The Children" is not: the named form must end in a word
# that is a kind of place.
_NAMED_PLACE_END = re.compile(
    r"(?:s|ings|Court|Green|Close|Mews|Croft|Paddock|Meadow|Orchard|Grange|Spinney|Coppice|"
    r"Hollies|Limes|Laurels|Beeches|Poplars|Firs|Pines|Willows|Elms|Oaks|Cedars|Maltings|"
    r"Cloisters|Square|Drive|Avenue|Crescent|Parade|Terrace|Gardens|Rise|Row|Walk|Lane)$"
)
_NOT_NAMED_PLACES = frozenset(
    {"children", "parents", "agencies", "police", "families", "schools", "others", "events",
     "actions", "findings", "reviews", "practitioners", "courts", "hearings", "visits",
     "meetings", "cases", "boards", "days", "weeks", "months", "years", "hours", "times"}
)  # fmt: skip
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


# A school is named by its own words (the stem: "Oakfield", "St Aldric's") followed by words
# that make it a school ("Primary", "C of E Academy", "Infant and Junior School").
_SCHOOL_TYPE = (
    r"(?:Primary|Infants?|Juniors?|Academy|High|College|Nursery|School|Secondary|Middle|"
    r"Grammar|Comprehensive|Sixth\s+Form|Pre-?school|Kindergarten|Federation|"
    r"Pupil\s+Referral\s+Unit|PRU|Learning\s+Centre)(?!\w)"
)
_SCHOOL_QUALIFIER = (
    r"(?:C\.?\s?of\s?E\.?|CofE|C\.?E\.?|Church\s+of\s+England|R\.?C\.?|Roman\s+Catholic|"
    r"Catholic|Methodist|Church|Community|Voluntary\s+(?:Aided|Controlled)|V\.?[AC]\.?|"
    r"Foundation|Free|Special|Studio|and|&)"
)
_SCHOOL_PHRASE = rf"(?:\s+(?:{_SCHOOL_QUALIFIER}\s+)*{_SCHOOL_TYPE})+"
_SCHOOL_STEM = re.compile(
    rf"^(?:The\s+)?(?P<stem>.+?){_SCHOOL_PHRASE}$",
    re.IGNORECASE,
)
# The stem alone, where it can only mean the school: "Oakfield's worry box", "Oakfield
# staff", "at Oakfield".
_SCHOOL_NOUN_NEXT = (
    r"(?:['’]s(?!\w)|\s+(?:staff|pupils?|teachers?|head(?:teacher)?s?|SENCO|DSL|governors|"
    r"class(?:es|room)?|Reception|Year\s+\d+|playground|office|uniform|gates?)(?!\w))"
)
_NOT_A_STEM = frozenset({"the", "st", "saint", "a", "our", "new", "old"})
_SCHOOL_WORD_BEFORE = r"(?:at|attends|attended|attending|joined|left)\s+"


@lru_cache(maxsize=32)
def _school_patterns(places: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """For each place: its name as registered, and for a school its stem followed by any
    school phrase, or alone where only the school is meant."""
    patterns = []
    for place in places:
        words = place.split()
        if not words:
            continue
        exact = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
        match = _SCHOOL_STEM.match(" ".join(words))
        stem_words = match.group("stem").split() if match else words
        if all(w.rstrip(".").lower() in _NOT_A_STEM for w in stem_words):
            # "The Academy": no name of its own, so a school only as written.
            patterns.append(re.compile(exact))
            continue
        patterns.append(re.compile(exact, re.IGNORECASE))
        if match is None:
            continue
        stem = r"\s+".join(
            r"(?:St\.?|Saint)" if w.rstrip(".").lower() in {"st", "saint"} else _escape_name(w)
            for w in stem_words
        )
        # A stem of ordinary words ("Park", "Green Lane") is a school only as written and
        # followed by a school phrase; a distinctive one ("Oakfield") in any case, or alone.
        ordinary = all(w.strip("'’").lower() in COMMON_WORDS for w in stem_words)
        flags = 0 if ordinary else re.IGNORECASE
        patterns.append(re.compile(rf"(?<![\w'’-])(?:{stem}){_SCHOOL_PHRASE}", flags))
        if not ordinary and len("".join(stem_words)) >= 4:
            patterns.append(
                re.compile(
                    rf"(?<![\w'’-])(?:(?i:{_SCHOOL_WORD_BEFORE})(?P<stem>{stem})(?![\w-])"
                    rf"|(?P<stem2>{stem})(?={_SCHOOL_NOUN_NEXT}))"
                )
            )
        if not ordinary and not _is_english("".join(stem_words)) and len(stem_words[-1]) >= 4:
            # A stem no dictionary knows ("Oakfield") names the school on its own, as
            # written or in capitals, unless a street suffix makes it a road ("Oakfield Road").
            upper = r"\s+".join(re.escape(w.upper()) for w in stem_words)
            patterns.append(
                re.compile(
                    rf"(?<![\w'’-])(?P<stem>{stem}|{upper})(?![\w-])"
                    rf"(?!\s+(?i:{_STREET_SUFFIX})(?!\w))"
                )
            )
    return tuple(patterns)


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


# --------------------------------------------------------------------------- near names

_CAPITALISED_WORD = re.compile(r"(?<![\w@.'’-])[A-Z][a-z]{3,}(?![\w@-])")
_INFLECTIONS = ("'s", "’s", "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ness")


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """English words (Webster's and the GCIDE, as the english-words package ships them, in
    lower case): what a capitalised word near a name may be instead of a misspelt name."""
    from english_words import get_english_words_set

    return (
        frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True)) | COMMON_WORDS
    )


def _is_english(word: str) -> bool:
    """Whether ``word`` is an English word, or one with an ending ("walked", "visits")."""
    words = _english_words()
    lower = word.lower()
    if lower in words:
        return True
    for ending in _INFLECTIONS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            stem = lower[: -len(ending)]
            if (
                stem in words
                or stem + "e" in words
                or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in words)
            ):
                return True
    return False


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


# A title and a capitalised name: a person, whether or not the register knows them.
_TITLED_NAME = re.compile(
    r"(?<![\w.])(?:Mrs|Mr|Ms|Miss|Mx|Dr|PC|DS|DC|Cllr)\.?\s+"
    r"(?P<name>[A-Z][a-z’']+(?:-[A-Z][a-z’']+)?(?:\s+[A-Z][a-z’']+(?:-[A-Z][a-z’']+)?)?)"
    r"(?![\w’'-])"
)


def _is_possible_name(match: re.Match[str]) -> bool:
    """A titled name, not a title before a little word ("Mr and Mrs …")."""
    return match.group("name").split()[0].lower() not in _FUNCTION_WORDS


_FUNCTION_WORDS = frozenset(
    {"and", "or", "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "said",
     "was", "is", "has", "had", "who", "will", "would"}
)  # fmt: skip


def _is_address(match: re.Match[str]) -> bool:
    street = match.group("street") or match.group("lower")
    if street is not None:
        return street.split()[0].lower() not in _NOT_STREETS
    named = match.group("named")
    last = named.split()[-1]
    return last.lower() not in _NOT_NAMED_PLACES and bool(_NAMED_PLACE_END.search(last))


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
