"""The calendar feeds a contact may subscribe to (:mod:`naptip.web.calendar_links`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from naptip.web.access import Viewer
from naptip.web.calendar_links import CalendarLink, calendar_links, feeds_url
from naptip.web.context import Portal


async def calendars(portal: Portal, request: Request, viewer: Viewer) -> Response:
    def load() -> list[CalendarLink]:
        return calendar_links(viewer.contact, portal.db, portal.catalog, feeds_url())

    return portal.page(request, viewer, "calendars.html",
                       links=await run_in_threadpool(load))
