"""Pseudonym substitution and the pre-publication scan, on a generated corpus and by example."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from analysis.anonymise import (
    RegisterPerson,
    nhs_number_is_valid,
    scan,
    scan_document,
    substitute,
    substitute_document,
)
from analysis.documents import Document, Figure, Markdown, Paragraph, Section, document_text
from tests.anonymise_corpus import (
    NAME_FORMS,
    PLACES,
    PLAIN_SENTENCES,
    REGISTER,
    generate_corpus,
    plain_corpus,
)

CORPUS = generate_corpus()


def _survivors(text: str) -> list[str]:
    """Name forms from the corpus still present in ``text`` as whole words."""
    found = []
    for forms in NAME_FORMS.values():
        for form in forms:
            base = form.rstrip("'’s") if form.endswith(("'s", "’s", "'")) else form
            if re.search(rf"(?<![\w.]){re.escape(base)}(?!\w)", text):
                found.append(form)
    return found


def test_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 200
    kinds = Counter(p.kind for doc in CORPUS for p in doc.planted)
    assert set(kinds) == {
        "nhs_number", "postcode", "phone", "email", "ni_number", "date_of_birth", "address",
        "school",
    }  # fmt: skip
    assert min(kinds.values()) >= 30
    forms = {form for doc in CORPUS for _, form in doc.names_used}
    assert len(forms) >= 80


def test_no_register_name_survives_substitution() -> None:
    leaks = []
    for item in CORPUS:
        clean = substitute_document(item.document, REGISTER)
        for location, text in document_text(clean):
            leaks.extend((location, form, text) for form in _survivors(text))
    assert leaks == []


def test_every_planted_identifier_is_found_with_its_kind_and_location() -> None:
    missed = []
    for item in CORPUS:
        clean = substitute_document(item.document, REGISTER)
        hits = scan_document(clean, register=REGISTER, places=PLACES)
        found = {(h.kind, h.text, h.location) for h in hits}
        missed.extend(p for p in item.planted if (p.kind, p.text, p.location) not in found)
    assert missed == []


def test_scan_reports_nothing_but_the_planted_identifiers() -> None:
    """Precision: after substitution, every hit is something the generator planted."""
    unexpected = []
    for item in CORPUS:
        clean = substitute_document(item.document, REGISTER)
        planted = {(p.kind, p.text, p.location) for p in item.planted}
        unexpected.extend(
            h
            for h in scan_document(clean, register=REGISTER, places=PLACES)
            if (h.kind, h.text, h.location) not in planted
        )
    assert unexpected == []


def test_unsubstituted_names_are_reported_by_the_scan() -> None:
    missed = []
    for item in CORPUS:
        hits = scan_document(item.document, register=REGISTER, places=PLACES)
        texts = " ".join(h.text for h in hits)
        missed.extend(form for _, form in item.names_used if form.rstrip("'’s") not in texts)
    assert missed == []


def test_pseudonyms_are_never_changed_or_flagged() -> None:
    text = " ".join(p.pseudonym for p in REGISTER) + " Mother's Partner and Child F's school."
    assert substitute(text, REGISTER) == text
    assert scan(text, register=REGISTER, places=PLACES) == []


def test_plain_prose_gives_no_hits() -> None:
    for text in plain_corpus():
        assert scan(text, register=REGISTER, places=PLACES) == [], text
        assert substitute(text, REGISTER) == text


@pytest.mark.parametrize("sentence", PLAIN_SENTENCES)
def test_each_plain_sentence_gives_no_hits(sentence: str) -> None:
    assert scan(sentence, register=REGISTER, places=PLACES) == []


def test_substitution_is_idempotent() -> None:
    for item in CORPUS[:50]:
        once = substitute_document(item.document, REGISTER)
        assert substitute_document(once, REGISTER) == once


# --------------------------------------------------------------------------- by example

PEOPLE = (
    RegisterPerson("Child F", ("Zara Mae Quillfeather",)),
    RegisterPerson("Mother", ("Hope Quillfeather",)),
    RegisterPerson("Father", ("Tobias Wrenfield",)),
    RegisterPerson("Health Visitor 1", ("Harriet Vance",)),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zara Mae Quillfeather was seen.", "Child F was seen."),
        ("ZARA said zara's bag was Zara’s.", "Child F said Child F's bag was Child F’s."),
        ("Tobias' car and Wrenfield's van", "Father's car and Father's van"),
        ("Mr Wrenfield and Mr. Tobias Wrenfield", "Father and Father"),
        ("Seen by Z.Q. Then home.", "Seen by Child F. Then home."),
        ("Z.M.Q. and ZMQ and Z. Quillfeather", "Child F and Child F and Child F"),
        ("Tobias W. and T.W. and TW.", "Father and Father and Father."),
        ("Hope said we hope to HOPE", "Mother said we hope to Mother"),
        ("The HV visited; Harriet Vance is HV 1.", "The HV visited; Health Visitor 1 is HV 1."),
        ("Zarah and Tobiasson are other people.", "Zarah and Tobiasson are other people."),
        ("Hope the board agrees. Hope said no.", "Hope the board agrees. Mother said no."),
        ("- Hope we learn. Then Hope we", "- Hope we learn. Then Mother we"),
        ("zara@example.org", "zara@example.org"),  # left whole: the scan reports the email
    ],
)
def test_substitute_examples(text: str, expected: str) -> None:
    assert substitute(text, PEOPLE) == expected


def test_a_pseudonym_that_is_a_real_name_elsewhere_is_kept() -> None:
    people = (
        RegisterPerson("Mother", ("Grace Mother",)),  # a surname that is also a pseudonym
        RegisterPerson("Sister", ("Ann Sister",)),
    )
    assert substitute("Mother met Grace.", people) == "Mother met Mother."


def test_names_in_web_addresses_are_left_for_the_scan() -> None:
    text = "See [her page](https://example.org/zara-quillfeather) and Zara's note."
    clean = substitute(text, PEOPLE)
    assert clean == "See [her page](https://example.org/zara-quillfeather) and Child F's note."
    hits = scan(clean, register=PEOPLE)
    assert [(h.kind, h.text) for h in hits] == [
        ("register_name", "zara"),
        ("register_name", "quillfeather"),
    ]


def test_accents_dashes_and_spaces_in_names() -> None:
    people = (RegisterPerson("Sibling 1", ("Zoë Quillfeather-Wrenfield",)),)
    for text in ("Zoe", "ZOË", "Quillfeather Wrenfield", "Quillfeather–Wrenfield", "Zoë's"):
        assert substitute(text, people).startswith("Sibling 1"), text


def test_shared_surname_goes_to_the_first_registered_person() -> None:
    assert substitute("Ms Quillfeather", PEOPLE) == "Child F"


def test_empty_register_changes_nothing() -> None:
    assert substitute("Zara Quillfeather", ()) == "Zara Quillfeather"
    assert scan("Zara Quillfeather", register=()) == []


def test_substitute_document_reaches_svg_text_and_scan_reports_locations() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="9">Tobias drank</text></svg>'
    doc = Document(
        "About Zara",
        sections=(
            Section("Zara's school", (Paragraph("Zara went to Northbrook Primary School."),)),
            Section("AcciMap", (Figure("Tobias and the GP", svg=svg),), level=2),
        ),
    )
    clean = substitute_document(doc, PEOPLE)
    assert clean.title == "About Child F"
    assert clean.sections[0].heading == "Child F's school"
    figure = clean.sections[1].blocks[0]
    assert isinstance(figure, Figure) and figure.svg is not None
    assert b"Father drank" in figure.svg and figure.caption == "Father and the GP"
    hits = scan_document(clean, register=PEOPLE, places=PLACES)
    assert [(h.kind, h.text, h.location) for h in hits] == [
        ("school", "Northbrook Primary School", "Child F's school")
    ]
    raw = scan_document(doc, register=PEOPLE)
    assert ("register_name", "Tobias", "Child F's school › AcciMap › Figure 1") not in [
        (h.kind, h.text, h.location) for h in raw
    ]
    assert ("register_name", "Tobias", "Zara's school › AcciMap › Figure 1") in [
        (h.kind, h.text, h.location) for h in raw
    ]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("NHS 943 476 5919.", "nhs_number", "943 476 5919"),
        ("NHS 943-476-5919.", "nhs_number", "943-476-5919"),
        ("NHS 9434765919.", "nhs_number", "9434765919"),
        ("Post code SW1A 1AA.", "postcode", "SW1A 1AA"),
        ("GIR 0AA is special.", "postcode", "GIR 0AA"),
        ("Ring 07700 900123 now", "phone", "07700 900123"),
        ("Ring +44 (0)20 7946 0958 now", "phone", "+44 (0)20 7946 0958"),
        ("Ring (01632) 960001 now", "phone", "(01632) 960001"),
        ("Mail a.b@example.org.", "email", "a.b@example.org"),
        ("NI AB 12 34 56 C.", "ni_number", "AB 12 34 56 C"),
        ("NI JK123456A.", "ni_number", "JK123456A"),
        ("born on 3rd March 2011", "date_of_birth", "3rd March 2011"),
        ("DOB 03/03/2011", "date_of_birth", "03/03/2011"),
        ("04.05.2012 (d.o.b.)", "date_of_birth", "04.05.2012"),
        ("lived at 27B Larchmont Road, Northtown", "address", "27B Larchmont Road"),
        ("lived at 4 St Oswin's Close", "address", "4 St Oswin's Close"),
    ],
)
def test_scan_examples(text: str, kind: str, found: str) -> None:
    hits = scan(text, register=PEOPLE, location="Intro")
    assert [(h.kind, h.text, h.location) for h in hits] == [(kind, found, "Intro")]
    hit = hits[0]
    assert text[hit.start : hit.end] == found and found in hit.context


@pytest.mark.parametrize(
    "text",
    [
        "NHS 943 476 5918 has a wrong check digit.",
        "QQ 12 34 56 C is a specimen, and BG 12 34 56 A is not issued.",
        "Seen on 3 March 2011 at 10:30, 10 working days later.",
        "Events E12, E13 and KPE 2; years 2019 and 2020; 2 Family Court hearings.",
        "Childline 0800 1111; the ONS code E09000033.",
        "The baby was born early. On 4 May 2019 the HV visited.",
        "Grade B1 3rd in class; the M25 at junction 4.",
        "See section 3.2 and page 14 of 20.",
    ],
)
def test_scan_ignores_lookalikes(text: str) -> None:
    assert scan(text, register=PEOPLE) == []


def test_nhs_checksum() -> None:
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")


def test_context_is_about_forty_characters_each_side() -> None:
    text = "x" * 100 + " NHS 943 476 5919 " + "y" * 100
    (hit,) = scan(text, register=())
    assert hit.context.startswith("…") and hit.context.endswith("…")
    assert 90 <= len(hit.context) <= 100


def test_redact_replaces_every_hit_with_a_neutral_marker() -> None:
    from analysis.anonymise import REDACTED, redact, redact_document

    text = "Seen at 14 Acacia Road, Eastmere EM1 2AB, on 07700 900123 (DOB 03/04/2018)."
    clean, hits = redact(text, register=[])
    assert [h.kind for h in hits] == ["address", "postcode", "phone", "date_of_birth"]
    assert clean == (f"Seen at {REDACTED}, Eastmere {REDACTED}, on {REDACTED} (DOB {REDACTED}).")
    doc = Document(title="T", sections=(Section("S", (Paragraph(text), Markdown(text))),))
    cleaned, found = redact_document(doc, register=[])
    assert len(found) == 8
    assert scan_document(cleaned, register=[]) == []
