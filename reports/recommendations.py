"""The follow-up of a recommendation set as a report: on its own (``naptip report
recommendations --set ID``) and as a section of the annual report.

The figures come from :func:`naptip.progress.recommendations.followup.read_followup`; this
module only lays them out (tables by status, by lead committee, the gaps, the items) and
gives them as JSON, in the same shapes and words as the other reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from naptip.base.report_types import ReportTable
from naptip.plan.catalog import Catalog
from naptip.progress.recommendations.followup import (
    NO_LEAD,
    STATUSES,
    ActivityProgress,
    FollowUp,
    FollowUpError,
    ItemFollowUp,
    UpdateFact,
    read_followup,
    read_set_ids,
)
from naptip.reports.document import Report, ReportError, Section, report_committee
from naptip.reports.labels import LANGS, rec_status, review_label, t
from naptip.reports.names import committee_name
from naptip.store.db import Database

__all__ = [
    "add_followups",
    "followup_figures",
    "followup_sections",
    "make_followup_report",
    "read_year_followups",
    "year_section",
]

KIND = "recommendations"


# --- JSON ----------------------------------------------------------------------------------

def _update(u: UpdateFact | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"id": u.id, "status": u.status, "review": u.review,
            "submitted_by": u.submitted_by, "submitted_on": u.submitted_on.isoformat(),
            "reviewed_by": u.reviewed_by,
            "reviewed_on": u.reviewed_on.isoformat() if u.reviewed_on else None,
            "review_reason": u.review_reason, "narrative": u.narrative}


def _activity(a: ActivityProgress) -> dict[str, Any]:
    return {"plan": a.plan_id, "activity": a.activity_id, "owner": a.owner, "known": a.known,
            "occurrences": a.total, "accepted": a.accepted, "awaiting": a.awaiting,
            "open": a.open, "overdue": a.overdue}


def followup_figures(f: FollowUp) -> dict[str, Any]:
    """Every figure of one set's follow-up, with the update and activity rows behind it."""
    return {
        "set": {"id": f.set_id, "source": f.source, "issued_on": f.issued_on.isoformat(),
                "url": f.url, "note": f.note},
        "as_of": f.as_of.isoformat(),
        "committee": f.committee,
        "items_total": len(f.items),
        "by_status": f.by_status,
        "by_committee": {k or "none": v for k, v in f.by_committee.items()},
        "gaps": [i.item for i in f.gaps],
        "awaiting_review": f.awaiting_review,
        "items": [{"item": i.item, "text": i.text, "theme": i.theme, "lead": i.lead,
                   "support": list(i.support), "status": i.status, "gap": i.gap,
                   "status_update": _update(i.accepted), "latest_update": _update(i.latest),
                   "awaiting_review": [u.id for u in i.awaiting],
                   "activities": [_activity(a) for a in i.activities]}
                  for i in f.items],
    }


# --- tables ---------------------------------------------------------------------------------

def _names(catalog: Catalog, lang: str) -> Callable[[str], str]:
    def name(cid: str) -> str:
        return t("rec_no_lead", lang) if cid == NO_LEAD else committee_name(catalog, cid, lang)
    return name


def _last(i: ItemFollowUp, lang: str) -> str:
    u = i.latest
    if u is None:
        return ""
    return t("rec_update", lang, status=rec_status(u.status, lang),
             review=review_label(u.review, lang), day=u.submitted_on.isoformat())


def _linked(activities: Sequence[ActivityProgress], lang: str) -> str:
    parts = []
    for a in activities:
        if not a.known:
            parts.append(f"{a.activity_id} ({t('rec_not_in_store', lang)})")
            continue
        late = f", {a.overdue} {t('overdue_s', lang)}" if a.overdue else ""
        parts.append(f"{a.activity_id} ({a.accepted}/{a.total}{late})")
    return "; ".join(parts)


def _titled(f: FollowUp, what: str, lang: str, prefix: bool) -> str:
    return t("rec_of_set", lang, source=f.source, what=what) if prefix else what


