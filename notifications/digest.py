"""Render a digest (subject, plain text, escaped HTML) from the per-language templates.

``templates/en/`` and ``templates/ms/`` hold the same files; Jinja2 runs with
``StrictUndefined`` (a missing value is an error, not an empty string) and autoescapes the
HTML templates, so no plan title or name reaches the HTML unescaped. Dates are written out
per language with the month names below (no locale data needed for two languages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from naptip.people.reminders import Item
from naptip.people.submit_hint import submit_command as hint

if TYPE_CHECKING:
    from jinja2 import Environment

LANGUAGES = ("en", "ms")
TEMPLATES = ("subject.txt.j2", "digest.txt.j2", "digest.html.j2")
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ms": ("Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September",
           "Oktober", "November", "Disember"),
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ms": ("Isnin", "Selasa", "Rabu", "Khamis", "Jumaat", "Sabtu", "Ahad"),
}
_SPACE = re.compile(r"\s+")


def format_day(day: date, language: str) -> str:
    """``Wednesday, 30 July 2025`` / ``Rabu, 30 Julai 2025``."""
    return (f"{_WEEKDAYS[language][day.weekday()]}, {day.day} "
            f"{_MONTHS[language][day.month - 1]} {day.year}")


def submit_command(item: Item) -> str:
    """What to run to submit the item's evidence: by its kind (a meeting's minutes as a
    file), as the calendar entries say (``naptip.people.submit_hint``)."""
    if item.section == "meeting":
        return ""
    return hint(item.occurrence_id, item.kind)


def _days(n: int, language: str) -> str:
    """``1 day``, ``3 days``; Malay has one form: ``1 hari``, ``3 hari``."""
    if language == "ms":
        return f"{n} hari"
    return f"{n} day" if n == 1 else f"{n} days"


def when_text(item: Item, language: str) -> str:
    """The item's date and how far it is, in words: ``Due ... (in 1 day)``."""
    day, n = format_day(item.due, language), item.days
    span = _days(n, language)
    if language == "ms":
        ahead = "hari ini" if n == 0 else f"dalam {span}"
        if item.stage == "evidence-request":
            return f"Diadakan pada {day} ({span} lalu): minit atau laporannya belum dihantar"
        return {"overdue": f"Tarikh akhir {day} ({span} tertunggak)",
                "meeting": f"Pada {day} ({ahead})"}.get(item.section,
                                                        f"Tarikh akhir {day} ({ahead})")
    ahead = "today" if n == 0 else f"in {span}"
    if item.stage == "evidence-request":
        return f"Held on {day} ({span} ago): its minutes or report are not in yet"
    return {"overdue": f"Was due {day} ({span} overdue)",
            "meeting": f"On {day} ({ahead})"}.get(item.section, f"Due {day} ({ahead})")


