"""A report as a format-neutral document: title, sections, tables, charts and the figures.

``build_report`` turns a :class:`naptip.progress.progress.Progress` into a :class:`Report`; the
renderers (HTML, PDF, xlsx, JSON, CSV) only lay it out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from naptip.base.errors import NaptipError, Problem
from naptip.base.report_types import Cell, ReportContext, ReportSection, ReportTable
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import PlanLife
from naptip.progress.progress import (
    STATUSES,
    IndicatorActual,
    OutputProgress,
    OverdueGroup,
    Progress,
    RollUp,
    outputs_of,
)
from naptip.reports.labels import evidence_status, status_label, t
from naptip.reports.names import category_label, committee_name, kind_label, pillar_name
from naptip.reports.source import ScheduleChange

if TYPE_CHECKING:
    from collections.abc import Mapping

    from naptip.reports.narrative import Narrative

#: the parts of a committee's narrative, in the order a report prints them
NARRATIVE_PARTS = ("gaps", "challenges", "adjustments", "actions")

KINDS = ("annual", "final", "committee")


class ReportError(NaptipError):
    """A report that cannot be built as asked (bad year, unknown committee...)."""


def report_committee(catalog: Catalog, committee: str | None) -> str | None:
    """The id of the committee a report is for (an id, name or alias as given); None for
    none; an unknown one is a one-line ReportError naming the known ids."""
    if committee is None:
        return None
    wanted = catalog.committee_id(committee)
    if wanted is None:
        known = ", ".join(sorted(catalog.committees))
        raise ReportError(f"unknown committee {committee!r} (known: {known})")
    return wanted



@dataclass(frozen=True, kw_only=True)
class Chart:
    id: str
    title: str
    svg: str


@dataclass(kw_only=True)
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    plugin: str | None = None
    #: the tables for analysts (xlsx and CSV), where they differ from the printed ones:
    #: one long table rather than one small table per indicator, say
    sheets: list[ReportTable] | None = None

    @property
    def data_tables(self) -> list[ReportTable]:
        return self.tables if self.sheets is None else self.sheets


@dataclass(kw_only=True)
class Report:
    kind: str
    title: str
    subtitle: str
    lang: str
    sections: list[Section]
    figures: dict[str, Any]  #: the JSON report
    warnings: list[Problem] = field(default_factory=list)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _rollup(r: RollUp) -> dict[str, Any]:
    return {**r.counts, "applicable": r.applicable, "done_total": r.done,
            "percent_done": r.percent_done, "evidence": sorted(r.evidence)}


def _outputs(outputs: Sequence[OutputProgress]) -> list[dict[str, Any]]:
    return [{"output": o.output_id, "objective": o.objective, "text": o.text,
             "activities": o.activities, **_rollup(o.rollup),
             "indicators": [{"activity": i.activity_id, "number": i.number, "text": i.text,
                             "target": i.target,
                             "target_value": None if i.target_value is None
                             else _num(i.target_value), "per_year": i.per_year,
                             "by_year": {str(y): _num(v) for y, v in i.by_year.items()},
                             "actual": _num(i.actual), "met": i.met, "evidence": i.evidence}
                            for i in o.indicators],
             "targeted": len(o.targeted), "targets_met": sum(1 for i in o.targeted if i.met),
             "met": o.met}
            for o in outputs]


def figures(progress: Progress, changes: Sequence[ScheduleChange], kind: str,
            outputs: Sequence[OutputProgress] = ()) -> dict[str, Any]:
    """Every figure of the report, each with the evidence rows it came from."""
    ev = progress.evidence
    total = progress.total
    return {
        "report": kind,
        "years": list(progress.years),
        "as_of": progress.as_of.isoformat(),
        "committee": progress.committee,
        "summary": {
            **_rollup(total),
            "overdue_occurrences": len(progress.overdue),
            "evidence_accepted": sum(1 for e in ev if e.status == "accepted"),
            "evidence_submitted": sum(1 for e in ev if e.status == "submitted"),
            "evidence_returned": sum(1 for e in ev if e.status == "returned"),
        },
        "by_committee": {k: _rollup(v) for k, v in sorted(progress.by_committee.items())},
        "by_pillar": {k: _rollup(v) for k, v in sorted(progress.by_pillar.items())},
        "by_goal": {k: _rollup(v) for k, v in sorted(progress.by_goal.items(),
                                                     key=lambda kv: int(kv[0][1:]))},
        "by_objective": {k: _rollup(v) for k, v in sorted(progress.by_objective.items(),
                                                          key=lambda kv: int(kv[0][1:]))},
        "by_year": {str(k): _rollup(v) for k, v in sorted(progress.by_year.items())},
        "outputs": _outputs(outputs),
        "on_time": {k: {"accepted": v.accepted, "on_time": v.on_time, "rate": v.rate,
                        "evidence": v.evidence}
                    for k, v in sorted(progress.on_time.items())},
        "overdue": [{"occurrence": o.id, "title": o.title, "owner": o.owner,
                     "activity": o.activity_id, "duty": o.duty, "due": o.due.isoformat(),
                     "days_overdue": progress.days_overdue(o)}
                    for o in progress.overdue],
        "overdue_by_committee": _overdue_groups(progress),
        "evidence_by_committee": {
            k: {"accepted": len(v.accepted), "submitted": len(v.submitted),
                "returned": len(v.returned),
                "evidence": {"accepted": sorted(v.accepted), "submitted": sorted(v.submitted),
                             "returned": sorted(v.returned)}}
            for k, v in sorted(progress.evidence_by_committee.items())},
        "indicators": [{"activity": i.activity_id, "number": i.number, "text": i.text,
                        "kind": i.kind, "target": i.target,
                        "target_value": None if i.target_value is None
                        else _num(i.target_value),
                        "actual": _num(i.actual), "met": i.met, "reported": i.reported,
                        "per_year": i.per_year, "years": i.years, "years_met": i.years_met,
                        "by_year": {str(y): _num(v) for y, v in i.by_year.items()},
                        "evidence": i.evidence}
                       for i in progress.indicators],
        "people": [{"activity": pc.activity_id, "number": pc.number, "text": pc.text,
                    "counts": {d: dict(sorted(c.items())) for d, c in sorted(pc.counts.items())},
                    "totals": {d: pc.total(d) for d in sorted(pc.counts)},
                    "evidence": pc.evidence}
                   for pc in progress.people],
        "activities": [{"activity": a.activity_id, "year": a.year, "status": a.status,
                        "owner": a.owner, "pillar": a.pillar, "goal": a.goal,
                        "objective": a.objective, "occurrences": a.occurrences,
                        "evidence": a.evidence}
                       for a in progress.activity_years],
        "evidence": [{"id": e.id, "occurrence": e.occurrence_id, "status": e.status,
                      "nil": e.nil, "done_on": e.done_on.isoformat() if e.done_on else None,
                      "submitted_on": e.submitted_on.isoformat(),
                      "submitted_by": e.submitted_by, "reviewed_by": e.reviewed_by,
                      "reviewed_on": e.reviewed_on.isoformat() if e.reviewed_on else None,
                      "review_note": e.review_note,
                      "attachments": [{"sha256": h, "name": n} for h, n in e.attachments]}
                     for e in ev],
        "schedule_changes": [{"occurrence": c.occurrence_id,
                              "changed_on": c.changed_on.isoformat(),
                              "before": c.before, "after": c.after} for c in changes],
    }


def _overdue_groups(progress: Progress) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for g in progress.overdue_groups():
        out.setdefault(g.owner, []).append({
            "key": g.key, "title": g.title, "activities": g.activities,
            "count": len(g.occurrences), "first_due": g.first_due.isoformat(),
            "last_due": g.last_due.isoformat(), "days_overdue": g.days_overdue,
            "occurrences": [o.id for o in g.occurrences]})
    return out


def title_of(kind: str, years: Sequence[int], committee: str | None, lang: str) -> str:
    if kind == "annual":
        return t("annual", lang, year=years[0])
    if kind == "final":
        return t("final", lang, first=years[0], last=years[-1])
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return t("committee", lang, committee=committee or "", years=span)


def _rollup_table(title: str, first: str, rows: dict[str, RollUp], lang: str,
                  names: Callable[[str], str]) -> ReportTable:
    statuses = [s for s in STATUSES if s != "not-applicable"]
    return ReportTable(
        title=title,
        columns=(first, *(status_label(s, lang) for s in statuses), t("applicable", lang),
                 t("percent_done", lang)),
        rows=tuple((names(k), *(r.counts[s] for s in statuses), r.applicable, r.percent_done)
                   for k, r in rows.items()))


ChartMaker = Callable[[Progress, Catalog, str], dict[str, Chart]]

CHARTED_MAX = 30  #: bars in the targets-against-actuals chart, at most


@dataclass(frozen=True)
class Charted:
    """Which indicators the targets-against-actuals chart shows, and what it leaves out."""

    shown: list[IndicatorActual]  #: a numeric target and accepted evidence, plan order
    no_actual: int  #: with a target but no accepted evidence yet (in the table only)
    over: int  #: with a target and evidence, beyond CHARTED_MAX (in the table only)


def charted_indicators(progress: Progress) -> Charted:
    targeted = [i for i in progress.indicators if i.target_value is not None]
    reported = [i for i in targeted if i.reported]
    return Charted(shown=reported[:CHARTED_MAX], no_actual=len(targeted) - len(reported),
                   over=max(0, len(reported) - CHARTED_MAX))


def build_report(catalog: Catalog, progress: Progress, changes: Sequence[ScheduleChange], *,
                 kind: str, lang: str, charts: ChartMaker | None = None,
                 extra: Sequence[tuple[str, ReportSection]] = (),
                 narratives: Mapping[str, Narrative] | None = None) -> Report:
    s = catalog.structure
    outputs = outputs_of(catalog, progress)
    figs = figures(progress, changes, kind, outputs)
    said = dict(narratives or {})
    figs["narrative"] = {c: {"id": n.id, **{k: n.part(k) for k in NARRATIVE_PARTS},
                             "entered_by": n.entered_by,
                             "entered_at": n.entered_at.isoformat()}
                         for c, n in sorted(said.items())}
    title = title_of(kind, progress.years, committee_name(catalog, progress.committee, lang)
                     if progress.committee else None, lang)
    made = charts(progress, catalog, lang) if charts else {}

    def committees(cid: str) -> str:
        return committee_name(catalog, cid, lang)

    def pillars(pid: str) -> str:
        return pillar_name(catalog, pid, lang)

    summary = figs["summary"]
    sections = [Section(id="summary", title=t("summary", lang), paragraphs=[t(
        "summary_text", lang, done=summary["done_total"], applicable=summary["applicable"],
        percent=summary["percent_done"], overdue=summary["overdue_occurrences"],
        accepted=summary["evidence_accepted"], pending=summary["evidence_submitted"],
        returned=summary["evidence_returned"])],
        tables=[_rollup_table(t("year", lang), t("year", lang),
                              {str(k): v for k, v in progress.by_year.items()}, lang, str)])]
    sections[0].sheets = [*sections[0].tables, _summary_counts(figs["summary"], lang),
                          _statuses_table(catalog, progress, lang, committees)]
    by_pillar = Section(id="pillars", title=t("pillars", lang), tables=[
        _rollup_table(t("pillar", lang), t("pillar", lang), progress.by_pillar, lang,
                      pillars),
        _rollup_table(t("goal", lang), t("goal", lang),
                      {k: progress.by_goal[k] for k in figs["by_goal"]}, lang, str),
        _rollup_table(t("objective", lang), t("objective", lang),
                      {k: progress.by_objective[k] for k in figs["by_objective"]}, lang, str)])
    by_committee = Section(id="committees", title=t("committees", lang), tables=[
        _rollup_table(t("committee_c", lang), t("committee_c", lang), progress.by_committee,
                      lang, committees),
        ReportTable(title=t("on_time", lang),
                    columns=(t("committee_c", lang), t("accepted", lang), t("on_time", lang),
                             t("rate", lang)),
                    rows=tuple((committees(k), v.accepted, v.on_time, v.rate)
                               for k, v in _committee_order(progress, progress.on_time))),
        ReportTable(title=t("review_by_committee", lang),
                    columns=(t("committee_c", lang), t("accepted", lang),
                             t("awaiting", lang), t("returned", lang)),
                    rows=tuple((committees(k), len(v.accepted), len(v.submitted),
                                len(v.returned))
                               for k, v in _committee_order(
                                   progress, progress.evidence_by_committee)))])
    # the timeline runs from the plan's first year to the report's last
    span = _span(s.plan.years[0], progress.years[-1])
    trend = Section(id="trend", title=t("trend", lang, span=span))
    for chart_id, section in (("pillar", by_pillar), ("committee", by_committee),
                              ("timeline", trend), ("trend", trend)):
        if chart_id in made:
            section.charts.append(made[chart_id])
    overdue = _overdue_section(progress, lang, committees)
    indicators = Section(id="indicators", title=t("indicators", lang), tables=[ReportTable(
        title=t("indicators", lang),
        columns=(t("activity", lang), "#", t("indicator", lang), t("kind", lang),
                 t("target", lang), t("target_value", lang), t("actual", lang),
                 t("met", lang), t("evidence", lang)),
        rows=tuple((i.activity_id, i.number, i.text, kind_label(i.kind, lang), i.target or "",
                    None if i.target_value is None else i.target_value, i.actual,
                    _met(i.met, i.per_year, i.years_met, i.years, lang),
                    " ".join(f"#{n}" for n in i.evidence))
                   for i in progress.indicators if i.reported or i.target_value is not None))])
    if "targets" in made:
        indicators.charts.append(made["targets"])
        charted = charted_indicators(progress)
        indicators.paragraphs.append(t("targets_note", lang, shown=len(charted.shown),
                                       none=charted.no_actual))
        if charted.over:
            indicators.paragraphs.append(t("targets_over", lang, over=charted.over,
                                           limit=CHARTED_MAX))
    people = _people_section(progress, lang)
    by_output = _outputs_section(outputs, progress.years, kind, lang)
    narrative = _narrative_section(catalog, progress, said, lang, committees)
    changed = Section(id="changes", title=t("changes", lang), tables=[ReportTable(
        title=t("changes", lang),
        columns=(t("occurrence", lang), t("changed_on", lang), t("before", lang),
                 t("after", lang)),
        rows=tuple((c.occurrence_id, c.changed_on, _pairs(c.before), _pairs(c.after))
                   for c in changes))])
    annex = Section(id="annex", title=t("annex", lang), tables=[ReportTable(
        title=t("annex", lang),
        columns=("#", t("occurrence", lang), t("status", lang), t("done_on", lang),
                 t("submitted_on", lang), t("submitted_by", lang), t("reviewer", lang),
                 t("reviewed_on", lang), t("review_note", lang), t("files", lang)),
        rows=tuple((e.id, e.occurrence_id, evidence_status(e.status, e.nil, lang), e.done_on,
                    e.submitted_on, e.submitted_by, e.reviewed_by or "", e.reviewed_on,
                    e.review_note or "", " ".join(h for h, _n in e.attachments))
                   for e in progress.evidence))])
    sections += [by_pillar, by_committee, narrative, trend, overdue, indicators, by_output,
                 people, changed]
    for plugin, extra_section in extra:
        sections.append(Section(id=f"plugin-{plugin}-{extra_section.id}",
                                title=extra_section.title,
                                paragraphs=list(extra_section.paragraphs),
                                tables=list(extra_section.tables), plugin=plugin))
        figs.setdefault("sections", []).append({
            "plugin": plugin, "id": extra_section.id, "title": extra_section.title,
            "paragraphs": list(extra_section.paragraphs),
            "tables": [{"title": tb.title, "columns": list(tb.columns),
                        "rows": [[_jsonable(c) for c in row] for row in tb.rows]}
                       for tb in extra_section.tables]})
    sections.append(annex)
    subtitle = t("subtitle", lang, as_of=progress.as_of.isoformat(),
                 plan=catalog.structure.plan.short_title)
    life = PlanLife(plan=catalog.structure.plan)
    figs["plan_state"] = {"state": life.state(progress.as_of), "closed_since": None}
    if life.closed(progress.as_of):  # one line: the plan is closed, and since when
        since = life.closed_since.isoformat()
        subtitle += t("closed", lang, since=since)
        figs["plan_state"]["closed_since"] = since
    return Report(kind=kind, title=title, subtitle=subtitle, lang=lang, sections=sections,
                  figures=figs)


V = TypeVar("V")


def _committee_order(progress: Progress, table: dict[str, V]) -> list[tuple[str, V]]:
    """``table``'s items in the order of the roll-up by committee (one order in every
    committee table and chart)."""
    rank = {c: n for n, c in enumerate(progress.by_committee)}
    return sorted(table.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _narrative_section(catalog: Catalog, progress: Progress,
                       narratives: Mapping[str, Narrative], lang: str,
                       names: Callable[[str], str]) -> Section:
    """What each committee says: gaps, challenges, recommended adjustments (S34-O1-ii)
    and corrective actions, as entered by the report's as-of day."""
    section = Section(id="narrative", title=t("narrative", lang))
    wanted = [progress.committee] if progress.committee else list(catalog.committees)
    silent = [names(c) for c in wanted if c not in narratives]
    for c in wanted:
        n = narratives.get(c)
        if n is None:
            continue
        section.tables.append(ReportTable(
            title=t("narrative_of", lang, committee=names(c), who=n.entered_by,
                    day=n.entered_on.isoformat()),
            columns=(t("narrative_part", lang), t("narrative_text", lang)),
            rows=tuple((t(f"part_{k}", lang), n.part(k) or "—") for k in NARRATIVE_PARTS)))
    if silent:
        section.paragraphs.append(t("narrative_none", lang, committees=", ".join(silent)))
    section.sheets = [ReportTable(
        title=t("narrative", lang),
        columns=(t("committee_c", lang), t("narrative_part", lang), t("narrative_text", lang),
                 t("entered_by", lang), t("entered_on", lang)),
        rows=tuple((names(c), t(f"part_{k}", lang), narratives[c].part(k),
                    narratives[c].entered_by, narratives[c].entered_on)
                   for c in wanted if c in narratives for k in NARRATIVE_PARTS))]
    return section


