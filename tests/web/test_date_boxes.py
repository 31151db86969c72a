"""The day, month and year boxes read a month as a person may type it (GOV.UK's date input
accepts "Jan" or "January"), and still name a month that does not exist."""

from __future__ import annotations

from datetime import date

import pytest

from app.forms import read_day_month_year


@pytest.mark.parametrize("month", ["1", "01", "Jan", "jan", "January", "JANUARY", "Jan."])
def test_a_month_may_be_typed_as_a_number_or_a_name(month: str) -> None:
    assert read_day_month_year("1", month, "2022", "Date") == (date(2022, 1, 1), None, ())


def test_september_may_be_sept() -> None:
    assert read_day_month_year("3", "Sept", "2024", "Date")[0] == date(2024, 9, 3)


def test_a_word_that_is_no_month_is_refused_with_what_was_typed() -> None:
    when, message, boxes = read_day_month_year("1", "Janvier", "2022", "Date")
    assert when is None and boxes == ("month",)
    assert message is not None and "“1 Janvier 2022”" in message
