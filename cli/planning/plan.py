"""``naptip plan``: the plan's matrix as the plugins declare it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from naptip.base.errors import NaptipError
from naptip.base.lookup import id_hint
from naptip.base.model import Activity
from naptip.cli import plaintree
from naptip.cli.app import App, pass_app
from naptip.cli.common import OUTPUT_FILE
from naptip.plan.catalog import Catalog
from naptip.plan.export import sorted_activities, to_csv, to_json


@click.group()
def plan() -> None:
    """The plan: objectives, outputs and activities with owners and timelines."""


def _committee(catalog: Catalog, value: str | None) -> str | None:
    if value is None:
        return None
    from naptip.cli.lists import resolve_committee

    return resolve_committee(catalog, value)


def _matches(a: Activity, catalog: Catalog, *, committee: str | None, pillar: str | None,
             goal: str | None, objective: str | None, year: int | None) -> bool:
    obj = catalog.structure.objectives[a.objective]
    output = catalog.structure.outputs[a.output]
    if committee and committee not in (a.owner, *a.support):
        return False
    if pillar and obj.primary_pillar != pillar:
        return False
    if goal and goal not in (obj.goal, *output.goals, *output.related_goals, *a.related_goals):
        return False
    if objective and a.objective != objective:
        return False
    return not (year and year not in a.timeline)


def show_tree(catalog: Catalog, activities: list[Activity]) -> None:
    """The activities under their outputs, objectives and pillars, as a tree."""
    plaintree.print_tree(lambda escape: _plan_tree(catalog, activities, escape))


def _plan_tree(catalog: Catalog, activities: list[Activity],
               escape: Callable[[str], str] | None) -> plaintree.Node:
    """The tree's labels: plain text (``escape`` None), or rich markup with ``escape``
    (rich.markup.escape) applied to the plan's text."""
    from naptip.time.cadence import cadence_of

    def styled(style: str, text: str) -> str:
        return f"[{style}]{text}[/]" if escape else text

    def esc(text: str) -> str:
        return escape(text) if escape else text

    s = catalog.structure
    root = plaintree.Node(f"{styled('bold', esc(s.plan.title))}  "
                          f"({len(activities)} activity entries)")
    pillars: dict[str, plaintree.Node] = {}
    objectives: dict[str, plaintree.Node] = {}
    outputs: dict[str, plaintree.Node] = {}
    for a in activities:
        obj = s.objectives[a.objective]
        if obj.primary_pillar not in pillars:
            pillar = s.pillars[obj.primary_pillar]
            pillars[pillar.id] = root.add(styled("bold magenta",
                                                 f"{pillar.id} {esc(pillar.name)}"))
        if obj.id not in objectives:
            objectives[obj.id] = pillars[obj.primary_pillar].add(
                f"{styled('bold cyan', obj.id)} ({obj.goal}) {esc(obj.text)}")
        if a.output not in outputs:
            out = s.outputs[a.output]
            outputs[a.output] = objectives[obj.id].add(
                f"{styled('cyan', out.id)} {esc(out.text)}")
        support = esc(f" +{','.join(a.support)}" if a.support else "")
        owner = (styled("bold", esc(a.owner)) if a.owner in catalog.committees
                 else esc(a.owner))
        outputs[a.output].add(f"{styled('green', a.id)} {esc(a.text)}\n"
                              f"{styled('dim', f'{a.timeline} · {cadence_of(a)} ·')} "
                              f"{owner}{support}")
    return root


def _upper(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return value.strip().upper() if value else value


@plan.command("show")
@click.argument("item_id", required=False, metavar="[ID]")
@click.option("--committee", "-c", help="Committee id or name (lead, owner or support).")
@click.option("--pillar", "-p", callback=_upper, help="Primary pillar, P1-P4.")
@click.option("--goal", "-g", callback=_upper, help="Strategic goal, G1-G9 (linked or related).")
@click.option("--objective", "-s", callback=_upper, help="Specific objective, S1-S34.")
@click.option("--year", "-y", type=click.IntRange(1900, 2100), help="Active in this year.")
@click.option("--agency", "-a", help="Agency id or short name named in its responsibility or "
                                     "parties (see `naptip agencies list`).")
@click.option("--plugin", "plugin", help="Declared by this plugin.")
@pass_app
def show(app: App, item_id: str | None, committee: str | None, pillar: str | None,
         goal: str | None, objective: str | None, year: int | None, agency: str | None,
         plugin: str | None) -> None:
    """Show the plan as a tree, or one objective, output or activity (ID) in full."""
    catalog = app.catalog
    app.warn_problems()
    structure = catalog.structure
    for value, known, option in ((pillar, structure.pillars, "--pillar"),
                                 (goal, structure.goals, "--goal"),
                                 (objective, structure.objectives, "--objective")):
        if value and value not in known:
            raise click.BadParameter(f"unknown id {value!r}{id_hint(value, known)}",
                                     param_hint=option)
    if item_id:
        from naptip.cli import render

        render.show_item(catalog, item_id.strip())
        return
    from naptip.plan.agencies import activity_involves, agency_id, plugin_name

    if committee and catalog.committee_id(committee) is None and committee in catalog.agencies:
        agency, committee = agency or committee, None  # as `schedule --committee` accepts
    wanted = _committee(catalog, committee)
    by_agency = agency_id(catalog, agency) if agency else None
    by_plugin = plugin_name(catalog, set(app.loaded.infos), plugin) if plugin else None
    activities = [a for a in sorted_activities(catalog)
                  if _matches(a, catalog, committee=wanted, pillar=pillar, goal=goal,
                              objective=objective, year=year)
                  and (by_agency is None or activity_involves(catalog, a, by_agency))
                  and (by_plugin is None or catalog.plugin_of("activity", a.id) == by_plugin)]
    if not activities:
        raise NaptipError("no activity matches these filters")
    show_tree(catalog, activities)


@plan.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=OUTPUT_FILE,
              help="Write to this file instead of standard output.")
@pass_app
def export(app: App, fmt: str, output: Path | None) -> None:
    """Export the whole catalog, one row per activity entry (JSON: docs/export-format.md)."""
    catalog = app.catalog
    app.warn_problems()
    text = to_json(catalog) if fmt == "json" else to_csv(catalog)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise NaptipError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {len(catalog.activities)} activity entries to {output}", err=True)


__all__ = ["plan"]
