"""An occurrence in words, in the reader's language: what is asked, by when, how late, what
counts as evidence; why its date moved; status words a person uses ("Awaiting review",
not "submitted")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import holidays
from markupsafe import Markup

from naptip.base.model import Indicator
from naptip.base.states import STATES
from naptip.notifications.digest import format_day
from naptip.time.workdays import holiday_name, weekend

#: what a value of each indicator kind is, in words
KIND_WORDS = {
    "en": {"count": "a number", "amount": "an amount in MYR", "percentage": "a percentage",
           "milestone": "yes or no, with the date", "deliverable": "a document",
           "narrative": "a written account"},
    "ms": {"count": "satu nombor", "amount": "jumlah dalam RM", "percentage": "satu peratusan",
           "milestone": "ya atau tidak, dengan tarikh", "deliverable": "satu dokumen",
           "narrative": "huraian bertulis"},
}
#: an occurrence's progress, and an evidence's status, as the reader says them
STATUS_WORDS = {
    "en": {"open": "To do", "returned": "Returned: needs your action",
           "submitted": "Awaiting review", "accepted": "Accepted"},
    "ms": {"open": "Perlu dibuat", "returned": "Dikembalikan: perlu tindakan anda",
           "submitted": "Menunggu semakan", "accepted": "Diterima"},
}
_WEEKDAYS_MS = ("Isnin", "Selasa", "Rabu", "Khamis", "Jumaat", "Sabtu", "Ahad")


def _lang(language: str) -> str:
    return language if language in KIND_WORDS else "en"


def status_word(status: str, language: str) -> str:
    return STATUS_WORDS[_lang(language)].get(status, status)


def lateness(due: date, today: date, progress: str, language: str) -> str:
    """``14 days overdue``, ``due today``, ``in 5 days``; for work handed in or done, what
    became of it."""
    ms = _lang(language) == "ms"
    if progress in ("submitted", "accepted"):
        return status_word(progress, language).lower()
    days = (today - due).days
    if days > 0:
        return (f"{days} hari tertunggak" if ms
                else f"{days} day{'s' if days != 1 else ''} overdue")
    if days == 0:
        return "tarikh akhir hari ini" if ms else "due today"
    ahead = -days
    return f"dalam {ahead} hari" if ms else f"in {ahead} day{'s' if ahead != 1 else ''}"


def ask(*, who: str, title: str, due: date, today: date, progress: str,
        indicators: Sequence[Indicator], language: str) -> str:
    """One sentence: who is asked for what, by when, how late it is, and what counts as
    evidence. In Malay, markup: the plan's English words marked ``lang="en"``."""
    lang = _lang(language)
    words = KIND_WORDS[lang]
    evidence = "; ".join(f"{i.text} ({words.get(str(i.kind), str(i.kind))})"
                         for i in indicators)
    when, late = format_day(due, lang), lateness(due, today, progress, lang)
    if lang == "ms":  # the plan's own English words marked for screen readers
        english = Markup('<span lang="en">{}</span>')
        listed = Markup("; ").join(
            Markup("{} ({})").format(english.format(i.text),
                                     words.get(str(i.kind), str(i.kind)))
            for i in indicators)
        return Markup("{} diminta menghantar “{}” selewat-lewatnya {} ({}); yang dikira "
                      "sebagai bukti: {}.").format(who, english.format(title), when, late,
                                                   listed)
    return (f"{who} is asked for “{title}” by {when} ({late}); what counts as evidence: "
            f"{evidence}.")


def why_moved(state: str, day: date, language: str) -> str | None:
    """Why ``day`` is not a working day in ``state``: a public holiday of the state, or
    its weekend (None when it is a working day)."""
    name = holiday_name(state, day)
    place = STATES[state][0] if state in STATES else state
    ms = _lang(language) == "ms"
    if name and ms:
        name = malay_holiday(state, day, name)
    if name:
        return f"{name} (cuti umum di {place})" if ms else f"{name} (public holiday in {place})"
    if state in STATES and day.weekday() in weekend(state, day):
        return (f"{_WEEKDAYS_MS[day.weekday()]}, hujung minggu di {place}" if ms
                else f"{day:%A}, the weekend in {place}")
    return None


def malay_holiday(state: str, day: date, name: str) -> str:
    """A public holiday's Malay name (the `holidays` package's own), when ``name`` is the
    package's English one; a holiday the project corrected or configured keeps its name."""
    if state not in STATES:
        return name
    code = STATES[state][1]
    english = holidays.country_holidays("MY", subdiv=code, years=day.year,
                                        language="en_US").get(day)
    malay = holidays.country_holidays("MY", subdiv=code, years=day.year,
                                      language="ms_MY").get(day)
    return malay if malay and english == name else name


def state_name(state: str) -> str:
    """A state's name as printed (``Wilayah Persekutuan Putrajaya``), not its id."""
    return STATES[state][0] if state in STATES else state