def _outputs_section(outputs: Sequence[OutputProgress], years: Sequence[int], kind: str,
                     lang: str) -> Section:
    """Whether the expected outputs are met: each output's activity-years and targets;
    in the final report, each output's indicators with their actual year by year."""
    section = Section(id="outputs", title=t("outputs", lang),
                      paragraphs=[t("outputs_note", lang)])
    met = sum(1 for o in outputs if o.met)
    judged = sum(1 for o in outputs if o.met is not None)
    section.paragraphs.append(t("outputs_met", lang, met=met, judged=judged,
                                total=len(outputs)))
    section.tables.append(ReportTable(
        title=t("outputs_table", lang),
        columns=(t("output", lang), t("output_text", lang), t("activities_n", lang),
                 t("applicable", lang), t("done_total", lang), t("percent_done", lang),
                 t("targets_met", lang), t("met", lang)),
        rows=tuple((o.output_id, o.text, len(o.activities), o.rollup.applicable,
                    o.rollup.done, o.rollup.percent_done,
                    t("n_of_m", lang, n=sum(1 for i in o.targeted if i.met),
                      m=len(o.targeted)) if o.targeted else "",
                    "" if o.met is None else t("yes" if o.met else "no", lang))
                   for o in outputs)))
    if kind == "final":
        section.tables.append(ReportTable(
            title=t("outputs_years", lang),
            columns=(t("output", lang), t("activity", lang), "#", t("indicator", lang),
                     t("target", lang), *(str(y) for y in years), t("actual", lang),
                     t("met", lang)),
            rows=tuple((o.output_id, i.activity_id, i.number, i.text,
                        (i.target or "") + (f" ({t('each_year', lang)})"
                                            if i.per_year and i.target else ""),
                        *(i.by_year.get(y, Decimal(0)) for y in years), i.actual,
                        _met(i.met, i.per_year, i.years_met, i.years, lang))
                       for o in outputs for i in o.indicators)))
    return section


