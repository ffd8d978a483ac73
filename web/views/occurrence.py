"""One occurrence's page (what is asked, by when, what counts, its evidence so far) and
the evidence submitted from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from naptip.base.errors import NaptipError
from naptip.base.values import EvidenceError
from naptip.store.orm import Evidence, OccurrenceRow
from naptip.web import explain, forms
from naptip.web.access import Viewer
from naptip.web.context import Portal
from naptip.web.refusals import refusal
from naptip.web.uploads import BadForm, TooLarge, read_form


async def occurrence(portal: Portal, request: Request, viewer: Viewer) -> Response:
    row = await run_in_threadpool(portal.visible_occurrence, viewer,
                                  request.path_params["oid"])
    if row is None:
        return portal.not_found(request, viewer)
    context = await run_in_threadpool(occurrence_context, portal, row,
                                      portal.language(request, viewer))
    return portal.page(request, viewer, "occurrence.html", plan=context["catalog"],
                       errors={}, given={}, again=[],
                       may_submit=viewer.may_submit(row), notice=request.query_params.get(
                           "done") == "1", **context)


async def submit(portal: Portal, request: Request, viewer: Viewer) -> Response:
    row = await run_in_threadpool(portal.visible_occurrence, viewer,
                                  request.path_params["oid"])
    if row is None or not viewer.may_submit(row):
        return portal.not_found(request, viewer)
    service = await run_in_threadpool(portal.service_of, row.plan_id)
    try:
        form = await read_form(request.headers.get("content-type", ""), request.stream(),
                               max_file_bytes=service.blobs.max_bytes)
    except TooLarge as exc:
        return portal.page(request, viewer, "message.html", status=413,
                           plan=service.catalog, title="Too large",
                           message=refusal(str(exc), portal.language(request, viewer)),
                           detail="Nothing was stored.")
    except BadForm as exc:
        return portal.page(request, viewer, "message.html", status=400,
                           plan=service.catalog, title="Refused",
                           message=refusal(str(exc), portal.language(request, viewer)))
    try:
        if not portal.csrf_ok(request, form.get("csrf")):
            return portal.forbidden(request, viewer)
        errors: dict[str, str] = {}
        try:
            indicators = service.form(row)
            sub = forms.submission(form, occurrence_id=row.id, actor=viewer.email,
                                   indicators=indicators)
            await run_in_threadpool(service.submit, sub, today=portal.today())
        except forms.FieldError as exc:
            errors[exc.field] = refusal(str(exc), portal.language(request, viewer))
        except EvidenceError as exc:
            errors[forms.field_of(str(exc))] = refusal(str(exc),
                                                       portal.language(request, viewer))
    finally:
        form.cleanup()
    if errors:
        context = await run_in_threadpool(occurrence_context, portal, row,
                                          portal.language(request, viewer))
        given = {k: v[0] for k, v in form.fields.items() if k != "csrf"}
        # a browser cannot be handed files back: name them, to be attached again
        again = [u.name for u in form.files if u.name]
        return portal.page(request, viewer, "occurrence.html", status=422,
                           plan=context["catalog"], errors=errors,
                           given=given, again=again, may_submit=True, notice=False,
                           **context)
    return RedirectResponse(f"/occurrence/{row.id}?done=1", status_code=303)


def occurrence_context(portal: Portal, row: OccurrenceRow, language: str) -> dict[str, Any]:
    """What the occurrence page shows besides the form's state (reads the database), with
    the catalog of the occurrence's plan."""
    service = portal.service_of(row.plan_id)
    catalog = service.catalog
    activity = catalog.activities.get(row.activity_id) if row.activity_id else None
    with portal.db.reading() as session:
        history = session.execute(select(Evidence).where(
            Evidence.occurrence_id == row.id).order_by(Evidence.id)).scalars().all()
    moved_why = None
    if row.unshifted != row.due:
        try:
            moved_why = explain.why_moved(row.region, row.unshifted, language)
        except NaptipError:
            moved_why = None
    indicators = service.form(row)
    owner = catalog.committees.get(row.owner)
    who = (owner.name_ms if language == "ms" else owner.name) if owner else row.owner
    return {"catalog": catalog, "row": row, "activity": activity, "indicators": indicators,
            "history": history, "moved_why": moved_why,
            "ask": explain.ask(who=who, title=row.title, due=row.due,
                               today=portal.today(), progress=row.progress,
                               indicators=indicators, language=language),
            "status_of": lambda status: explain.status_word(status, language)}