@cache
def environment(language: str) -> Environment:
    # imported on first use: a run with nothing to send renders no digest
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("naptip.notifications", f"templates/{language}"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["day"] = lambda d: format_day(d, language)
    env.globals["submit"] = submit_command
    env.globals["update"] = update_command
    env.globals["rec_status"] = lambda status: REC_STATUS[language].get(status, status)
    env.globals["when"] = lambda item: when_text(item, language)
    return env


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Section:
    name: str
    items: Sequence[Item]
    day: date | None = None  #: the HLC-MAPO meeting of a ``recommendations`` section


#: a digest's sections in the order of the portal's *My work* (``naptip.web.queries``):
#: what needs the reader's action first, the other committees' work they support last;
#: the recommendations before an HLC-MAPO meeting (one section per meeting) come after
#: the meetings
SECTIONS = ("returned", "overdue", "due", "meeting", "recommendations", "supporting")

#: a recommendation's statuses in the digest's words
REC_STATUS = {
    "en": {"not-started": "not started", "in-progress": "in progress",
           "implemented": "implemented", "not-accepted": "not accepted"},
    "ms": {"not-started": "belum bermula", "in-progress": "sedang dilaksanakan",
           "implemented": "dilaksanakan", "not-accepted": "tidak diterima"},
}


def update_command(item: Item) -> str:
    """How the lead reports a recommendation's progress."""
    note = item.recommendation
    if note is None:
        return ""
    return (f"naptip recommendations update {note.set_id} {note.item} "
            f"--status STATUS --narrative \"...\"")


def section_of(item: Item) -> str:
    """The digest section of an item: returned work and supported work apart."""
    if item.recommendation is not None:
        return "recommendations"
    if item.supporting:
        return "supporting"
    if item.returned_reason is not None:
        return "returned"
    return item.section


def item_link(link: str, item: Item) -> str:
    """The item's page in the portal, through the digest's personal sign-in link (one
    secret for the whole digest: the first link used signs in, the others open their page
    in the browser already signed in)."""
    return f"{link}{'&' if '?' in link else '?'}{urlencode({'next': page_of(item)})}"


def page_of(item: Item) -> str:
    return f"/occurrence/{item.occurrence_id}"


def counts(items: Sequence[Item]) -> dict[str, int]:
    return {"overdue": sum(i.section == "overdue" for i in items),
            "week": sum(i.section == "due" and i.days <= 7 for i in items),
            "later": sum(i.section == "due" and i.days > 7 for i in items),
            "meetings": sum(i.section == "meeting" for i in items),
            "recommendations": sum(i.recommendation is not None for i in items)}


def committees(items: Sequence[Item], audience: Sequence[tuple[str, str]] = ()
               ) -> dict[str, str]:
    """Whose digest it is: the recipient's committees (else the items' owners)."""
    owners = dict.fromkeys(audience) if audience else dict.fromkeys(
        (i.owner_name, i.owner_name_ms) for i in items)
    if len(owners) == 1:
        en, ms = next(iter(owners))
        return {"en": en, "ms": ms}
    return {"en": f"{len(owners)} committees", "ms": f"{len(owners)} jawatankuasa"}


@dataclass(frozen=True)
class Cut:
    """What a digest leaves out past its cap: how many per section, and where they are."""

    listed: int  #: the items the digest lists
    total: int  #: the items it is about (listed and cut)
    more: Sequence[tuple[str, int]]  #: (section, items cut), in SECTIONS order
    commands: Sequence[str]  #: the CLI commands that list them (used without a portal link)
    #: the commands that list the cut recommendations (also said with a portal link: the
    #: portal does not list recommendations)
    recommendations: Sequence[str] = ()


#: the cut items' owners named one command each up to this many, else one for the plan
COMMANDS_PER_OWNER = 3


def status_commands(items: Sequence[Item]) -> list[str]:
    """The ``naptip status --list`` commands that list these items: one per owner
    committee (supported work is listed under its owner), or the whole plan's open items
    when they belong to more than ``COMMANDS_PER_OWNER`` committees."""
    recs = sorted({i.owner for i in items if i.recommendation is not None})
    owners = sorted({i.owner for i in items if i.recommendation is None})
    out = [f"naptip recommendations list --committee {owner}" for owner in recs]
    if len(owners) > COMMANDS_PER_OWNER:
        return ["naptip status --list", *out]
    return [f"naptip status --committee {owner} --list" for owner in owners] + out


def _room(sections: Sequence[Section], limit: int) -> list[int]:
    """How many items of each section the digest lists. A meeting's recommendations are
    its agenda: they take the room first, each meeting at least one item (a digest whose
    subject counts a meeting's recommendations shows that meeting), and the other sections
    share what is left in their order (the most urgent first)."""
    shown = [0] * len(sections)
    room = limit
    for n, section in enumerate(sections):
        if section.name == "recommendations":
            shown[n] = max(1, min(len(section.items), room))
            room = max(0, room - shown[n])
    for n, section in enumerate(sections):
        if section.name != "recommendations":
            shown[n] = min(len(section.items), room)
            room -= shown[n]
    return shown


def cap(sections: Sequence[Section], limit: int | None) -> tuple[list[Section], Cut | None]:
    """At most ``limit`` items of the sections, in their order, the meetings'
    recommendations first to be kept (``_room``), and what was cut (None: nothing)."""
    total = sum(len(s.items) for s in sections)
    if limit is None or total <= limit:
        return list(sections), None
    kept: list[Section] = []
    more: list[tuple[str, int]] = []
    cut: list[Item] = []
    for section, room in zip(sections, _room(sections, limit), strict=True):
        shown = list(section.items[:room])
        if shown:
            kept.append(Section(section.name, shown, section.day))
        if len(section.items) > len(shown):
            more.append((section.name, len(section.items) - len(shown)))
            cut.extend(section.items[len(shown):])
    commands = status_commands(cut)
    return kept, Cut(listed=sum(len(s.items) for s in kept), total=total, more=more,
                     commands=commands,
                     recommendations=[c for c in commands
                                      if c.startswith("naptip recommendations ")])


@dataclass(frozen=True)
class Older:
    """The recipient's committee work due before the plan's adoption day and still open:
    one summary line, never one item each (``naptip.plan.lifecycle``)."""

    count: int
    oldest: date
    commands: Sequence[str]  #: the CLI commands that list them (used without a portal link)


def older_of(items: Sequence[Item]) -> Older | None:
    if not items:
        return None
    return Older(count=len(items), oldest=min(i.due for i in items),
                 commands=status_commands(items))


def render(items: Sequence[Item], *, name: str, language: str, today: date,
           audience: Sequence[tuple[str, str]] = (), link: str | None = None,
           limit: int | None = None, plan: str = "NAPTIP 3.0") -> Digest:
    """``plan``: the short title of the plan the reminders are about (the catalog's).

    ``link``: the recipient's personal sign-in link to the evidence portal, if any:
    then every item links to its page through it, else it says the CLI command.

    ``limit`` (``[reminders] digest_items``): the digest lists at most this many items,
    the first in its order, and ends with one line counting the others per section and
    saying where to see them all (the portal's *My work* through ``link``, else the
    ``naptip status`` commands that list them). The subject counts every item.

    Items of the ``older`` section (due before the adoption day) are not listed: one
    paragraph counts them and says where to see them."""
    env = environment(language if language in LANGUAGES else "en")
    # a person in two roles (lead and chair) sees an occurrence once, at its first stage;
    # a meeting's recommendations are one item each
    first: dict[str, Item] = {}
    for item in items:
        first.setdefault(item.occurrence_id + (
            f"\x1f{item.stage}" if item.recommendation is not None else ""), item)
    older = older_of([i for i in first.values() if i.section == "older"])
    items = [i for i in first.values() if i.section != "older"]
    sections = []
    for s in SECTIONS:
        mine = sorted((i for i in items if section_of(i) == s),
                      key=lambda i: (i.due, i.occurrence_id))
        if s != "recommendations":
            sections.append(Section(s, mine))
            continue
        for day in sorted({i.due for i in mine}):  # one section per meeting
            sections.append(Section(s, [i for i in mine if i.due == day], day))
    shown, cut = cap([s for s in sections if s.items], limit)
    context = {"name": _SPACE.sub(" ", name).strip(), "today": today,
               "page": lambda item: item_link(link, item) if link else "",
               "sections": shown, "counts": counts(items), "cut": cut, "older": older,
               "committees": committees(items, audience), "link": link,
               "plan": plan}
    subject = _SPACE.sub(" ", env.get_template("subject.txt.j2").render(context)).strip()
    context["subject"] = subject
    return Digest(subject=subject, text=env.get_template("digest.txt.j2").render(context),
                  html=env.get_template("digest.html.j2").render(context))


__all__ = ["Cut", "Digest", "Older", "format_day", "render"]
