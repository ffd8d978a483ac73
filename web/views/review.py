"""Reviewing evidence: the reviewers' queue, one piece of evidence (also shown to those
who may see its occurrence) and the decision on it."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from naptip.base.values import EvidenceError
from naptip.web import queries
from naptip.web.access import Viewer
from naptip.web.context import Portal
from naptip.web.refusals import refusal


async def queue(portal: Portal, request: Request, viewer: Viewer) -> Response:
    if not viewer.reviewer:
        return portal.not_found(request, viewer)

    def load() -> list[queries.Queued]:
        with portal.db.reading() as session:
            return queries.review_queue(session, viewer, portal.served_plans())

    return portal.page(request, viewer, "queue.html", queue=await run_in_threadpool(load))


async def evidence(portal: Portal, request: Request, viewer: Viewer) -> Response:
    found = await run_in_threadpool(portal.visible_evidence, viewer,
                                    request.path_params["eid"])
    if found is None:
        return portal.not_found(request, viewer)
    item, row = found
    service = await run_in_threadpool(portal.service_of, row.plan_id)
    return portal.page(request, viewer, "evidence.html", plan=service.catalog,
                       evidence=item, row=row, indicators=service.form(row),
                       may_review=viewer.may_review(row) and item.status == "submitted",
                       own=await run_in_threadpool(service.is_own, item,
                                                   viewer.email), errors={},
                       notice=request.query_params.get("done") == "1")


async def review(portal: Portal, request: Request, viewer: Viewer) -> Response:
    found = await run_in_threadpool(portal.visible_evidence, viewer,
                                    request.path_params["eid"])
    if found is None or not viewer.may_review(found[1]):
        return portal.not_found(request, viewer)
    item, row = found
    service = await run_in_threadpool(portal.service_of, row.plan_id)
    form = await request.form(max_files=0, max_fields=10)
    if not portal.csrf_ok(request, str(form.get("csrf") or "")):
        return portal.forbidden(request, viewer)
    errors: dict[str, str] = {}
    own = await run_in_threadpool(service.is_own, item, viewer.email)
    if own:
        errors["form"] = "You submitted this evidence: another reviewer must review it."
    else:
        accept = form.get("decision") == "accept"
        reason = str(form.get("reason") or "") or None
        try:
            await run_in_threadpool(lambda: service.review(
                item.id, accept=accept, reason=reason, actor=viewer.email))
        except EvidenceError as exc:
            errors["reason" if "reason" in str(exc) else "form"] = refusal(
                str(exc), portal.language(request, viewer))
    if errors:
        return portal.page(request, viewer, "evidence.html", status=422,
                           plan=service.catalog, evidence=item,
                           row=row, indicators=service.form(row), may_review=True,
                           own=own, errors=errors,
                           notice=False)
    return RedirectResponse(f"/evidence/{item.id}?done=1", status_code=303)