def followup_tables(catalog: Catalog, f: FollowUp, lang: str, *, prefix: bool = False,
                    ) -> tuple[list[ReportTable], list[ReportTable]]:
    """(by status, by committee, gaps) and the item tables of one set; ``prefix``: the
    titles name the set (several sets in one section)."""
    name = _names(catalog, lang)
    statuses = [rec_status(s, lang) for s in STATUSES]
    by_status = f.by_status
    status_table = ReportTable(
        title=_titled(f, t("rec_by_status", lang), lang, prefix),
        columns=(t("status", lang), t("rec_items_n", lang)),
        rows=(*((rec_status(s, lang), by_status[s]) for s in STATUSES),
              (t("total", lang), len(f.items))))
    committee_table = ReportTable(
        title=_titled(f, t("rec_by_committee", lang), lang, prefix),
        columns=(t("rec_lead", lang), *statuses, t("total", lang)),
        rows=tuple((name(c), *(row[s] for s in STATUSES), sum(row.values()))
                   for c, row in f.by_committee.items()))
    gaps = ReportTable(
        title=_titled(f, t("rec_gaps", lang), lang, prefix),
        columns=(t("rec_item", lang), t("rec_text", lang), t("rec_lead", lang),
                 t("status", lang)),
        rows=tuple((i.item, i.text, name(i.lead or NO_LEAD), rec_status(i.status, lang))
                   for i in f.gaps))
    items = ReportTable(
        title=_titled(f, t("rec_items", lang), lang, prefix),
        columns=(t("rec_item", lang), t("rec_text", lang), t("rec_lead", lang),
                 t("status", lang), t("rec_last_update", lang), t("rec_linked", lang)),
        rows=tuple((i.item, i.text + (f" [{i.theme}]" if i.theme else ""),
                    name(i.lead or NO_LEAD), rec_status(i.status, lang), _last(i, lang),
                    _linked(i.activities, lang)) for i in f.items))
    items_sheet = ReportTable(
        title=_titled(f, t("rec_items", lang), lang, prefix),
        columns=(t("rec_item", lang), t("rec_text", lang), t("rec_theme", lang),
                 t("rec_lead", lang), t("rec_support", lang), t("status", lang),
                 t("rec_last_update", lang), t("submitted_on", lang), t("reviewed_on", lang),
                 t("awaiting", lang)),
        rows=tuple((i.item, i.text, i.theme or "", name(i.lead or NO_LEAD),
                    ", ".join(name(c) for c in i.support), rec_status(i.status, lang),
                    rec_status(i.latest.status, lang) if i.latest else "",
                    i.latest.submitted_on if i.latest else None,
                    i.latest.reviewed_on if i.latest else None, len(i.awaiting))
                   for i in f.items))
    text = _activity_texts(catalog)
    activities_sheet = ReportTable(
        title=_titled(f, t("rec_activities", lang), lang, prefix),
        columns=(t("rec_item", lang), t("rec_plan", lang), t("activity", lang),
                 t("activity_text", lang), t("committee_c", lang), t("rec_occurrences", lang),
                 t("accepted", lang), t("awaiting", lang), t("rec_open", lang),
                 t("overdue_n", lang)),
        rows=tuple((i.item, a.plan_id, a.activity_id, text(a.plan_id, a.activity_id),
                    name(a.owner) if a.owner else "", a.total, a.accepted, a.awaiting,
                    a.open, a.overdue)
                   for i in f.items for a in i.activities))
    return ([status_table, committee_table, gaps],
            [items, items_sheet, activities_sheet])


def _activity_texts(catalog: Catalog) -> Callable[[str, str], str]:
    plan_id = catalog.structure.plan.id

    def text(plan: str, activity_id: str) -> str:
        a = catalog.activities.get(activity_id) if plan == plan_id else None
        return a.text if a else ""
    return text


