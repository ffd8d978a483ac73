"""Build a report from the store: read the facts, compute the progress, add plugin
sections and charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from naptip.base.errors import Problem
from naptip.base.report_types import ReportSection
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.progress import Progress, build_progress
from naptip.reports.document import (
    Chart,
    Report,
    ReportError,
    build_report,
    context_of,
    report_committee,
)
from naptip.reports.labels import LANGS
from naptip.reports.narrative import latest_narratives, narrative_scope
from naptip.reports.recommendations import add_followups, read_year_followups
from naptip.reports.source import read_changes, read_evidence, read_occurrences
from naptip.store.db import Database

Step = Callable[[str], None]


@dataclass(frozen=True)
class Scope:
    kind: str
    years: tuple[int, ...]
    committee: str | None


def resolve_scope(catalog: Catalog, kind: str, *, year: int | None = None,
                  committee: str | None = None) -> Scope:
    """Check the report's year and committee; a bad one is a one-line ReportError."""
    plan = catalog.structure.plan.years
    first, last = plan[0], plan[-1]
    if year is not None and year not in plan:
        raise ReportError(f"year {year} is outside the plan ({first}–{last})")
    wanted = report_committee(catalog, committee)
    if kind == "annual":
        if year is None:
            raise ReportError("an annual report needs --year")
        return Scope(kind, (year,), None)
    if kind == "final":
        return Scope(kind, tuple(plan), None)
    return Scope(kind, (year,) if year is not None else tuple(plan), wanted)


def make_report(db: Database, catalog: Catalog, scope: Scope, *, as_of: date,
                lang: str = "en", plugins: LoadedPlugins | None = None,
                charts: bool = True, step: Step | None = None) -> Report:
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use {' or '.join(LANGS)}")
    say = step or (lambda _what: None)
    say("reading the store")
    plan_id = catalog.structure.plan.id
    with db.reading() as session:
        occurrences = read_occurrences(session, plan_id, scope.years, scope.committee)
        evidence = read_evidence(session, plan_id, scope.years, scope.committee)
        changes = read_changes(session, plan_id, scope.years, as_of)
        # the 2021–Y timeline and trend of a one-year report need the years before it
        first = catalog.structure.plan.years[0]
        past = tuple(range(first, scope.years[0])) if charts else ()
        past_occurrences = (read_occurrences(session, plan_id, past, scope.committee)
                            if past else [])
        past_evidence = (read_evidence(session, plan_id, past, scope.committee,
                                       details=False) if past else [])
        kind, year = narrative_scope(scope.kind, scope.years)
        committees = [scope.committee] if scope.committee else list(catalog.committees)
        narratives = latest_narratives(session, committees, kind, year, as_of)
    say("computing progress")
    progress = build_progress(catalog, occurrences, evidence, years=scope.years, as_of=as_of,
                              committee=scope.committee)
    history = progress
    if past:
        earlier = build_progress(catalog, past_occurrences, past_evidence, years=past,
                                 as_of=as_of, committee=scope.committee)
        history = replace(progress, by_year={**earlier.by_year, **progress.by_year})
    problems: list[Problem] = []
    extra: list[tuple[str, ReportSection]] = []
    if plugins is not None:
        say("asking plugins for sections")
        context = context_of(progress, scope.kind, lang)
        for plugin, result in plugins.call_each("naptip_report_sections", problems,
                                                report=context):
            items = list(result or ()) if not isinstance(result, ReportSection) else [result]
            for item in items:
                if isinstance(item, ReportSection):
                    extra.append((plugin, item))
                else:
                    problems.append(Problem(plugin=plugin, message=(
                        "naptip_report_sections returned "
                        f"{type(item).__name__}, not ReportSection")))
    maker = None
    if charts:
        say("drawing charts")
        from naptip.reports.charts import make_charts

        def maker(p: Progress, c: Catalog, lang: str) -> dict[str, Chart]:
            return make_charts(p, c, lang, history=history)
    if scope.kind == "annual":
        say("reading the recommendations follow-up")
    followups = (read_year_followups(db, scope.years[0], as_of) if scope.kind == "annual"
                 else [])
    say("laying out")
    report = build_report(catalog, progress, changes, kind=scope.kind, lang=lang,
                          charts=maker, extra=extra, narratives=narratives)
    if scope.kind == "annual":
        add_followups(report, catalog, followups, scope.years[0], as_of)
    report.warnings = problems
    return report