def _summary_counts(summary: dict[str, Any], lang: str) -> ReportTable:
    """The headline figures, one per row (for analysts)."""
    rows: list[tuple[Cell, ...]] = [(status_label(st, lang), summary[st]) for st in STATUSES]
    rows += [(t(key, lang), summary[field]) for key, field in (
        ("applicable", "applicable"), ("done_total", "done_total"),
        ("percent_done", "percent_done"), ("overdue_occ", "overdue_occurrences"),
        ("accepted", "evidence_accepted"), ("awaiting", "evidence_submitted"),
        ("returned", "evidence_returned"))]
    return ReportTable(title=t("summary_counts", lang),
                       columns=(t("figure", lang), t("value", lang)), rows=tuple(rows))


def _statuses_table(catalog: Catalog, progress: Progress, lang: str,
                    names: Callable[[str], str]) -> ReportTable:
    """Every activity-year with its status and where it rolls up (for analysts)."""
    def text(activity_id: str) -> str:
        activity = catalog.activities.get(activity_id)
        return activity.text if activity else ""

    return ReportTable(
        title=t("statuses_sheet", lang),
        columns=(t("activity", lang), t("activity_text", lang), t("year", lang),
                 t("status", lang), t("committee_c", lang), t("pillar", lang),
                 t("goal", lang), t("objective", lang), t("occurrence", lang),
                 t("evidence", lang)),
        rows=tuple((a.activity_id, text(a.activity_id), a.year, status_label(a.status, lang),
                    names(a.owner), a.pillar, a.goal, a.objective,
                    " ".join(a.occurrences), " ".join(f"#{i}" for i in a.evidence))
                   for a in progress.activity_years))


