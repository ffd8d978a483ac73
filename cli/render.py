"""Readable terminal views of the plan (rich), imported only by the commands that print."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from naptip.base.errors import NaptipError
from naptip.base.model import Activity
from naptip.base.states import STATES
from naptip.occurrences.schedule import Occurrence, Schedule
from naptip.plan.catalog import Catalog, declarer
from naptip.time.cadence import cadence_of
from naptip.time.workdays import estimated_holidays, holiday_data


def show_item(catalog: Catalog, item_id: str) -> None:
    s = catalog.structure
    key = item_id.upper() if "-" not in item_id else item_id
    if key in s.objectives:
        obj = s.objectives[key]
        table = _table(f"Specific objective {obj.id}")
        table.add_row("text", obj.text)
        table.add_row("programme area", f"{obj.area} {s.areas[obj.area].title}")
        table.add_row("strategic goal", f"{obj.goal} {s.goals[obj.goal].text}")
        pillar = s.pillars[obj.primary_pillar]
        table.add_row("primary pillar", f"{pillar.id} {pillar.name}")
        for out in s.outputs_of(obj.id):
            table.add_row(out.id, out.text)
        Console().print(table)
        return
    if key.upper() in s.outputs:
        out = s.outputs[key.upper()]
        table = _table(f"Output {out.id}")
        table.add_row("text", out.text)
        table.add_row("objective", f"{out.objective} {s.objectives[out.objective].text}")
        table.add_row("linked to goal", ", ".join(out.goals))
        if out.related_goals:
            table.add_row("related to", ", ".join(out.related_goals))
        from naptip.plan.export import sorted_activities

        for a in sorted_activities(catalog):
            if a.output == out.id:
                table.add_row(a.id, f"{a.text}\n[dim]{a.timeline} · {a.owner}[/]")
        Console().print(table)
        return
    activity = catalog.activities.get(item_id) or _by_casefold(catalog, item_id)
    if activity is None:
        from naptip.plan.export import sorted_activities

        prefix = item_id.strip().casefold() + "-"
        items = [a for a in sorted_activities(catalog) if a.id.casefold().startswith(prefix)
                 and a.id.count("-") == item_id.strip().count("-") + 1]
        if not items:
            from naptip.base.lookup import unknown

            raise NaptipError(unknown("objective, output or activity has the id", item_id,
                                      [*s.objectives, *s.outputs, *catalog.activities]))
        for sub in items:  # an activity with lettered sub-items: S9-O2-i -> a, b
            _show_activity(catalog, sub)
        return
    _show_activity(catalog, activity)


def _by_casefold(catalog: Catalog, item_id: str) -> Activity | None:
    wanted = item_id.casefold()
    return next((a for i, a in catalog.activities.items() if i.casefold() == wanted), None)


def _table(title: str) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    return table


def _show_activity(catalog: Catalog, a: Activity) -> None:
    s = catalog.structure
    table = _table(f"Activity {a.id}")
    table.add_row("text", escape(a.text))
    table.add_row("objective", f"{a.objective} {escape(s.objectives[a.objective].text)}")
    table.add_row("output", f"{a.output} {escape(s.outputs[a.output].text)}")
    for n, ind in enumerate(a.indicators, 1):
        extra = [str(ind.kind)]
        if ind.target:
            extra.append(f"target: {ind.target}")
        if ind.disaggregate:
            extra.append("by sex, nationality, age")
        if ind.timeline:
            extra.append(str(ind.timeline))
        table.add_row(f"indicator {n}", f"{escape(ind.text)}\n[dim]{escape(' · '.join(extra))}[/]")
    if a.responsibility:
        table.add_row("responsibility", escape(a.responsibility))
    lead = catalog.committees.get(a.owner)
    table.add_row("lead" if a.lead else "owner",
                  f"{a.owner}" + (f" ({escape(lead.name)})" if lead else ""))
    if a.support:
        table.add_row("support", ", ".join(a.support))
    if a.parties:
        table.add_row("other parties", escape(", ".join(a.parties)))
    table.add_row("timeline", str(a.timeline))
    stated = "" if a.cadence else " (default rule)"
    table.add_row("cadence", f"{cadence_of(a)}{stated}")
    for note in a.notes:
        table.add_row("note", escape(note))
    table.add_row("declared by", catalog.declarer("activity", a.id, quoted=False))
    Console().print(table)


def _status(o: Occurrence, as_of: date) -> str:
    if o.due < as_of:
        return "[red]past[/]"
    if o.due == as_of:
        return "[yellow]today[/]"
    return f"in {(o.due - as_of).days} d"


def show_schedule(rows: list[Occurrence], first: date, last: date, as_of: date, *,
                  stored: dict[str, str] | None = None, title: str | None = None) -> None:
    """The schedule as a table; ``stored`` (id -> status in the store) is shown beside
    each occurrence when a store exists."""
    table = Table(title=title or f"Schedule {first} to {last} (as of {as_of})",
                  title_justify="left")
    # ids and owners are never broken: the owner (and host) go under the id, so that the
    # table fits 80 columns; the title takes what is left and folds
    table.add_column("due", no_wrap=True)
    table.add_column("id · kind · owner", style="green", no_wrap=True)
    table.add_column("what", overflow="fold", ratio=1, min_width=16)
    for o in rows:
        note = f"\n[dim]moved from {o.unshifted:%a %d %b}[/]" if o.shifted else ""
        time = f"{o.start:%H:%M} · " if o.start else ""
        state = _status(o, as_of)
        if stored is not None:
            state += f"\n[bold]{stored.get(o.id, 'not synced')}[/] in store"
        table.add_row(f"{o.due:%a %d %b %Y}\n{time}{state}",
                      f"{o.id}\n[dim]{o.kind}[/] · [default]{o.owner}[/]"
                      + (f"\n[dim]host {o.host}[/]" if o.host else ""),
                      escape(o.title) + note)
    console = Console()
    if not rows:
        console.print("Nothing still open." if title else f"Nothing due from {first} to {last}.")
        return
    console.print(table)


def explain_extra(o: Occurrence) -> list[tuple[str, str]]:
    """The holiday data behind an occurrence's date, and any estimate it depends on."""
    rows = [("holiday data", holiday_data())]
    for day, name in estimated_holidays(o.state, o.unshifted, o.due):
        rows.append(("warning", f"depends on an estimated holiday: {escape(name)} on "
                                f"{day:%a %d %b %Y} (the package's date may be wrong)"))
    return rows


