"""Text written for the public: the app's item refs (``E12``, ``(F3, F4)``) taken out with
the words left hanging without them, and the glossary of the acronyms the text uses."""

from __future__ import annotations

import re

# Acronyms a report may use, and what they stand for: the glossary lists those the text uses.
ACRONYMS: dict[str, str] = {
    "A&E": "Accident and emergency department",
    "CAMHS": "Child and adolescent mental health services",
    "CIN": "Child in need (Children Act 1989, section 17)",
    "CP": "Child protection",
    "CSC": "Children's social care",
    "CSPR": "Child safeguarding practice review",
    "DA": "Domestic abuse",
    "DASH": "Domestic Abuse, Stalking, Harassment and Honour-based violence risk checklist",
    "DSL": "Designated safeguarding lead: the member of a school's staff who leads on "
    "safeguarding and child protection",
    "ED": "Emergency department",
    "EHA": "Early help assessment",
    "GP": "General practitioner (family doctor)",
    "HV": "Health visitor",
    "ICB": "Integrated care board",
    "ICPC": "Initial child protection conference",
    "IDVA": "Independent domestic violence adviser",
    "LADO": "Local authority designated officer",
    "LCSPR": "Local child safeguarding practice review",
    "MARAC": "Multi-agency risk assessment conference",
    "MASH": "Multi-agency safeguarding hub: where agencies share concerns about children",
    "NFA": "No further action",
    "NHS": "National Health Service",
    "PCSO": "Police community support officer",
    "SCIE": "Social Care Institute for Excellence, which developed the review method used",
    "SEND": "Special educational needs and disabilities",
}
TERMS: tuple[tuple[str, str], ...] = (
    (
        "Key practice episode",
        "A period of the case chosen for closer analysis, because practice then mattered.",
    ),
    (
        "Systems approach",
        "A way of reviewing that looks for what in the system shaped practice, rather than "
        "for individual blame.",
    ),
)

# Refs the app gives items (E12, F3, AC1, FN2, K1, GP4, W2…), alone or as a list in brackets.
_REF = r"\b(?:AC|FN|GP|[AEFKLPW])\d+\b"
_SEP = r"\s*(?:[,;/&]|\band\b|\bor\b)\s*(?:and\s+)?"
_REFS = re.compile(rf"\s*\(\s*(?:(?:see|cf\.?)\s+)?{_REF}(?:{_SEP}{_REF})*\s*\)|\s*\b{_REF}\b")
_ACRONYM = re.compile(r"(?<![\w&])(A&E|[A-Z]{2,6})(?![\w&])")


# Words left hanging once the refs they introduced are gone ("events and", "see").
_CONNECTORS = frozenset(
    [
        "and",
        "or",
        "&",
        "see",
        "cf",
        "also",
        "events",
        "event",
        "accounts",
        "account",
        "factors",
        "factor",
        "findings",
        "finding",
        "actions",
        "action",
        "episode",
        "episodes",
        "the",
    ]
)
#: A word of three letters or more (text with fewer is refs and connectors, not words).
WORD = re.compile(r"[^\W\d_]{3,}")
_TRAILING = frozenset({"and", "or", "&", "see", "cf", "also"})


def _clean_clause(clause: str) -> str:
    words = clause.split()
    while words and words[0].strip(",:").casefold() in _CONNECTORS - {"the"}:
        words.pop(0)
    while words and words[-1].strip(",:").casefold() in _TRAILING:
        words.pop()
    meaningful = [w for w in words if WORD.search(w) and w.casefold() not in _CONNECTORS]
    return " ".join(words).strip(" ,:") if meaningful else ""


def _clean_sentence(sentence: str) -> str:
    stop = sentence[-1] if sentence[-1:] in ".!?" else ""
    body = sentence[: len(sentence) - len(stop)]
    kept = [c for c in (_clean_clause(part) for part in body.split(";")) if c]
    if not kept:
        return ""
    text = re.sub(r"\s+([.,;:])", r"\1", "; ".join(kept))
    return text[0].upper() + text[1:] + stop


def _clean_line(line: str) -> str:
    if not _REFS.search(line):
        return line
    marker = re.match(r"\s*(?:[-*+]|\d+[.)])\s+", line)
    prefix = marker.group(0) if marker else line[: len(line) - len(line.lstrip())]
    body = _REFS.sub("", line[len(prefix) :]).strip()
    sentences = [_clean_sentence(s) for s in re.split(r"(?<=[.!?])\s+", body) if s]
    kept = [s for s in sentences if s]
    return prefix + " ".join(kept) if kept else ""


def without_refs(text: str) -> str:
    """``text`` with the app's item refs (``E12``, ``(F3, F4)``) taken out, and the words
    left hanging without them ("events and;") too; a line of refs alone goes."""
    return "\n".join(_clean_line(line) for line in text.splitlines())


def glossary_rows(text: str, extra: str) -> tuple[tuple[str, str], ...]:
    """The glossary: each known acronym ``text`` uses, the method's terms, and the panel's own
    lines (``TERM: meaning``, which also replace a built-in meaning)."""
    own: dict[str, str] = {}
    for line in extra.splitlines():
        term, sep, meaning = line.strip().lstrip("-*").partition(":")
        if sep and term.strip() and meaning.strip():
            own[term.strip().strip("*")] = meaning.strip()
    used = {m.group(1) for m in _ACRONYM.finditer(text)}
    rows = {a: own.get(a, meaning) for a, meaning in ACRONYMS.items() if a in used}
    rows.update(dict(TERMS))
    rows.update(own)
    return tuple(sorted(rows.items(), key=lambda row: row[0].casefold()))
