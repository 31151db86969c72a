"""A register name's variants and where they occur in a text (see
:mod:`analysis.anonymise.substitute` for what is matched).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.anonymise.model import RegisterPerson

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


@lru_cache(maxsize=1)
def _proper_and_common_words() -> frozenset[str]:
    """Webster's words as written: proper nouns capitalised ("Gary"), others in lower case."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False, alpha=True))


_CALENDAR = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "christmas",
        "easter",
    ]
)


def looks_like_a_name(words: Sequence[str]) -> bool:
    """Whether capitalised ``words`` ("Gary Pike", "Florence Ashdown") look like a person's
    name rather than a capitalised phrase ("Strategy Discussion", "Early Help"): the first is
    a proper noun only, or a word is no English word at all. Days and months never are."""
    if not words or words[0].casefold() in _CALENDAR:
        return False
    cased = _proper_and_common_words()
    first = words[0]
    if first in cased and first.lower() not in cased:
        return True
    return any(not _is_english(word) and word not in cased for word in words)