def _summary(f: FollowUp, lang: str) -> str:
    by = f.by_status
    return t("rec_summary", lang, n=len(f.items), implemented=by["implemented"],
             progress=by["in-progress"], not_started=by["not-started"],
             refused=by["not-accepted"], gaps=len(f.gaps), awaiting=f.awaiting_review)


def followup_sections(catalog: Catalog, f: FollowUp, lang: str) -> list[Section]:
    """The sections of the report of one set: summary (by status), by committee, gaps,
    items (the analysts' sheets: every item, every linked activity)."""
    (by_status, by_committee, gaps), (items, items_sheet, activities) = followup_tables(
        catalog, f, lang)
    summary = Section(id="summary", title=t("summary", lang), paragraphs=[
        t("rec_source", lang, source=f.source, issued=f.issued_on.isoformat())
        + (f" {f.url}" if f.url else ""), _summary(f, lang)], tables=[by_status])
    committees = Section(id="committees", title=t("rec_by_committee", lang),
                         tables=[by_committee])
    gap = Section(id="gaps", title=t("rec_gaps", lang), tables=[gaps])
    listed = Section(id="items", title=t("rec_items", lang), tables=[items],
                     sheets=[items_sheet, activities])
    return [summary, committees, gap, listed]


def year_section(catalog: Catalog, followups: Sequence[FollowUp], year: int, as_of: date,
                 lang: str) -> Section:
    """The annual report's section: each set's tables by status, by committee and its
    gaps, one after the other (the sheets add the items and their activities)."""
    section = Section(id="recommendations", title=t("rec_section", lang), paragraphs=[
        t("rec_section_note", lang, year=year, as_of=as_of.isoformat())])
    sheets: list[ReportTable] = []
    for f in followups:
        section.paragraphs.append(f"{f.source}: {_summary(f, lang)}")
        printed, more = followup_tables(catalog, f, lang, prefix=True)
        section.tables += printed
        sheets += [*printed, more[1], more[2]]
    section.sheets = sheets
    return section


def add_followups(report: Report, catalog: Catalog, followups: Sequence[FollowUp],
                  year: int, as_of: date) -> None:
    """Put the sets' follow-up in an annual report: its JSON always (``recommendations``,
    a list, empty when no set is loaded), a section before the annex when there is one."""
    report.figures["recommendations"] = [followup_figures(f) for f in followups]
    if not followups:
        return
    section = year_section(catalog, followups, year, as_of, report.lang)
    at = next((n for n, s in enumerate(report.sections) if s.id == "annex"),
              len(report.sections))
    report.sections.insert(at, section)


def read_year_followups(db: Database, year: int, as_of: date) -> list[FollowUp]:
    """The follow-up of every set issued by the end of ``year`` (and by ``as_of``: a set
    not yet issued on the report's day is not in it), as of ``as_of``, oldest set first."""
    with db.reading() as session:
        ids = read_set_ids(session, issued_by=min(date(year, 12, 31), as_of))
        return [read_followup(session, set_id, as_of=as_of) for set_id in ids]


def make_followup_report(db: Database, catalog: Catalog, set_id: str, *, as_of: date,
                         lang: str = "en", committee: str | None = None) -> Report:
    """The follow-up report of one set (of the items one committee leads)."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use {' or '.join(LANGS)}")
    wanted = report_committee(catalog, committee)
    try:
        with db.reading() as session:
            f = read_followup(session, set_id, as_of=as_of, committee=wanted)
    except FollowUpError as exc:
        raise ReportError(str(exc)) from None
    title = (t("rec_title_of", lang, source=f.source,
               committee=committee_name(catalog, wanted, lang))
             if wanted else t("rec_title", lang, source=f.source))
    subtitle = t("rec_subtitle", lang, set=f.set_id, issued=f.issued_on.isoformat(),
                 plan=catalog.structure.plan.short_title, as_of=as_of.isoformat())
    return Report(kind=KIND, title=title, subtitle=subtitle, lang=lang,
                  sections=followup_sections(catalog, f, lang),
                  figures={"report": KIND, **followup_figures(f)})