def show_occurrence(catalog: Catalog, schedule: Schedule, o: Occurrence, as_of: date) -> None:
    table = _table(f"Occurrence {o.id}")
    table.add_row("what", escape(o.title))
    table.add_row("kind", str(o.kind))
    owner = catalog.committees.get(o.owner)
    table.add_row("owner", o.owner + (f" ({escape(owner.name)})" if owner else ""))
    if o.support:
        table.add_row("support", ", ".join(o.support))
    if o.host:
        table.add_row("host", o.host)
    when = f"{o.due:%A %d %B %Y}"
    if o.start and o.end:
        when += f", {o.start:%H:%M}-{o.end:%H:%M} ({o.start.tzinfo})"
    table.add_row("due" if o.kind not in ("meeting", "review", "event") else "on", when)
    table.add_row("status", _status(o, as_of))
    table.add_row("rule date", f"{o.unshifted:%A %d %B %Y}")
    reason = o.shift_reason()
    state = STATES[o.state][0]
    table.add_row("working days", reason or (f"a working day in {state}; no move needed"
                  if o.shift != "none" else f"an {o.kind}: keeps its day"))
    table.add_row("why it exists", escape(o.rule))
    if o.activity:
        a = catalog.activities.get(o.activity)
        table.add_row("activity", f"{o.activity} {escape(a.text) if a else ''}")
    if o.duty and o.activity and schedule.fulfilled_by.get(o.activity) == o.duty:
        table.add_row("evidence", f"collects the yearly evidence of {o.activity}")
    table.add_row("declared by", declarer(o.plugin, quoted=False) if o.plugin
                  else "no plugin now: the store keeps it")
    if o.version:
        table.add_row("version", escape(o.version.removeprefix("version ")))
    if o.source:
        table.add_row("source", escape(o.source))
    for line in explain_extra(o):
        table.add_row(*line)
    Console().print(table)
