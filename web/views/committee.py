"""A committee's page: its progress, and the narrative its lead, chair and members enter
for the M&E annual and final reports."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from naptip.base.errors import NaptipError
from naptip.plan.catalog import Catalog
from naptip.reports.narrative import FIELDS, Narrative, committee_narratives, save_narrative
from naptip.web import queries
from naptip.web.access import Viewer
from naptip.web.context import Portal
from naptip.web.refusals import refusal


async def committee(portal: Portal, request: Request, viewer: Viewer) -> Response:
    cid = request.path_params["cid"]
    plan = await run_in_threadpool(portal.requested_plan, request)
    if plan is None:
        return portal.unknown_plan(request, viewer)
    if cid not in plan.committees or not viewer.may_see_committee(cid):
        return portal.not_found(request, viewer)
    return await committee_page(portal, request, viewer, cid, plan, errors={},
                                notice=request.query_params.get("done") == "1")


async def narrative(portal: Portal, request: Request, viewer: Viewer) -> Response:
    cid = request.path_params["cid"]
    plan = await run_in_threadpool(portal.requested_plan, request)
    if plan is None:
        return portal.unknown_plan(request, viewer)
    if cid not in plan.committees or not viewer.may_see_committee(cid):
        return portal.not_found(request, viewer)
    if not viewer.may_speak_for(cid):
        return portal.forbidden(request, viewer)
    form = await request.form(max_files=0, max_fields=10)
    if not portal.csrf_ok(request, str(form.get("csrf") or "")):
        return portal.forbidden(request, viewer)
    which = str(form.get("report") or "")
    parts = {name: str(form.get(name) or "").strip() or None for name in FIELDS}
    errors: dict[str, str] = {}
    if which != "final" and not (which.isdigit()
                                 and int(which) in plan.structure.plan.years):
        errors["report"] = "Choose a plan year or the final report."
    else:
        try:
            await run_in_threadpool(lambda: save_narrative(
                portal.db, committee=cid, kind="final" if which == "final" else "annual",
                year=None if which == "final" else int(which), parts=parts,
                actor=f"{viewer.contact.name} <{viewer.email}>"))
        except NaptipError as exc:
            errors["narrative"] = refusal(str(exc), portal.language(request, viewer))
    if errors:
        return await committee_page(portal, request, viewer, cid, plan, errors=errors,
                                    notice=False, status=422)
    return RedirectResponse(f"/committee/{cid}?{plan_query(portal, plan)}done=1",
                            status_code=303)


def plan_query(portal: Portal, plan: Catalog) -> str:
    """``plan=ID&`` for a page of another plan than the portal's own ("" for its own)."""
    plan_id = plan.structure.plan.id
    return "" if plan_id == portal.plan_id else urlencode({"plan": plan_id}) + "&"


async def committee_page(portal: Portal, request: Request, viewer: Viewer, cid: str,
                         plan: Catalog, *, errors: dict[str, str], notice: bool,
                         status: int = 200) -> Response:
    def load() -> tuple[list[queries.Bar], list[Narrative]]:
        with portal.db.reading() as session:
            return (queries.committee_progress(session, cid, plan.structure.plan.id),
                    committee_narratives(session, cid))

    bars, narratives = await run_in_threadpool(load)
    years = list(plan.structure.plan.years)
    return portal.page(request, viewer, "committee.html", status=status, plan=plan,
                       plan_query=plan_query(portal, plan),
                       committee=plan.committees[cid], bars=bars,
                       narratives=narratives, may_speak=viewer.may_speak_for(cid),
                       years=years, this_year=min(max(portal.today().year, years[0]),
                                                  years[-1]),
                       errors=errors, notice=notice)
