"""Contributing-factor checks, triangulation, blame and hindsight wording, and family voice.

Every case is hand-built with a known answer. All people, agencies and happenings are
fictional.
"""

from __future__ import annotations

import html

import pytest

from analysis.factors import (
    FAMILY_ACCOUNT_KINDS,
    FAMILY_VOICE_SOURCES,
    FRONT_LINE_LEVEL,
    LATENT_LEVELS,
    MITIGATED,
    TOOL_COMPONENT,
    AccountFacts,
    EvidenceFacts,
    FactorFacts,
    LinkFacts,
    Triangulation,
    WordingFlag,
    factor_warnings,
    highlight_wording,
    triangulation,
    voice_by_kpe,
    wording_flags,
)
from analysis.taxonomy import (
    CONTRIBUTOR_KINDS,
    LINK_RELATIONS,
    SEIPS_COMPONENTS,
    SOURCE_KINDS,
    SYSTEM_LEVELS,
)

EVENTS = frozenset({"E1", "E2", "E3"})
RECORD_E1 = EvidenceFacts("agency_record", event="E1")
ACCOUNT_A1 = EvidenceFacts("practitioner_account", account="A1")
AUDIT = EvidenceFacts("audit")


def factor(
    factor_type: str,
    level: str,
    *evidence: EvidenceFacts,
    ref: str = "F1",
    seips: str | None = None,
) -> FactorFacts:
    return FactorFacts(
        ref=ref,
        type=factor_type,
        level=level,
        label="Fictional factor",
        seips_component=seips,
        evidence=evidence,
    )


def codes(
    subject: FactorFacts, links: tuple[LinkFacts, ...] = (), events: frozenset[str] = EVENTS
) -> list[str]:
    return [warning.code for warning in factor_warnings(subject, links, events)]


# --- factor_warnings -------------------------------------------------------------------


def test_well_formed_active_failure_has_no_warnings() -> None:
    subject = factor("active_failure", "practice", RECORD_E1, ACCOUNT_A1)
    assert codes(subject) == []


@pytest.mark.parametrize("level", [lvl for lvl in SYSTEM_LEVELS if lvl != "practice"])
def test_active_failure_away_from_practice_is_flagged(level: str) -> None:
    subject = factor("active_failure", level, RECORD_E1, ACCOUNT_A1)
    warnings = factor_warnings(subject, (), EVENTS)
    assert [w.code for w in warnings] == ["active_not_practice"]
    assert "latent condition" in warnings[0].message
    assert SYSTEM_LEVELS[level].lower() in warnings[0].message


def test_active_failure_without_event_is_flagged() -> None:
    subject = factor("active_failure", "practice", ACCOUNT_A1, AUDIT)
    assert codes(subject) == ["active_without_event"]


def test_active_failure_rests_on_event_through_a_link() -> None:
    subject = factor("active_failure", "practice", ACCOUNT_A1, AUDIT)
    link = LinkFacts("F1", "E2", "contributed_to")
    assert codes(subject, (link,)) == []


def test_link_to_a_non_event_or_from_another_factor_does_not_count() -> None:
    subject = factor("active_failure", "practice", ACCOUNT_A1, AUDIT)
    to_factor = LinkFacts("F1", "F9", "contributed_to")
    from_other = LinkFacts("F2", "E1", "contributed_to")
    into_this = LinkFacts("E1", "F1", "contributed_to")
    assert codes(subject, (to_factor, from_other, into_this)) == ["active_without_event"]


def test_active_without_event_only_applies_to_active_failures() -> None:
    subject = factor("latent_condition", "organisation", ACCOUNT_A1, AUDIT)
    assert codes(subject) == []


@pytest.mark.parametrize("level", ["national", "partnership", "organisation", "team"])
def test_latent_condition_at_team_or_above_is_fine(level: str) -> None:
    subject = factor("latent_condition", level, ACCOUNT_A1, AUDIT)
    assert codes(subject) == []