def _overdue_section(progress: Progress, lang: str, names: Callable[[str], str]
                     ) -> Section:
    """One table per committee, a duty's meetings and sub-steps on one line, with the
    days overdue; the analysts' sheet lists every occurrence."""
    groups = progress.overdue_groups()
    section = Section(id="overdue", title=t("overdue", lang), paragraphs=[t(
        "overdue_note", lang, n=len(progress.overdue), lines=len(groups))] if groups else [])
    owners = list(dict.fromkeys(g.owner for g in groups))
    for owner in owners:
        mine = [g for g in groups if g.owner == owner]
        section.tables.append(ReportTable(
            title=t("overdue_of", lang, committee=names(owner),
                    n=sum(len(g.occurrences) for g in mine)),
            columns=(t("what", lang), t("activity", lang), t("overdue_n", lang),
                     t("due_c", lang), t("days_overdue", lang)),
            rows=tuple((_group_title(g, lang), " ".join(g.activities), len(g.occurrences),
                        _due_span(g.first_due, g.last_due), g.days_overdue)
                       for g in mine)))
    if not groups:
        section.tables.append(ReportTable(title=t("overdue", lang), columns=(), rows=()))
    section.sheets = [ReportTable(
        title=t("overdue", lang),
        columns=(t("committee_c", lang), t("occurrence", lang), t("title", lang),
                 t("activity", lang), t("due_c", lang), t("days_overdue", lang)),
        rows=tuple((names(g.owner), o.id, o.title, o.activity_id or "", o.due,
                    progress.days_overdue(o))
                   for g in groups for o in g.occurrences))]
    return section


