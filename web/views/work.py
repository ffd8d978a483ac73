"""My work: a contact's to-do list (returned, overdue, due soon, supported), filtered by
committee and year, each group paged; the portal's own plan first, then each other plan
whose day's work ``naptip run`` does (a closed plan while it still reminds something)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from naptip.plan.catalog import Catalog
from naptip.web import queries
from naptip.web.access import Viewer
from naptip.web.context import Portal
from naptip.web.i18n import GROUP_LABELS
from naptip.work.planruns import closing_duties


@dataclass(frozen=True)
class PlanWork:
    """One plan's section of *My work*."""

    plan_id: str
    short_title: str
    closed_since: str | None
    prefix: str  #: of the section's element ids and show parameters ("": the own plan's)
    groups: dict[str, queries.Group]
    more: dict[str, str]  #: group -> the "show more" link


async def work(portal: Portal, request: Request, viewer: Viewer) -> Response:
    committee = request.query_params.get("committee") or None
    year_text = request.query_params.get("year") or ""
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    catalogs = await run_in_threadpool(portal.plans_with_work)
    prefixes = {c.structure.plan.id: "" if i == 0 else f"{c.structure.plan.id}-"
                for i, c in enumerate(catalogs)}
    shown = {(prefix, name): shown_count(request.query_params.get(f"show_{prefix}{name}"))
             for prefix in prefixes.values() for name in queries.GROUPS}
    kept = {f"show_{prefix}{name}": n for (prefix, name), n in shown.items()
            if n != queries.PAGE}

    def load(catalog: Catalog) -> dict[str, queries.Group]:  # returned: latest reason
        prefix = prefixes[catalog.structure.plan.id]
        with portal.db.reading() as session:
            if prefix and portal.closed_since(catalog):  # only what is still reminded
                return queries.closed_plan_work(
                    session, viewer, catalog, portal.today(),
                    closing_duties([(d.id, d.flow) for d in catalog.duties.values()]),
                    committee=committee, year=year)
            return queries.my_work(session, viewer, catalog, portal.today(),
                                   committee=committee, year=year,
                                   shown={n: shown[(prefix, n)] for n in queries.GROUPS})

    sections = []
    for catalog in catalogs:
        plan_id = catalog.structure.plan.id
        prefix = prefixes[plan_id]
        groups = await run_in_threadpool(load, catalog)
        more = {g.name: "/work?" + query_string(
            committee=committee, year=year,
            **{**kept, f"show_{prefix}{g.name}": len(g.items) + g.more})
            + f"#group-{prefix}{g.name}" for g in groups.values()}
        sections.append(PlanWork(plan_id, catalog.structure.plan.short_title,
                                 portal.closed_since(catalog), prefix, groups, more))
    years = sorted({y for c in catalogs for y in range(c.structure.plan.start.year,
                                                       c.structure.plan.end.year + 1)})
    return portal.page(request, viewer, "work.html", sections=sections,
                       groups=sections[0].groups, labels=GROUP_LABELS,
                       action=queries.ACTION, page_size=queries.PAGE,
                       committee=committee, year=year, years=years,
                       my_committees=sorted(viewer.scopes()) if not viewer.secretariat
                       else sorted({c for cat in catalogs for c in cat.committees}))


def shown_count(text: str | None) -> int:
    """How many items of a group to show, from the page's ``show_<group>`` parameter."""
    if text and text.isdigit() and len(text) <= 9:
        return max(queries.PAGE, min(int(text), queries.MAX_SHOWN))
    return queries.PAGE


def query_string(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
