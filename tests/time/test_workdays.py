"""Malaysian working days, with the clock set: weekends per state, public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naptip.base.errors import NaptipError
from naptip.base.states import STATES
from naptip.time.workdays import (
    check_state,
    holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
    weekend,
    why_not_working,
)


def test_deadline_on_saturday_31_dec_2022_moves_to_friday_in_putrajaya() -> None:
    assert date(2022, 12, 31).strftime("%A") == "Saturday"
    assert previous_working_day("putrajaya", date(2022, 12, 31)) == date(2022, 12, 30)


def test_friday_deadline_in_kelantan_moves_to_thursday() -> None:
    friday = date(2023, 3, 3)
    assert friday.strftime("%A") == "Friday"
    assert previous_working_day("kelantan", friday) == date(2023, 3, 2)
    assert previous_working_day("putrajaya", friday) == friday
    for state in ("kedah", "terengganu"):
        assert not is_working_day(state, friday)
        assert is_working_day(state, date(2023, 3, 12))  # Sunday is a working day there


def test_johor_weekend_changes_between_2024_and_2025() -> None:
    assert weekend("johor", date(2024, 12, 31)) == {4, 5}
    assert weekend("johor", date(2025, 1, 1)) == {5, 6}
    assert not is_working_day("johor", date(2024, 11, 29))  # Friday 2024: weekend
    assert is_working_day("johor", date(2024, 12, 1))  # Sunday 2024: working day
    assert is_working_day("johor", date(2025, 11, 28))  # Friday 2025: working day
    assert not is_working_day("johor", date(2025, 11, 30))  # Sunday 2025: weekend
    assert previous_working_day("johor", date(2024, 11, 29)) == date(2024, 11, 28)
    assert previous_working_day("johor", date(2025, 11, 30)) == date(2025, 11, 28)


def test_meeting_on_hari_raya_moves_to_the_next_working_day() -> None:
    hari_raya = date(2024, 4, 10)
    assert holiday_name("putrajaya", hari_raya) == "Eid al-Fitr"
    assert "public holiday" in (why_not_working("putrajaya", hari_raya) or "")
    # 11 April is the second day of Hari Raya; Friday 12 April is a working day.
    assert next_working_day("putrajaya", hari_raya) == date(2024, 4, 12)


def test_state_holiday() -> None:
    # Federal Territory Day is a holiday in Putrajaya, not in Selangor.
    assert not is_working_day("putrajaya", date(2024, 2, 1))
    assert is_working_day("selangor", date(2024, 2, 1))


def test_unknown_state_is_a_clear_error() -> None:
    with pytest.raises(NaptipError, match="unknown state 'atlantis'"):
        check_state("atlantis")


states = st.sampled_from(sorted(STATES))
days = st.dates(min_value=date(2020, 12, 1), max_value=date(2026, 2, 28))


@settings(max_examples=300, deadline=None)
@given(state=states, day=days)
def test_shifted_deadline_is_a_working_day_never_later(state: str, day: date) -> None:
    shifted = previous_working_day(state, day)
    assert is_working_day(state, shifted)
    assert shifted <= day
    assert all(not is_working_day(state, shifted + timedelta(days=n))
               for n in range(1, (day - shifted).days + 1))


@settings(max_examples=300, deadline=None)
@given(state=states, day=days)
def test_shifted_meeting_is_a_working_day_never_earlier(state: str, day: date) -> None:
    shifted = next_working_day(state, day)
    assert is_working_day(state, shifted)
    assert shifted >= day
    assert (shifted - day).days < 10