@pytest.mark.parametrize("level", ["practice", "child_and_family"])
def test_latent_condition_below_team_is_flagged(level: str) -> None:
    subject = factor("latent_condition", level, ACCOUNT_A1, AUDIT)
    warnings = factor_warnings(subject, (), EVENTS)
    assert [w.code for w in warnings] == ["latent_too_low"]
    assert "team level or above" in warnings[0].message


@pytest.mark.parametrize("level", list(SYSTEM_LEVELS))
def test_tool_or_form_may_sit_at_any_level(level: str) -> None:
    subject = factor("latent_condition", level, ACCOUNT_A1, AUDIT, seips="tools_technology")
    assert codes(subject) == []


def test_other_seips_components_get_no_exemption() -> None:
    subject = factor("latent_condition", "practice", ACCOUNT_A1, AUDIT, seips="tasks")
    assert codes(subject) == ["latent_too_low"]


def test_vocabularies_come_from_the_taxonomy() -> None:
    assert frozenset({"national", "partnership", "organisation", "team"}) == LATENT_LEVELS
    assert FRONT_LINE_LEVEL in SYSTEM_LEVELS
    assert TOOL_COMPONENT in SEIPS_COMPONENTS
    assert MITIGATED in LINK_RELATIONS
    assert FAMILY_VOICE_SOURCES.issubset(SOURCE_KINDS)
    assert FAMILY_ACCOUNT_KINDS.issubset(CONTRIBUTOR_KINDS)


def test_protective_factor_without_mitigated_link_is_flagged() -> None:
    subject = factor("protective", "practice", RECORD_E1, ACCOUNT_A1)
    enabled = LinkFacts("F1", "E1", "enabled")
    assert codes(subject, (enabled,)) == ["protective_without_target"]


def test_protective_factor_with_mitigated_link_is_fine() -> None:
    subject = factor("protective", "team", RECORD_E1, ACCOUNT_A1)
    mitigated = LinkFacts("F1", "E2", "mitigated")
    assert codes(subject, (mitigated,)) == []


def test_mitigated_link_from_another_protective_factor_does_not_count() -> None:
    subject = factor("protective", "team", RECORD_E1, ACCOUNT_A1)
    elsewhere = LinkFacts("F2", "E2", "mitigated")
    assert codes(subject, (elsewhere,)) == ["protective_without_target"]


@pytest.mark.parametrize(
    ("factor_type", "level"),
    [("latent_condition", "organisation"), ("context", "child_and_family")],
)
def test_mitigated_link_from_non_protective_factor_is_flagged(factor_type: str, level: str) -> None:
    subject = factor(factor_type, level, RECORD_E1, ACCOUNT_A1)
    links = (LinkFacts("F1", "E2", "mitigated"), LinkFacts("F1", "E1", "mitigated"))
    warnings = factor_warnings(subject, links, EVENTS)
    assert [w.code for w in warnings] == ["mitigated_not_protective"]
    assert "E1, E2" in warnings[0].message
    assert "protective" in warnings[0].message


def test_active_failure_with_mitigated_link_to_event_is_flagged_once() -> None:
    subject = factor("active_failure", "practice", ACCOUNT_A1, AUDIT)
    link = LinkFacts("F1", "E1", "mitigated")
    assert codes(subject, (link,)) == ["mitigated_not_protective"]


def test_factor_without_evidence_gets_no_evidence_not_single_source() -> None:
    subject = factor("latent_condition", "organisation")
    assert codes(subject) == ["no_evidence"]


def test_factor_with_one_kind_of_source_is_flagged() -> None:
    subject = factor(
        "latent_condition",
        "organisation",
        EvidenceFacts("agency_record", event="E1"),
        EvidenceFacts("agency_record", event="E2"),
    )
    warnings = factor_warnings(subject, (), EVENTS)
    assert [w.code for w in warnings] == ["single_source"]
    assert "agency record" in warnings[0].message


def test_factor_with_two_kinds_of_source_is_not_single_source() -> None:
    subject = factor("context", "child_and_family", RECORD_E1, ACCOUNT_A1)
    assert codes(subject) == []


def test_warnings_come_in_a_fixed_order() -> None:
    subject = factor("active_failure", "team")
    links = (LinkFacts("F1", "F7", "mitigated"),)
    assert codes(subject, links) == [
        "active_not_practice",
        "active_without_event",
        "mitigated_not_protective",
        "no_evidence",
    ]


