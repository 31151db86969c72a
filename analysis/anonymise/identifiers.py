"""Identifying details substitution cannot know: NHS numbers, phone numbers, emails, National
Insurance numbers, postcodes, dates of birth, addresses and schools (see
:mod:`analysis.anonymise.scan`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.anonymise.model import CONTEXT_CHARS
from analysis.anonymise.names import COMMON_WORDS, _escape_name, _is_english

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
