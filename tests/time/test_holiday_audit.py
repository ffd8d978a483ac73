"""The holiday data audit (issue 17, section 2): declared and replacement holidays of
2021-2026 that the pinned `holidays` package misses, shipped with their sources, and the
audit table in docs/holidays.md kept equal to the data.

Run this file as a script to rewrite the generated tables of docs/holidays.md (the
state x year matrix and the list of corrections) from the data:
``.venv/bin/python -m tests.time.test_holiday_audit``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import holidays
import pytest
from click.testing import Result

from naptip.base.states import STATES
from naptip.time.workdays import (
    change_states,
    configure_holidays,
    holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
    public_holidays,
    shipped_corrections,
    weekend,
)

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "holidays.md"
YEARS = range(2021, 2027)
WIDE = {"COLUMNS": "250"}

#: Every holiday the audit confirmed and the package misses: (state, day). Written out
#: here, not read from the data file, so that a lost entry fails.
CONFIRMED: list[tuple[str, date]] = [
    ("melaka", date(2021, 11, 20)),
    ("kelantan", date(2022, 7, 9)),
    ("kelantan", date(2022, 7, 12)),
    ("johor", date(2022, 10, 17)),
    ("johor", date(2022, 11, 20)),
    ("kedah", date(2022, 11, 20)),
    ("kelantan", date(2022, 11, 20)),
    ("kedah", date(2023, 2, 5)),
    ("johor", date(2023, 3, 26)),
    ("johor", date(2023, 4, 24)),
    ("kelantan", date(2023, 4, 25)),
    ("johor", date(2023, 7, 23)),
    ("kedah", date(2023, 8, 13)),
    ("kelantan", date(2023, 8, 13)),
    ("terengganu", date(2023, 8, 13)),
    ("selangor", date(2023, 8, 14)),
    ("negeri-sembilan", date(2023, 8, 14)),
    ("johor", date(2023, 12, 17)),
    ("kedah", date(2024, 1, 25)),
    ("johor", date(2024, 8, 25)),
    ("perlis", date(2025, 1, 1)),
    ("kedah", date(2025, 2, 11)),
    ("kelantan", date(2025, 3, 30)),
    ("terengganu", date(2025, 3, 30)),
    ("johor", date(2025, 4, 28)),
    ("sarawak", date(2025, 6, 4)),
    ("sabah", date(2025, 11, 29)),
    ("johor", date(2025, 12, 16)),
    ("perlis", date(2026, 1, 1)),
    ("kedah", date(2026, 2, 1)),
    ("perlis", date(2026, 2, 19)),
    ("melaka", date(2026, 2, 19)),
    ("kedah", date(2026, 3, 23)),
]

#: Looked for and not confirmed by any source: NOT in the data, still working days.
UNCONFIRMED: list[tuple[str, date]] = [
    ("terengganu", date(2022, 11, 20)),
    ("johor", date(2022, 11, 27)),
    ("kedah", date(2023, 4, 24)),
    ("terengganu", date(2024, 9, 17)),
    ("kedah", date(2025, 6, 29)),
    ("kelantan", date(2022, 7, 31)),
    ("terengganu", date(2022, 7, 31)),
    ("kelantan", date(2022, 11, 13)),
    ("kelantan", date(2023, 10, 1)),
    ("perlis", date(2025, 4, 17)),
]


@pytest.fixture(autouse=True)
def _default_holidays() -> Iterator[None]:
    configure_holidays(())
    yield
    configure_holidays(())


def _package(state: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("MY", subdiv=STATES[state][1], years=year)


def _label(item: tuple[str, date]) -> str:
    return f"{item[0]}-{item[1]:%Y-%m-%d}"


@pytest.mark.parametrize("item", CONFIRMED, ids=_label)
def test_confirmed_holiday_is_a_holiday_in_its_state(item: tuple[str, date]) -> None:
    state, day = item
    assert day not in _package(state, day.year)  # the defect: the package misses it
    (shipped,) = [c for c in shipped_corrections()
                  if c.day == day and state in c.states and not c.remove]
    assert holiday_name(state, day) == shipped.name
    assert not is_working_day(state, day)


@pytest.mark.parametrize("item", [i for i in CONFIRMED
                                  if i[1].weekday() not in weekend(i[0], i[1])], ids=_label)
def test_a_deadline_or_meeting_on_it_moves(item: tuple[str, date]) -> None:
    state, day = item
    assert previous_working_day(state, day) < day
    assert next_working_day(state, day) > day


def test_a_declared_holiday_stays_in_its_state() -> None:
    # Selangor's and Negeri Sembilan's post-election holiday is a working day next door.
    assert not is_working_day("selangor", date(2023, 8, 14))
    assert is_working_day("kuala-lumpur", date(2023, 8, 14))
    assert is_working_day("putrajaya", date(2023, 8, 14))
    # Johor's JDT holidays are Johor's alone.
    assert is_working_day("melaka", date(2025, 4, 28))


@pytest.mark.parametrize("item", UNCONFIRMED, ids=_label)
def test_an_unconfirmed_holiday_is_not_applied(item: tuple[str, date]) -> None:
    state, day = item
    assert is_working_day(state, day)
    unconfirmed = DOC.read_text(encoding="utf-8").split("## Unconfirmed", 1)[1]
    assert any(f"{day:%Y-%m-%d}" in line and state in line
               for line in unconfirmed.splitlines()), item


def test_explain_moves_a_deadline_off_a_declared_holiday(run: Run, tmp_path: Path) -> None:
    # End to end: a Johor committee's deadline on Monday 28 April 2025 (JDT's Malaysia
    # Cup final holiday) moves to Friday 25 April; before, it stayed on the holiday.
    (tmp_path / "johor_atip.toml").write_text('''
[committee]
id = "johor-atip"
name = "Johor ATIP working group"
name_ms = "Kumpulan kerja ATIP Johor"
lead_agency = "Johor State Secretariat"
lead_agency_short = "SUK Johor"
pillars = ["P1"]
state = "johor"

[[duty]]
id = "johor-return"
title = "Johor quarterly return"
owner = "johor-atip"
kind = "deadline"
recurrence = """
DTSTART;TZID=Asia/Kuala_Lumpur:20250428T170000
RRULE:FREQ=YEARLY;UNTIL=20251231T155959Z
"""
''', encoding="utf-8")
    result = run("--plugins-dir", str(tmp_path), "--as-of", "2025-04-01", "schedule",
                 "explain", "johor-return@2025-04-28", env=WIDE)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Special holiday (JDT Malaysia Cup final) (public holiday in Johor)" in text
    assert "moves to the previous working day, Fri 25 Apr 2025" in text


# --- the audit table in docs/holidays.md is the data ---

def audit_matrix() -> str:
    """The state x year matrix of docs/holidays.md: the pinned package's holidays, and
    what the shipped corrections add (+) or remove (-)."""
    head = "| state | " + " | ".join(str(y) for y in YEARS) + " |"
    rows = [head, "|---|" + "---|" * len(YEARS)]
    for state in STATES:
        cells = []
        for year in YEARS:
            package = set(_package(state, year))
            ours = set(public_holidays(state, year))
            added, removed = len(ours - package), len(package - ours)
            cell = str(len(package))
            cell += f" +{added}" if added else ""
            cell += f" −{removed}" if removed else ""
            cells.append(f"**{cell}**" if added or removed else cell)
        rows.append(f"| {state} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def corrections_table() -> str:
    """The list of shipped corrections in docs/holidays.md, with what each changes."""
    rows = ["| date | day | states | name | what it changes | source |",
            "|---|---|---|---|---|---|"]
    for c in shipped_corrections():
        states = change_states(c)
        rest = [s for s in states if c.day.weekday() in weekend(s, c.day)]
        if c.remove:
            effect = "a holiday becomes a working day"
        elif not rest:
            effect = "a working day becomes a holiday"
        elif len(rest) == len(states):
            effect = "none for deadlines: already the weekend there"
        else:
            effect = "a working day becomes a holiday in " + \
                ", ".join(s for s in states if s not in rest)
        where = "Saturday-Sunday states" if c.states == ("saturday-sunday",) else \
            ", ".join(c.states)
        links = "; ".join(f"<{u}>" for u in _urls(c.citation))
        rows.append(f"| {c.day:%Y-%m-%d} | {c.day:%a} | {where} | {c.name} | {effect} "
                    f"| {links} |")
    return "\n".join(rows)


def _urls(citation: str) -> list[str]:
    return [u.rstrip(".);,") for u in re.findall(r"https?://\S+", citation)]


def _generated(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name} -->\n", f"\n<!-- /{name} -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}{body}{end}{tail}"


def generated_doc(text: str) -> str:
    return _generated(_generated(text, "matrix", audit_matrix()), "corrections",
                      corrections_table())


def test_docs_tables_are_the_data() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "<!-- matrix -->" in text and "<!-- corrections -->" in text
    assert generated_doc(text) == text, \
        "regenerate: .venv/bin/python -m tests.time.test_holiday_audit"


def test_docs_list_every_correction_with_its_source() -> None:
    text = DOC.read_text(encoding="utf-8")
    for c in shipped_corrections():
        row = next((line for line in text.splitlines()
                    if line.startswith(f"| {c.day:%Y-%m-%d} ") and c.name in line), None)
        assert row, f"docs/holidays.md has no row for {c.day} {c.name}"
        assert all(u in row for u in _urls(c.citation)), c.day


if __name__ == "__main__":
    configure_holidays(())
    DOC.write_text(generated_doc(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