@pytest.mark.parametrize(
    "subject",
    [
        factor("active_failure", "organisation"),
        factor("latent_condition", "practice", AUDIT),
        factor("protective", "practice"),
        factor("context", "practice", AUDIT),
    ],
)
def test_messages_explain_the_method_without_blame(subject: FactorFacts) -> None:
    links = (LinkFacts("F1", "F7", "mitigated"),)
    for warning in factor_warnings(subject, links, EVENTS):
        assert warning.message
        assert wording_flags(warning.message) == []


# --- triangulation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ((), Triangulation(0, "none", "None: no evidence yet")),
        (("agency_record",), Triangulation(1, "weak", "Weak: 1 kind of source")),
        (
            ("agency_record", "agency_record", "practitioner_account"),
            Triangulation(2, "moderate", "Moderate: 2 kinds of source"),
        ),
        (
            ("agency_record", "childs_voice", "audit"),
            Triangulation(3, "strong", "Strong: 3 kinds of source"),
        ),
        (
            ("agency_record", "childs_voice", "audit", "observation", "audit"),
            Triangulation(4, "strong", "Strong: 4 kinds of source"),
        ),
    ],
)
def test_triangulation_counts_distinct_kinds_of_source(
    sources: tuple[str, ...], expected: Triangulation
) -> None:
    evidence = [EvidenceFacts(source, event=f"E{n}") for n, source in enumerate(sources)]
    assert triangulation(evidence) == expected


# --- wording ---------------------------------------------------------------------------


def test_wording_flag_positions_case_and_kind() -> None:
    text = "The visitor Failed to see Child Q. She SHOULD HAVE asked."
    flags = wording_flags(text)
    assert [(f.phrase, f.kind) for f in flags] == [
        ("Failed to", "blame"),
        ("SHOULD HAVE", "hindsight"),
    ]
    for flag in flags:
        assert text[flag.start : flag.end] == flag.phrase
    assert flags[0].start == text.index("Failed")
    assert "made sense" in flags[0].suggestion
    assert "at the time" in flags[1].suggestion


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("failed to", "blame"),
        ("fail to", "blame"),
        ("failure to", "blame"),
        ("should have", "hindsight"),
        ("should've", "hindsight"),
        ("could have", "hindsight"),
        ("ought to have", "hindsight"),
        ("obviously", "hindsight"),
        ("clearly", "hindsight"),
        ("negligent", "blame"),
        ("negligence", "blame"),
        ("careless", "blame"),
        ("carelessly", "blame"),
        ("neglected to", "blame"),
        ("didn't bother", "blame"),
        ("ignored", "blame"),
        ("it was obvious", "hindsight"),
        ("missed the signs", "hindsight"),
    ],
)
def test_every_listed_phrase_is_flagged(phrase: str, kind: str) -> None:
    text = f"In the entry, {phrase} here."
    assert wording_flags(text) == [
        WordingFlag(
            phrase=phrase,
            start=14,
            end=14 + len(phrase),
            kind=kind,
            suggestion=wording_flags(phrase)[0].suggestion,
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The plan was unclearly written.",
        "The report was obviousness itself.",
        "Her unfailed to-do list.",
        "The case was reignored.",
        "The referral was ignoredly handled.",
        "A shouldhave note.",
        "Carelessness",
        "The worker was not negligently treated",
    ],
)
def test_only_whole_words_are_flagged(text: str) -> None:
    assert wording_flags(text) == []


def test_clearly_is_flagged_but_unclearly_is_not() -> None:
    flags = wording_flags("Unclearly recorded, but clearly seen.")
    assert [(f.phrase, f.start) for f in flags] == [("clearly", 24)]


def test_phrase_across_a_line_break_and_extra_spaces() -> None:
    text = "The health visitor failed\n   to record the visit; it  was\tobvious later."
    flags = wording_flags(text)
    assert [f.phrase for f in flags] == ["failed\n   to", "it  was\tobvious"]
    assert [f.kind for f in flags] == ["blame", "hindsight"]


