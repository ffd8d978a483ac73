"""``naptip plan``: the plan's matrix as the plugins declare it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from naptip.base.errors import NaptipError
from naptip.base.lookup import id_hint
from naptip.base.model import Activity, PlanStructure
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
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "matrix"]), default="json",
              show_default=True,
              help="json/csv: the catalog (docs/export-format.md); matrix: the plan's "
                   "matrix as in Appendix I, to .csv or .xlsx (docs/plan-packages.md).")
@click.option("-o", "--output", type=OUTPUT_FILE,
              help="Write to this file instead of standard output (a matrix: FILE.csv or "
                   "FILE.xlsx).")
@pass_app
def export(app: App, fmt: str, output: Path | None) -> None:
    """Export the whole catalog, one row per activity entry (JSON: docs/export-format.md),
    or the plan's matrix, one row per indicator (docs/plan-packages.md)."""
    if fmt == "matrix" and output is not None:
        from naptip.plan.matrix import SUFFIXES

        if output.suffix.lower() not in SUFFIXES:
            raise click.BadParameter(f"{output.name}: a matrix is written as .csv or .xlsx",
                                     param_hint="-o")
    catalog = app.catalog
    app.warn_problems()
    if fmt == "matrix":
        from naptip.plan.matrix import matrix_csv, write_matrix

        activities = list(catalog.activities.values())
        if output is None:
            click.echo(matrix_csv(catalog.structure, activities), nl=False)
            return
        rows = write_matrix(output, catalog.structure, activities)
        click.echo(f"wrote the matrix of {len(activities)} activity entries ({rows} rows, one "
                   f"per indicator) to {output}", err=True)
        return
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


def _period(_ctx: click.Context, _param: click.Parameter, value: str | None,
            ) -> tuple[date, date] | None:
    if value is None:
        return None
    from naptip.base.model import Timeline

    try:
        years = Timeline.parse(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not YEAR-YEAR (e.g. 2026-2030)") from None
    if years.start > years.end or years.start < 1900 or years.end > 2200:
        raise click.BadParameter(f"{value!r} is not a period of years (e.g. 2026-2030)")
    return date(years.start, 1, 1), date(years.end, 12, 31)


def _base_structure(value: str | None) -> PlanStructure:
    """The plan whose pillars, goals, areas and parties a matrix import takes."""
    from naptip.plan.plandata import load_plan_structure, parse_structure

    builtin = load_plan_structure()
    if value is None or value == builtin.plan.id:
        return builtin
    path = Path(value)
    file = path / "plan.toml" if path.is_dir() else path
    if not file.is_file():
        raise click.BadParameter(f"{value}: neither {builtin.plan.id} nor a plan package "
                                 "folder (or its plan.toml)", param_hint="--structure-from")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NaptipError(f"{file}: cannot read: {exc}") from None
    return parse_structure(text, str(file))


def _clear(folder: Path, force: bool) -> None:
    """Make ``folder`` ready for a package: refuse a non-empty one without ``force``;
    with it, remove an earlier package's files (plan.toml, activities/*.toml,
    problems.txt), nothing else."""
    from naptip.plan.matriximport import PROBLEMS_FILE

    if folder.exists() and not folder.is_dir():
        raise NaptipError(f"-o {folder}: is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise NaptipError(f"-o {folder}: not empty (give --force to replace the plan "
                              "package in it; nothing was written)")
        for path in (folder / "plan.toml", folder / PROBLEMS_FILE,
                     *(folder / "activities").glob("*.toml")):
            path.unlink(missing_ok=True)
    try:
        (folder / "activities").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NaptipError(f"-o {folder}: cannot create it: {exc.strerror}") from None


@plan.command("import")
@click.argument("matrix", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "folder", required=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="The plan package's folder (created; must be empty unless --force).")
@click.option("--id", "plan_id", help="The plan's id, e.g. naptip-4.0 (default: the "
                                      "--structure-from plan's).")
@click.option("--title", help="The plan's full title (needed with a new --id).")
@click.option("--short-title", help="Its short title (default: from --id, e.g. NAPTIP 4.0).")
@click.option("--period", callback=_period, metavar="YYYY-YYYY",
              help="The plan's years, e.g. 2026-2030 (default: the --structure-from "
                   "plan's).")
@click.option("--structure-from", "structure_from", metavar="PLAN",
              help="Take pillars, goals, programme areas and parties from this plan package "
                   "folder (default: the built-in NAPTIP 3.0).")
@click.option("--force", is_flag=True, help="Replace the plan package already in the folder.")
@pass_app
def import_(app: App, matrix: Path, folder: Path, plan_id: str | None, title: str | None,
            short_title: str | None, period: tuple[date, date] | None,
            structure_from: str | None, force: bool) -> None:
    """Read a matrix laid out like Appendix I (.xlsx or .csv) into a reviewable plan
    package in a folder: plan.toml and activities/<committee>.toml. Every cell that
    cannot be read is listed with its row and column (and in problems.txt in the
    folder); the exit status is 1 when there is any (docs/plan-packages.md)."""
    from dataclasses import replace

    from naptip.plan.matrix import read_sheet
    from naptip.plan.matriximport import import_matrix, write_package
    from naptip.plan.package import load_plan_package

    base = _base_structure(structure_from)
    new_id = plan_id is not None and plan_id != base.plan.id
    if new_id and not title:
        raise click.UsageError(f"--id {plan_id} is a new plan: give its --title too (and "
                               "--period, when its years are not "
                               f"{base.plan.start.year}-{base.plan.end.year})")
    if period is not None and not new_id and period != (base.plan.start, base.plan.end):
        raise click.UsageError(f"--period is not {base.plan.id}'s: give the new plan's --id "
                               "and --title too")
    if plan_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", plan_id):
        raise click.BadParameter(f"{plan_id!r}: lower-case letters, digits, '.' and '-' "
                                 "(e.g. naptip-4.0)", param_hint="--id")
    start, end = period or (base.plan.start, base.plan.end)
    default_short = (plan_id.upper().replace("-", " ") if new_id and plan_id
                     else base.plan.short_title)
    plan_ = replace(base.plan, id=plan_id or base.plan.id, title=title or base.plan.title,
                    short_title=short_title or default_short, start=start, end=end)
    sheet = read_sheet(matrix)
    catalog = app.catalog
    result = import_matrix(
        sheet, base=base, plan=plan_, committees=catalog.committees,
        on_ignored_column=lambda name: click.echo(
            f"warning: {matrix}: column {name!r} is not one of the matrix's: ignored",
            err=True))
    _clear(folder, force)
    try:
        write_package(folder, result)
    except OSError as exc:
        raise NaptipError(f"cannot write into {folder}: {exc.strerror}") from None
    lines = result.problem_lines()
    for line in lines:
        click.echo(line)
    try:
        package = load_plan_package(folder, catalog.committees)
    except NaptipError as exc:
        raise NaptipError(f"the package written in {folder} does not load: {exc}") from None
    s = package.structure
    click.echo(f"wrote {folder}: {s.plan.short_title} ({s.plan.id}, {s.plan.start.year}-"
               f"{s.plan.end.year}), {len(package.activities)} activity entries, "
               f"{len(s.objectives)} objectives, {len(s.outputs)} outputs", err=True)
    if lines:
        click.echo(f"{len(result.problems)} cells could not be read, "
                   f"{len(result.left_out)} entries left out: fix the matrix and import it "
                   f"again with --force (the list is in {folder / 'problems.txt'})", err=True)
        raise SystemExit(1)


__all__ = ["plan"]
