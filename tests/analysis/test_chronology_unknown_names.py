"""Names in an agency's text that the register does not hold are offered for it, titled or not,
without taking an agency's name or an ordinary capitalised phrase for a person (fictional)."""

from __future__ import annotations

from analysis.chronology.people import PeopleMatcher, RegisterEntry

REGISTER = [RegisterEntry("P2", "Mother", ("Kerry Holt", "Kerry Ash"))]


def _unmatched(text: str, not_names: tuple[str, ...] = ()) -> list[str]:
    return PeopleMatcher(REGISTER, not_names=not_names).find(text).unmatched


def test_an_untitled_name_the_register_lacks_is_offered() -> None:
    assert _unmatched("Gary Pike (neighbour) reported shouting at the flat.") == ["Gary Pike"]


def test_register_people_titled_names_and_agencies_are_not_offered_twice_or_wrongly() -> None:
    text = (
        "Kerry Holt spoke to DS Kaur. Eastmere Police attended. Early Help closed the case. "
        "Strategy Discussion held on Monday."
    )
    assert _unmatched(text, not_names=("eastmere police",)) == ["DS Kaur"]


def test_a_name_of_ordinary_words_is_still_offered_when_a_word_is_no_english_word() -> None:
    assert _unmatched("Florence Ashdown was seen at nursery on Monday.") == ["Florence Ashdown"]


def test_days_and_months_are_not_names() -> None:
    assert _unmatched("On Monday Police attended; in March Health visited.") == []