def test_curly_apostrophe_is_flagged() -> None:
    flags = wording_flags("The school didn\u2019t bother and should\u2019ve called.")
    assert [f.phrase for f in flags] == ["didn\u2019t bother", "should\u2019ve"]


def test_longer_phrase_wins_over_shorter_one() -> None:
    flags = wording_flags("The GP acted carelessly.")
    assert [f.phrase for f in flags] == ["carelessly"]


def test_neutral_wording_is_not_flagged() -> None:
    text = (
        "The health visitor did not see Child Q on 3 May because the family had moved; the "
        "form had no field for the new address and the team had twelve visits that day."
    )
    assert wording_flags(text) == []
    assert highlight_wording(text) == text


def test_highlight_escapes_text_and_marks_flags() -> None:
    text = '<script>alert("x")</script> Mother & GP failed to <b>act</b>'
    out = highlight_wording(text)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "Mother &amp; GP" in out
    assert out.count('<mark class="lr-wording" title="') == 1
    assert ">failed to</mark> &lt;b&gt;act&lt;/b&gt;" in out


def test_highlight_escapes_the_flagged_phrase_and_title() -> None:
    out = highlight_wording("Clearly <i>\nshould've")
    flags = wording_flags("Clearly <i>\nshould've")
    assert out.startswith('<mark class="lr-wording" title="')
    assert ">Clearly</mark> &lt;i&gt;\n<mark" in out
    assert out.endswith(">should&#x27;ve</mark>")
    assert "'" not in out
    assert f'title="{html.escape(flags[1].suggestion)}">' in out


# --- voice_by_kpe ----------------------------------------------------------------------


KPES = {
    "KPE1": frozenset({"E1", "E2"}),
    "KPE2": frozenset({"E3"}),
    "KPE3": frozenset({"E4", "E5"}),
    "KPE4": frozenset(),
}


def test_no_accounts_or_factors_means_no_voice_for_every_kpe() -> None:
    assert voice_by_kpe(KPES, [], []) == dict.fromkeys(KPES, False)


@pytest.mark.parametrize("kind", ["family", "child"])
def test_family_or_child_account_gives_voice(kind: str) -> None:
    accounts = [AccountFacts("A1", kind, frozenset({"E2"}))]
    result = voice_by_kpe(KPES, accounts, [])
    assert result == {"KPE1": True, "KPE2": False, "KPE3": False, "KPE4": False}


@pytest.mark.parametrize("kind", ["practitioner", "manager", "learning_event_group"])
def test_other_accounts_do_not_give_voice(kind: str) -> None:
    accounts = [AccountFacts("A1", kind, frozenset({"E1", "E3", "E4"}))]
    assert voice_by_kpe(KPES, accounts, []) == dict.fromkeys(KPES, False)


@pytest.mark.parametrize("source", ["childs_voice", "family_account"])
def test_family_voice_evidence_on_an_event_gives_voice(source: str) -> None:
    factors = [factor("context", "child_and_family", EvidenceFacts(source, event="E3"))]
    result = voice_by_kpe(KPES, [], factors)
    assert result == {"KPE1": False, "KPE2": True, "KPE3": False, "KPE4": False}


def test_other_evidence_on_an_event_does_not_give_voice() -> None:
    factors = [
        factor(
            "active_failure",
            "practice",
            EvidenceFacts("agency_record", event="E1"),
            EvidenceFacts("practitioner_account", event="E3"),
            EvidenceFacts("childs_voice"),
        )
    ]
    assert voice_by_kpe(KPES, [], factors) == dict.fromkeys(KPES, False)


def test_family_voice_evidence_through_a_family_account() -> None:
    accounts = [
        AccountFacts("A1", "family", frozenset({"E4"})),
        AccountFacts("A2", "practitioner", frozenset({"E1"})),
    ]
    factors = [
        factor("protective", "practice", EvidenceFacts("family_account", account="A1")),
    ]
    result = voice_by_kpe(KPES, accounts, factors)
    assert result == {"KPE1": False, "KPE2": False, "KPE3": True, "KPE4": False}
