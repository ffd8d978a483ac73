"""``naptip report narrative set|show``: what a committee says in a report (the gaps,
challenges, recommended adjustments and corrective actions)."""

from __future__ import annotations

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import actor_name, actor_option

PARTS = (("gaps", "Gaps found (what was not done, or not well)."),
         ("challenges", "Challenges met."),
         ("adjustments", "Recommended adjustments to the plan (S34-O1-ii)."),
         ("actions", "Corrective actions the committee takes."))
TITLES = {"gaps": "Gaps", "challenges": "Challenges",
          "adjustments": "Recommended adjustments", "actions": "Corrective actions"}


@click.group("narrative")
def narrative_group() -> None:
    """A committee's narrative for a report: gaps, challenges, recommended adjustments and
    corrective actions (printed in the annual, final and committee reports)."""


def _which(app: App, committee: str, year: int | None, final: bool
           ) -> tuple[str, str, int | None]:
    from naptip.reports import ReportError, resolve_scope

    if year is not None and final:
        raise click.UsageError("give --year YEAR (an annual report) or --final (the final "
                               "report), not both")
    if year is None and not final:
        raise click.UsageError("which report? give --year YEAR (an annual report) or "
                               "--final (the final report)")
    scope = resolve_scope(app.catalog, "committee", year=year, committee=committee)
    if scope.committee is None:  # pragma: no cover - resolve_scope names it or refuses
        raise ReportError(f"unknown committee {committee!r}")
    return scope.committee, "final" if final else "annual", year


def _year_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--final", is_flag=True, help="For the final report (2021–2025).")(f)
    return click.option("--year", "-y", type=int,
                        help="For the annual report of this plan year.")(f)


@narrative_group.command("set")
@click.argument("committee")
@_year_options
@click.option("--gaps", help=PARTS[0][1])
@click.option("--challenges", help=PARTS[1][1])
@click.option("--adjustments", help=PARTS[2][1])
@click.option("--actions", help=PARTS[3][1])
@actor_option
@as_of_option
@pass_app
def set_narrative(app: App, committee: str, year: int | None, final: bool, gaps: str | None,
                  challenges: str | None, adjustments: str | None, actions: str | None,
                  actor: str | None) -> None:
    """Enter COMMITTEE's narrative for a report; the parts not given are kept from its
    last entry. Every entry is kept (and audited): a report prints the latest made by its
    as-of day."""
    from naptip.reports.narrative import save_narrative

    who = actor_name(actor)
    cid, kind, which = _which(app, committee, year, final)
    saved = save_narrative(app.db, committee=cid, kind=kind, year=which, parts={
        "gaps": gaps, "challenges": challenges, "adjustments": adjustments,
        "actions": actions}, actor=who)
    what = f"the {which} annual report" if which else "the final report"
    click.echo(f"narrative #{saved.id} of {cid} for {what} entered by {saved.entered_by}")


@narrative_group.command("show")
@click.argument("committee")
@_year_options
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@as_of_option
@pass_app
def show_narrative(app: App, committee: str, year: int | None, final: bool,
                   as_json: bool) -> None:
    """COMMITTEE's narrative for a report, as entered by the as-of day."""
    import json
    import textwrap

    from naptip.base.text import safe
    from naptip.reports.narrative import FIELDS, latest_narratives

    cid, kind, which = _which(app, committee, year, final)
    with app.db.reading() as session:
        found = latest_narratives(session, [cid], kind, which, app.today).get(cid)
    if as_json:
        click.echo(json.dumps(None if found is None else {
            "id": found.id, "committee": cid, "report": kind, "year": which,
            **{name: found.part(name) for name in FIELDS},
            "entered_by": found.entered_by, "entered_at": found.entered_at.isoformat()},
            indent=2, ensure_ascii=False))
        return
    what = f"the {which} annual report" if which else "the final report"
    if found is None:
        click.echo(f"{cid} has no narrative for {what} (enter one with `naptip report "
                   "narrative set`)")
        return
    click.echo(f"{cid}, {what}: narrative #{found.id}")  # lines of at most 80 columns
    who, room = safe(found.entered_by), 80 - len(f"entered {found.entered_on} by ")
    click.echo(f"entered {found.entered_on} by "
               f"{who if len(who) <= room else who[:room - 1] + '…'}")
    for name in FIELDS:
        click.echo(f"{TITLES[name]}:")
        text = safe(found.part(name), keep_newlines=True) or "—"
        for paragraph in text.splitlines() or [text]:
            click.echo(textwrap.fill(paragraph, 78, initial_indent="  ",
                                     subsequent_indent="  ") or "")