def _group_title(group: OverdueGroup, lang: str) -> str:
    """A year's progress reports or nil returns in the report's language (other titles are
    the plan's and the duties' own, in English)."""
    kind, _, year = group.key.partition("@")
    if kind in ("progress-report", "nil-return") and year.isdigit():
        return t(f"group_{kind}", lang, year=year)
    return group.title


def _due_span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


#: the breakdown dimensions, in the order the tables show them
DIMENSIONS = ("sex", "nationality", "age")


def _people_section(progress: Progress, lang: str) -> Section:
    """One sex / nationality / age table per indicator that counts people: people are
    never added up across indicators (officers trained and victims served)."""
    section = Section(id="people", title=t("people", lang),
                      paragraphs=[t("people_note", lang, n=len(progress.people))])
    for pc in progress.people:
        rows: list[tuple[Cell, ...]] = []
        for d in sorted(pc.counts, key=_dimension_order):
            rows += [(_dimension(d, lang), category_label(c, lang), n)
                     for c, n in sorted(pc.counts[d].items())]
            rows.append((_dimension(d, lang), t("total", lang), pc.total(d)))
        evidence = " ".join(f"#{i}" for i in pc.evidence)
        section.tables.append(ReportTable(
            title=f"{pc.activity_id} #{pc.number}: {pc.text}"
                  + f" ({t('evidence', lang)} {evidence})",
            columns=(t("dimension", lang), t("category", lang), t("people_n", lang)),
            rows=tuple(rows)))
    section.sheets = [ReportTable(
        title=t("people_sheet", lang),
        columns=(t("activity", lang), "#", t("indicator", lang), t("dimension", lang),
                 t("category", lang), t("people_n", lang), t("evidence", lang)),
        rows=tuple((pc.activity_id, pc.number, pc.text, _dimension(d, lang),
                    category_label(c, lang), n,
                    " ".join(f"#{i}" for i in pc.evidence))
                   for pc in progress.people
                   for d in sorted(pc.counts, key=_dimension_order)
                   for c, n in sorted(pc.counts[d].items())))]
    return section


def _dimension(dimension: str, lang: str) -> str:
    return t(f"dim_{dimension}", lang) if dimension in DIMENSIONS else dimension


def _dimension_order(dimension: str) -> tuple[int, str]:
    return (DIMENSIONS.index(dimension) if dimension in DIMENSIONS else len(DIMENSIONS),
            dimension)


def _span(first: int, last: int) -> str:
    return str(first) if first >= last else f"{first}–{last}"


def _met(met: bool | None, per_year: bool, years_met: int, years: int, lang: str) -> str:
    if met is None:
        return ""
    word = t("yes" if met else "no", lang)
    if per_year and years > 1:
        return f"{word} ({t('years_met', lang, met=years_met, years=years)})"
    return word


def _pairs(values: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(values.items()))


def _jsonable(cell: object) -> object:
    if isinstance(cell, Decimal):
        return _num(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def context_of(progress: Progress, kind: str, lang: str) -> ReportContext:
    total = progress.total
    return ReportContext(kind=kind, years=progress.years, as_of=progress.as_of,
                         committee=progress.committee, lang=lang,
                         summary={**{k: float(v) for k, v in total.counts.items()},
                                  "applicable": float(total.applicable),
                                  "percent_done": total.percent_done})
