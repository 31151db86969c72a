"""A generated corpus of fictional review documents for the anonymisation tests.

Everything here is invented: the register's names are made up ("Zara Quillfeather"), phone
numbers are in Ofcom's drama ranges, emails use example.org/example.com, NHS and National
Insurance numbers are random numbers with a valid check. Other test modules reuse it:

    from tests.anonymise_corpus import REGISTER, PLACES, generate_corpus, valid_nhs_number
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from analysis.anonymise.model import RegisterPerson
from analysis.documents.model import BulletList, Document, Markdown, Paragraph, Section, Table

REGISTER: tuple[RegisterPerson, ...] = (
    RegisterPerson("Child F", ("Zara Mae Quillfeather", "Zee")),
    RegisterPerson("Mother", ("Hope Quillfeather", "Hope Ellery")),
    RegisterPerson("Father", ("Tobias Wrenfield", "Toby Wrenfield")),
    RegisterPerson("Sibling 1", ("Ottilie Quillfeather-Wrenfield",)),
    RegisterPerson("Mother's Partner", ("Will Brackenbury",)),
    RegisterPerson("Health Visitor 1", ("Marisol Thistlewood",)),
    RegisterPerson("Social Worker 1", ("Caspian Drummelow",)),
    RegisterPerson("Teacher 1", ("Rosalind O'Farrelly",)),
    RegisterPerson("Maternal Grandmother", ("Ingrid van der Hoeks",)),
    RegisterPerson("GP 1", ("Dr Percival Mountjoy-Fitch",)),
    # Titles and ranks are not first names: "DS" is not Anwen's first name.
    RegisterPerson("Police Officer 1", ("DS Anwen Caldicott",)),
    RegisterPerson("Chaplain 1", ("Revd Canon Ewart Pellingham",)),
)

PLACES: tuple[str, ...] = (
    "Northbrook Primary School",
    "St Aldric's C of E Academy",
    "Fernleigh Nursery",
    "Kestrelmoor High School",
)

# Every way a name is written in the corpus, by the register person's pseudonym. Lower-case
# forms are left out for names that are ordinary words ("Hope", "Will"), which are only
# names when capitalised.
NAME_FORMS: dict[str, tuple[str, ...]] = {
    "Child F": (
        "Zara Mae Quillfeather", "Zara Quillfeather", "Zara", "ZARA", "zara", "Zara's",
        "Z. Quillfeather", "Zara Q.", "Z.M.Q.", "Z.Q.", "ZQ", "ZMQ", "Zee", "Zee's",
        "zara quillfeather",
    ),
    "Mother": (
        "Hope Quillfeather", "Hope", "HOPE", "Hope's", "Ms Ellery",
        "Hope Ellery", "Ellery", "ellery", "H. Ellery", "Hope E.",
    ),
    "Father": (
        "Tobias Wrenfield", "Tobias", "tobias", "Tobias'", "Wrenfield", "WRENFIELD",
        "Mr Wrenfield", "Toby", "Toby's", "T.W.", "Mr. Wrenfield", "T. Wrenfield",
    ),
    "Sibling 1": (
        "Ottilie Quillfeather-Wrenfield", "Ottilie", "OTTILIE", "ottilie's",
        "Ottilie Q.", "O. Quillfeather-Wrenfield",
    ),
    "Mother's Partner": (
        "Will Brackenbury", "Will", "Brackenbury", "brackenbury", "Mr Brackenbury",
        "Will's", "W.B.", "WILL BRACKENBURY",
    ),
    "Health Visitor 1": (
        "Marisol Thistlewood", "Marisol", "Thistlewood", "thistlewood's", "M. Thistlewood",
        "Ms Thistlewood", "M.T.", "Nurse Thistlewood",
        # pasted from Word: a non-breaking space, a zero-width space inside the name
        "Marisol\u00a0Thistlewood", "Thistle\u200bwood",
    ),
    "Social Worker 1": (
        "Caspian Drummelow", "Caspian", "Drummelow", "DRUMMELOW", "Caspian D.", "C.D.",
        "Caspian\u202fDrummelow",
    ),
    "Teacher 1": (
        "Rosalind O'Farrelly", "Rosalind", "O'Farrelly", "O’Farrelly", "Mrs O'Farrelly",
        "Rosalind's", "R. O'Farrelly",
    ),
    "Maternal Grandmother": (
        "Ingrid van der Hoeks", "Ingrid", "van der Hoeks", "Mrs van der Hoeks", "ingrid",
    ),
    "GP 1": (
        "Percival Mountjoy-Fitch", "Dr Mountjoy-Fitch", "Percival", "Mountjoy-Fitch",
        "Dr. Percival Mountjoy-Fitch", "P. Mountjoy-Fitch", "Mountjoy",
        "Percival Mountjoy\u2011Fitch",
    ),
    "Police Officer 1": (
        "DS Anwen Caldicott", "Anwen Caldicott", "Anwen", "Anwen's", "DS Caldicott",
        "Caldicott", "Sgt Caldicott", "Det Sgt Caldicott", "A. Caldicott", "PC Caldicott",
    ),
    "Chaplain 1": (
        "Ewart Pellingham", "Ewart", "Revd Pellingham", "Rev. Pellingham", "Pellingham's",
        "Canon Pellingham", "Revd Canon Ewart Pellingham",
    ),
}  # fmt: skip

# A surname several register people share, alone or with a title: nobody's in particular.
# Substitution writes a marker naming who it could be, and the scan reports the marker.
_QUILLFEATHERS = "[which person? Child F, Mother or Sibling 1]"
AMBIGUOUS_FORMS: dict[str, str] = {
    "Mrs Quillfeather": _QUILLFEATHERS,
    "Miss Quillfeather": _QUILLFEATHERS,
    "Ms Quillfeather": _QUILLFEATHERS,
    "QUILLFEATHER": _QUILLFEATHERS,
    "Quillfeather's": _QUILLFEATHERS + "'s",
    "Mr and Mrs Quillfeather": "[which people? Child F, Mother or Sibling 1]",
    "Mr & Mrs Wrenfield": "[which people? Father or Sibling 1]",
}

# A family by its surname: (as written, the surname, what substitution makes of it). A
# surname shared by several people becomes "the family"; one person's, that person's family.
FAMILY_FORMS: tuple[tuple[str, str, str], ...] = (
    ("the Quillfeathers", "Quillfeather", "the family"),
    ("the QUILLFEATHERS", "QUILLFEATHER", "the family"),
    ("the Quillfeather family", "Quillfeather", "the family"),
    ("the Quillfeather household", "Quillfeather", "the household"),
    ("the Wrenfields", "Wrenfield", "Father's family"),
    ("the Wrenfield family", "Wrenfield", "Father's family"),
    ("the Brackenburys", "Brackenbury", "Mother's Partner's family"),
    ("the Drummelows", "Drummelow", "Social Worker 1's family"),
    ("Thistlewoods", "Thistlewood", "Health Visitor 1's family"),
    ("the van der Hoeks family", "van der Hoeks", "Maternal Grandmother's family"),
    ("the Quillfeather-Wrenfields", "Quillfeather-Wrenfield", "Sibling 1's family"),
    ("the Caldicotts", "Caldicott", "Police Officer 1's family"),
    ("the Mountjoy-Fitch family", "Mountjoy-Fitch", "GP 1's family"),
)
FAMILY_POSSESSIVE_FORMS: tuple[tuple[str, str, str], ...] = (
    ("the Quillfeathers'", "Quillfeather", "the family's"),
    ("the Quillfeather family's", "Quillfeather", "the family's"),
    ("the Wrenfields'", "Wrenfield", "Father's family's"),
    ("the Brackenburys’", "Brackenbury", "Mother's Partner's family’s"),
)
FAMILY_SENTENCES = (
    "{name} had lived there since 2019.",
    "Nobody visited {name} after the move.",
    "The referral named {name} as the carers.",
)
FAMILY_POSSESSIVE_SENTENCES = (
    "Child F moved into {name} home.",
    "Audit {name} file before the meeting.",
    "{name} car was seen outside.",
)

# Markup that hides a name from the Markdown source but not from a reader: (source, seen).
MARKDOWN_TRICKS: tuple[tuple[str, str], ...] = (
    ("Mari**sol**", "Marisol"),
    ("Thistle&#119;ood", "Thistlewood"),
    ("Cas<!-- -->pian", "Caspian"),
    ("Z&#x61;ra", "Zara"),
    ("Tobi<em>as</em>", "Tobias"),
    ("Pelling*ham*", "Pellingham"),
)

NAME_SENTENCES = (
    "{name} was seen at home by the duty team.",
    "The school said {name} seemed withdrawn that week.",
    "On the next visit, {name} did not answer the door.",
    "A referral mentioned {name} and the concerns about neglect.",
    "{name} told the panel that the handover had been rushed.",
    "Nobody asked {name} what it was like at home.",
    "The records show {name} missed two appointments",
)

# Ordinary review prose: none of this identifies anyone, so the scanner must stay silent.
PLAIN_SENTENCES = (
    "The review panel met on 14 March 2023 to agree the terms of reference.",
    "The notification was made within 10 working days.",
    "Events E12 and E13 were linked to KPE 3 by the panel.",
    "In 2019 the family moved to a larger property.",
    "Between 2018 and 2020 there were 14 contacts with universal services.",
    "Section 47 enquiries began at 10:30 on 03/04/2021.",
    "There were 2 Family Court hearings before the final order.",
    "Case reference 4471-2290 was closed after 6 months.",
    "The HV and the SW visited together, and the GP was informed.",
    "Mother said she would hope for the best; the worker will follow up.",
    "Child F was seen 12 times in 2020 and weighed 9.4 kg at the last visit.",
    "Childline can be reached on 0800 1111 at any time.",
    "The partnership published 3 Key Findings and 11 actions.",
    "The cost of the placement was £1,250 a week in 2021.",
    "The strategy discussion on 5 May 2022 was attended by Police Officer 2.",
    "Health Visitor 1 and Social Worker 1 spoke to Mother's Partner.",
    "Father had moved out by June 2021, according to Maternal Grandmother.",
    "GP 1 saw Sibling 1 for a chest infection; Teacher 1 raised a concern.",
    "The Children Act 1989 s.17 assessment took 45 working days.",
    "The review will report to the board by 30/09/2024.",
    "Agencies completed 3 of the 5 actions within 12 weeks.",
    "The meeting at 2 pm included 8 practitioners from 4 agencies.",
    "A child protection plan was made under the category of neglect in 2020.",
    "Question 4 asks the board how supervision will be resourced.",
    "The log recorded 2 calls on 17/11/2020 and 1 on 18/11/2020.",
    "Wave 2 of the audit in Q3 2023 looked at 40 cases.",
    "Practice standard 7 says visits should happen every 10 days.",
    "The agency's procedures were last updated in April 2019.",
    # Titles and ranks alone are words, not names.
    "A PC attended and the DS reviewed the log the next day.",
    "The DI and the DCI agreed the plan; a PCSO made the referral.",
    "The Sister on the ward and the Nurse in charge spoke to Mother.",
    "Chaplain 1 and Police Officer 1 gave their accounts to the review.",
    # School words alone name no school.
    "The primary school and the high school shared their records.",
    "An academy trust runs the nursery, the infant and junior school and the college.",
    # Families and households in general.
    "Families in the area had waited months; the family and the household were seen.",
)


@dataclass(frozen=True)
class Planted:
    """An identifier the generator put into a document: what the scanner must report."""

    kind: str
    text: str
    location: str


@dataclass
class CorpusDocument:
    """A generated document, what was planted in it, and the name forms used in it."""

    document: Document
    planted: list[Planted] = field(default_factory=list)
    names_used: list[tuple[str, str]] = field(default_factory=list)  # (pseudonym, form)
    # (location, text) that substitution must produce: family phrases, ambiguity markers
    expected: list[tuple[str, str]] = field(default_factory=list)


def valid_nhs_number(rng: random.Random) -> str:
    """Ten digits passing the NHS Modulus 11 check."""
    while True:
        digits = [rng.randint(4, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def invalid_nhs_number(rng: random.Random) -> str:
    """Ten digits failing the NHS check (not a hit)."""
    number = valid_nhs_number(rng)
    wrong = (int(number[9]) + rng.randint(1, 9)) % 10
    return number[:9] + str(wrong)


# Spaces and dashes that come with text pasted from Word or Outlook.
PASTED_SPACES = ("\u00a0", "\u202f", "\u2009", "\u2007")
PASTED_DASHES = ("\u2013", "\u2011", "\u2212")


def _format_nhs(number: str, rng: random.Random) -> str:
    style = rng.choice(["space", "dash", "plain", "pasted space", "pasted dash"])
    if style == "plain":
        return number
    sep = {
        "space": " ",
        "dash": "-",
        "pasted space": rng.choice(PASTED_SPACES),
        "pasted dash": rng.choice(PASTED_DASHES),
    }[style]
    return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"


def postcode(rng: random.Random) -> str:
    area = rng.choice(["LS", "M", "B", "SW", "CR", "DN", "EC", "W", "NE", "BS", "CF", "EH"])
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    outward = {
        "SW": f"SW{rng.randint(1, 9)}A",
        "EC": f"EC{rng.randint(1, 4)}A",
        "W": f"W{rng.randint(1, 9)}",
    }.get(area, f"{area}{rng.randint(1, 29)}")
    if rng.random() < 0.03:
        return "GIR 0AA"
    inward = f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    roll = rng.random()
    if roll < 0.15:
        return f"{outward}{inward}"
    if roll < 0.3:
        return f"{outward}{rng.choice(PASTED_SPACES)}{inward}"
    return f"{outward} {inward}"


def phone(rng: random.Random) -> str:
    tail = f"{rng.randint(0, 999):03d}"
    return rng.choice(
        [
            f"07700 900{tail}",
            f"07700900{tail}",
            f"+44 7700 900{tail}",
            f"+447700900{tail}",
            f"01632 960{tail}",
            f"(01632) 960{tail}",
            f"020 7946 0{tail}",
            f"+44 (0)20 7946 0{tail}",
            f"0113 496 0{tail}",
            f"0161-496-0{tail}",
            f"0044 113 496 0{tail}",
            f"0300 555 0{tail}",
            f"07700\u00a0900{tail}",
            f"01632\u202f960{tail}",
            f"020\u20097946\u20090{tail}",
            f"0161\u2013496\u20130{tail}",
            f"+44\u00a07700\u00a0900{tail}",
            f"07700\u200b900{tail}",
        ]
    )


def email(rng: random.Random) -> str:
    user = rng.choice(["j.bloggs", "duty.team", "a_worker", "caseholder", "k-smythe", "r.n"])
    domain = rng.choice(["example.org", "example.com", "mail.example.net"])
    return f"{user}{rng.randint(1, 99)}@{domain}"


def ni_number(rng: random.Random) -> str:
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(first) + rng.choice(second)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def birth_date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2005, 2023)
    months = [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ]  # fmt: skip
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day} {months[month - 1]} {year}",
            f"{day}th {months[month - 1][:3]} {year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{day}.{month}.{year}",
        ]
    )


DOB_SENTENCES = (
    "Child F was born on {value} at the local hospital.",
    "DOB: {value}.",
    "Sibling 1 (date of birth {value}) was not seen.",
    "Mother's Partner, d.o.b. {value}, was not known to services.",
    "Sibling 1, born {value}, stayed with Maternal Grandmother.",
)

STREETS = ("Larchmont", "Haverleigh", "Kestrel", "Old Quarry", "Amberwell", "St Oswin's")
SUFFIXES = ("Road", "Street", "Avenue", "Close", "Lane", "Drive", "Way", "Crescent", "Court",
            "Gardens", "Terrace", "Place")  # fmt: skip


def address(rng: random.Random) -> str:
    number = f"{rng.randint(1, 240)}{rng.choice(['', '', 'A', 'b'])}"
    street = f"{rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    return (
        f"Flat {rng.randint(1, 9)}, {number} {street}"
        if rng.random() < 0.2
        else f"{number} {street}"
    )


IDENTIFIER_SENTENCES: dict[str, tuple[str, ...]] = {
    "nhs_number": ("The NHS number {value} was on the referral.", "NHS no. {value} (health)."),
    "postcode": ("The family lived near {value} at the time.", "Postcode: {value}"),
    "phone": ("Mother's mobile, {value}, was switched off.", "The school rang {value} twice."),
    "email": ("The referral came from {value} late on Friday.", "Write to {value} for copies."),
    "ni_number": ("Father's NI number {value} was on the benefits form.",),
    "date_of_birth": DOB_SENTENCES,
    "address": ("The family moved to {value}, Northtown.", "Police attended {value} at night."),
    "school": ("Child F started at {value} in September.", "{value} made a referral."),
    "school_stem": (
        "Staff said {value}'s worry box helped.",
        "{value} staff made a referral.",
        "The DSL at {value} was told the same day.",
    ),
}

# A registered school's own name with another school phrase, or alone where only the school
# can be meant: what the scan reports is the whole of it.
SCHOOL_FORMS = (
    *PLACES,
    "Northbrook Primary",
    "Northbrook Primary Academy",
    "NORTHBROOK PRIMARY",
    "Kestrelmoor High",
    "Kestrelmoor Academy",
    "Kestrelmoor\u00a0High School",
    "St Aldric's CE Primary",
    "St Aldric’s Academy",
    "Fernleigh Nursery School",
    "Fernleigh Infant and Nursery School",
)
SCHOOL_STEMS = ("Northbrook", "Kestrelmoor", "Fernleigh", "St Aldric's")

GENERATORS = {
    "nhs_number": lambda rng: _format_nhs(valid_nhs_number(rng), rng),
    "postcode": postcode,
    "phone": phone,
    "email": email,
    "ni_number": ni_number,
    "date_of_birth": birth_date,
    "address": address,
    "school": lambda rng: rng.choice(SCHOOL_FORMS),
    "school_stem": lambda rng: rng.choice(SCHOOL_STEMS),
}
HIT_KIND = {"school_stem": "school"}  # what the scan calls what the generator plants

SECTION_HEADINGS = ("Background", "Key practice episode 1", "What happened", "Analysis",
                    "Findings", "Good practice", "Actions")  # fmt: skip


def generate_corpus(count: int = 240, seed: int = 20261126) -> list[CorpusDocument]:
    """``count`` fictional documents, each with names, planted identifiers and plain prose."""
    rng = random.Random(seed)
    corpus = []
    for number in range(count):
        item = CorpusDocument(Document(title=f"Fictional review {number}"))
        sections = []
        headings = rng.sample(SECTION_HEADINGS, rng.randint(2, 4))
        for heading in headings:
            location = heading
            sentences: list[str] = []
            block = rng.choice(["paragraph", "paragraph", "markdown", "bullets", "table"])
            for _ in range(rng.randint(3, 7)):
                roll = rng.random()
                if roll < 0.3:
                    pseudonym = rng.choice(list(NAME_FORMS))
                    form = rng.choice(NAME_FORMS[pseudonym])
                    item.names_used.append((pseudonym, form))
                    sentences.append(rng.choice(NAME_SENTENCES).format(name=form))
                elif roll < 0.4:
                    sentences.append(_family_sentence(item, location, rng))
                elif roll < 0.45:
                    form, marker = rng.choice(list(AMBIGUOUS_FORMS.items()))
                    template = rng.choice(NAME_SENTENCES)
                    item.names_used.append(("", form))
                    planted = Planted("ambiguous_name", marker.removesuffix("'s"), location)
                    item.planted.append(planted)
                    item.expected.append((location, _capitalised(template.format(name=marker))))
                    sentences.append(template.format(name=form))
                elif roll < 0.7:
                    kind = rng.choice(list(GENERATORS))
                    value = GENERATORS[kind](rng)
                    item.planted.append(Planted(HIT_KIND.get(kind, kind), value, location))
                    sentences.append(rng.choice(IDENTIFIER_SENTENCES[kind]).format(value=value))
                elif block == "markdown" and roll < 0.75:
                    source, seen = rng.choice(MARKDOWN_TRICKS)
                    item.planted.append(Planted("register_name", seen, location))
                    sentences.append(rng.choice(NAME_SENTENCES).format(name=source))
                else:
                    sentences.append(rng.choice(PLAIN_SENTENCES))
            if block == "paragraph":
                sections.append(Section(heading, (Paragraph(" ".join(sentences)),)))
            elif block == "markdown":
                sections.append(Section(heading, (Markdown("\n\n".join(sentences)),)))
            elif block == "bullets":
                sections.append(Section(heading, (BulletList(tuple(sentences)),)))
            else:
                rows = tuple((str(i + 1), s) for i, s in enumerate(sentences))
                sections.append(Section(heading, (Table(("No.", "Text"), rows),)))
        item.document = Document(title=item.document.title, sections=tuple(sections))
        corpus.append(item)
    return corpus


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _family_sentence(item: CorpusDocument, location: str, rng: random.Random) -> str:
    """A sentence naming a family by its surname, and what substitution must make of it."""
    if rng.random() < 0.3:
        form, surname, expected = rng.choice(FAMILY_POSSESSIVE_FORMS)
        template = rng.choice(FAMILY_POSSESSIVE_SENTENCES)
    else:
        form, surname, expected = rng.choice(FAMILY_FORMS)
        template = rng.choice(FAMILY_SENTENCES)
    item.names_used.append(("", surname))
    item.expected.append((location, _capitalised(template.format(name=expected))))
    return _capitalised(template.format(name=form))


def plain_corpus(count: int = 200, seed: int = 7) -> list[str]:
    """Ordinary review prose with no identifier and no register name (no hit expected)."""
    rng = random.Random(seed)
    return [
        " ".join(rng.sample(PLAIN_SENTENCES, rng.randint(3, 8)))
        + f" The invalid number {invalid_nhs_number(rng)} is a case reference."
        for _ in range(count)
    ]


# --------------------------------------------------------------------------- newer kinds
# What the scan learnt later, in a corpus of its own (so the numbers above stay as they were):
# misspelt register names, titled names the register does not know, a school's stem on its
# own, and addresses written in the other ways streets are named.

NEAR_NAME_FORMS: tuple[str, ...] = (
    "Quilfeather", "Quillfaether", "Thistlewod", "Thistelwood", "Drumelow", "Drummellow",
    "Caspain", "Marisoll", "Pelingham", "Pellinghem", "Brakenbury", "Brackenbery",
    "Caldicot", "Wrenfeild", "Rosalynd", "Ottillie", "Percivall", "Mountjoi",
)  # fmt: skip
TITLED_NAMES: tuple[str, ...] = (
    "Mrs Janet Pike", "Mr Desmond Oyelaran", "Dr Priya Venkataraman", "PC Gareth Lowther",
    "DS Kofi Mensah", "Cllr Irene Batty", "Miss Halloran", "Ms Pike", "Mr. Okafor",
    "Dr Sian Rees-Morgan",
)  # fmt: skip
STEM_ALONE_SENTENCES: tuple[str, ...] = (
    "{value} rang the duty team the same afternoon.",
    "She had been happy at {value} until the move.",
    "Records from {value} were not shared with health.",
    "The head said {value} had no concerns that term.",
)
NEW_STREETS: tuple[str, ...] = (
    "14 The Paddocks", "3 The Maltings", "27 Larchmont End", "8 Haverleigh Fold",
    "5 Kestrel Mead", "41 acacia road", "9 amberwell crescent", "112 Old Quarry Brow",
    "6 The Willows", "18 Haverleigh Gdns",
)  # fmt: skip
NEW_KIND_SENTENCES: dict[str, tuple[str, ...]] = {
    "near_name": (
        "A referral mentioned {value} and the concerns about neglect.",
        "The notes say {value} was seen twice that week.",
    ),
    "possible_name": (
        "{value} called the school about the bruise.",
        "The strategy discussion heard from {value} by phone.",
    ),
    "school_stem_alone": STEM_ALONE_SENTENCES,
    "street": ("Police attended {value} at night.", "The family moved to {value} in May."),
}
NEW_GENERATORS = {
    "near_name": lambda rng: rng.choice(NEAR_NAME_FORMS),
    "possible_name": lambda rng: rng.choice(TITLED_NAMES),
    "school_stem_alone": lambda rng: rng.choice(SCHOOL_STEMS[:3]),
    "street": lambda rng: rng.choice(NEW_STREETS),
}
NEW_HIT_KIND = {"school_stem_alone": "school", "street": "address"}


def generate_new_kinds_corpus(count: int = 120, seed: int = 20261204) -> list[CorpusDocument]:
    """``count`` fictional documents planting the newer kinds among plain prose and names."""
    rng = random.Random(seed)
    corpus = []
    for number in range(count):
        sentences: list[str] = []
        planted: list[Planted] = []
        for _ in range(rng.randint(4, 8)):
            roll = rng.random()
            if roll < 0.45:
                kind = rng.choice(list(NEW_GENERATORS))
                value = NEW_GENERATORS[kind](rng)
                planted.append(Planted(NEW_HIT_KIND.get(kind, kind), value, "Analysis"))
                sentences.append(rng.choice(NEW_KIND_SENTENCES[kind]).format(value=value))
            elif roll < 0.6:
                pseudonym = rng.choice(list(NAME_FORMS))
                sentences.append(rng.choice(NAME_SENTENCES).format(name=pseudonym))
            else:
                sentences.append(rng.choice(PLAIN_SENTENCES))
        document = Document(
            title=f"Fictional review {number}",
            sections=(Section("Analysis", (Paragraph(" ".join(sentences)),)),),
        )
        corpus.append(CorpusDocument(document, planted))
    return corpus
