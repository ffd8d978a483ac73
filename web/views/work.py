"""My work: a contact's to-do list (returned, overdue, due soon, supported), filtered by
committee and year, each group paged."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from naptip.web import queries
from naptip.web.access import Viewer
from naptip.web.context import Portal
from naptip.web.i18n import GROUP_LABELS


async def work(portal: Portal, request: Request, viewer: Viewer) -> Response:
    committee = request.query_params.get("committee") or None
    year_text = request.query_params.get("year") or ""
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None

    shown = {name: shown_count(request.query_params.get(f"show_{name}"))
             for name in queries.GROUPS}

    def load() -> dict[str, queries.Group]:  # returned items carry their latest reason
        with portal.db.reading() as session:
            return queries.my_work(session, viewer, portal.catalog, portal.today(),
                                   committee=committee, year=year, shown=shown)

    groups = await run_in_threadpool(load)
    years = range(portal.catalog.structure.plan.start.year,
                  portal.catalog.structure.plan.end.year + 1)
    kept = {f"show_{name}": n for name, n in shown.items() if n != queries.PAGE}
    more = {g.name: "/work?" + query_string(
        committee=committee, year=year,
        **{**kept, f"show_{g.name}": len(g.items) + g.more}) + f"#group-{g.name}"
        for g in groups.values()}
    return portal.page(request, viewer, "work.html", groups=groups, labels=GROUP_LABELS,
                       action=queries.ACTION, more=more, page_size=queries.PAGE,
                       committee=committee, year=year, years=list(years),
                       my_committees=sorted(viewer.scopes()) if not viewer.secretariat
                       else sorted(portal.catalog.committees))


def shown_count(text: str | None) -> int:
    """How many items of a group to show, from the page's ``show_<group>`` parameter."""
    if text and text.isdigit() and len(text) <= 9:
        return max(queries.PAGE, min(int(text), queries.MAX_SHOWN))
    return queries.PAGE


def query_string(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
