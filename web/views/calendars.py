"""The calendar feeds a contact may subscribe to (:mod:`naptip.web.calendar_links`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from naptip.web.access import Viewer
from naptip.web.calendar_links import CalendarLink, calendar_links, feeds_url
from naptip.web.context import Portal


async def calendars(portal: Portal, request: Request, viewer: Viewer) -> Response:
    plan = await run_in_threadpool(portal.requested_plan, request)
    if plan is None:
        return portal.unknown_plan(request, viewer)

    def load() -> list[CalendarLink]:
        return calendar_links(viewer.contact, portal.db, plan, feeds_url())

    return portal.page(request, viewer, "calendars.html", plan=plan,
                       links=await run_in_threadpool(load))
