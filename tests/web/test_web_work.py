"""*My work* as a lead's to-do list, over real HTTP on SQLite and PostgreSQL: what needs
the lead's action first (returned, overdue oldest first, due soon), then what waits on
others; counts at the top; every group complete through "show more"; the other
committees' work apart."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from naptip.base.contact_types import ContactInfo, Role
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow
from naptip.web.access import Viewer
from naptip.web.queries import GROUPS, my_work
from tests.web_support import LEAD, OCCURRENCE, REVIEWER, TODAY, people, serve

OWN = "enforcement"
_ID = re.compile(r'<a href="/occurrence/([^"]+)" class="id">')
_SECTION = re.compile(r'<section id="group-([a-z]+)">(.*?)</section>', re.S)


def sections(page: str) -> dict[str, list[str]]:
    """The occurrence ids each group shows, in the page's order of groups."""
    return {name: _ID.findall(body) for name, body in _SECTION.findall(page)}


def count(page: str, group: str) -> int:
    found = re.search(rf'<li id="count-{group}">(.*?)</li>', page, re.S)
    assert found, group
    return int(re.findall(r"\d+", re.sub(r"<[^>]+>", "", found.group(1)))[-1])


def more_link(page: str, group: str) -> str | None:
    found = re.search(rf'id="more-{group}" href="([^"]+)"', page)
    return html.unescape(found.group(1)).split("#")[0] if found else None


def whole_group(client: httpx.Client, path: str, group: str) -> tuple[list[str], int]:
    """Every id of a group, following its "show more" links; and how many pages it took."""
    pages, url = 0, path
    while True:
        page = client.get(url)
        assert page.status_code == 200
        pages += 1
        link = more_link(page.text, group)
        if link is None:
            return sections(page.text)[group], pages
        assert re.search(rf'id="more-{group}" href="[^"]+">Show \d+ more<', page.text)
        url = link


def seed(db: Database, catalog: Catalog) -> dict[str, str]:
    """One returned, one awaiting review and one accepted item of the enforcement lead's."""
    people(db)
    service = EvidenceService(db, catalog)
    with db.reading() as session:
        rows = session.execute(select(OccurrenceRow).where(
            OccurrenceRow.owner == OWN, OccurrenceRow.due < TODAY).order_by(OccurrenceRow.due)
        ).scalars().all()
    countable = [r.id for r in rows if r.id != OCCURRENCE and r.activity_id
                 and [i.kind for i in service.form(r)] == ["count"]]
    picked = {"returned": OCCURRENCE, "awaiting": countable[0], "done": countable[1]}
    for oid in picked.values():
        service.submit(Submission(occurrence_id=oid, actor=LEAD, values={"1": "1"}),
                       today=TODAY)
    service.review(1, accept=False, reason="Please add the operation's report.",
                   actor=REVIEWER)
    service.review(3, accept=True, reason=None, actor=REVIEWER)
    return picked


def expected(db: Database) -> dict[str, list[str]]:
    """The groups as plain Python over every row (not the portal's queries)."""
    with db.reading() as session:
        rows = [r for r in session.execute(select(OccurrenceRow)).scalars()
                if not r.withdrawn]
    own = sorted((r for r in rows if r.owner == OWN), key=lambda r: (r.due, r.id))
    soon = TODAY + timedelta(days=30)
    return {
        "returned": [r.id for r in own if r.progress == "returned"],
        "overdue": [r.id for r in own if r.progress == "open" and r.due < TODAY],
        "due": [r.id for r in own if r.progress == "open" and TODAY <= r.due <= soon],
        "awaiting": [r.id for r in own if r.progress == "submitted"],
        "done": [r.id for r in reversed(own) if r.progress == "accepted"],
    }


def test_my_work_leads_with_the_leads_next_step_counted_and_complete(
        synced: Database, builtin_catalog: Catalog) -> None:
    picked = seed(synced, builtin_catalog)
    want = expected(synced)
    assert len(want["overdue"]) > 50  # enough to need two "show more"
    with serve(synced, builtin_catalog) as web, web.client(LEAD) as lead:
        page = lead.get("/work").text
        shown = sections(page)
        assert list(shown) == ["returned", "overdue", "due", "awaiting", "done",
                               "supporting"]
        for group, ids in want.items():
            assert count(page, group) == len(ids), group
            assert shown[group] == ids[:25], group
        assert shown["returned"] == [picked["returned"]]
        assert "Please add the operation&#39;s report." in page
        assert shown["awaiting"] == [picked["awaiting"]] and shown["done"] == [picked["done"]]
        # overdue: the oldest first, with its days overdue
        first = want["overdue"][0]
        with synced.reading() as session:
            row = session.get(OccurrenceRow, first)
            assert row is not None
            days = (TODAY - row.due).days
        assert f"{days} days overdue" in page.split(f'/occurrence/{first}"', 1)[1][:800]
        # the other committees' work is apart, never among the lead's own
        supported = shown["supporting"]
        assert "S5-O2-ii@2023" in whole_group(lead, "/work", "supporting")[0]
        assert supported and count(page, "supporting") >= len(supported)
        with synced.reading() as session:
            owners = {r.id: r.owner for r in session.execute(select(OccurrenceRow)).scalars()}
        assert all(owners[i] != OWN for i in supported)
        assert all(owners[i] == OWN for g in want for i in shown[g])
        # every group complete through paging, 25 at a time, never cut
        everything, pages = whole_group(lead, "/work", "overdue")
        assert everything == want["overdue"]
        assert pages == -(-len(want["overdue"]) // 25)
        assert "Showing 25 of" in page and "Show 25 more" in page
        # the year filter and paging keep each other
        year = lead.get("/work", params={"year": "2023", "show_overdue": "50"}).text
        with synced.reading() as session:
            in_2023 = [i for i in want["overdue"]
                       if (r := session.get(OccurrenceRow, i)) and r.due.year == 2023]
        assert count(year, "overdue") == len(in_2023)
        assert sections(year)["overdue"] == in_2023[:50]
        link = more_link(year, "overdue")
        assert (link is None) == (len(in_2023) <= 50)
        if link is not None:
            assert "year=2023" in link and "show_overdue=75" in link


def test_a_malay_lead_reads_the_groups_and_paging_in_malay(
        synced: Database, builtin_catalog: Catalog) -> None:
    people(synced)
    with serve(synced, builtin_catalog) as web, web.client("lead@agc.gov.my") as malay:
        page = malay.get("/work").text
        assert "Menyokong jawatankuasa lain" in page and "hari tertunggak" in page
        assert "Tunjuk 25 lagi" in page


def test_a_lead_of_two_committees_gets_both_merged_in_order_from_one_statement(
        synced: Database, builtin_catalog: Catalog) -> None:
    """Each committee's rows come from its own range of the index and are merged: the
    same groups, order and totals as plain Python over every row, paging included."""
    both = ("enforcement", "media")
    with synced.reading() as session:
        ids = session.execute(select(OccurrenceRow.id).where(
            OccurrenceRow.owner.in_(both), OccurrenceRow.due < TODAY)
            .order_by(OccurrenceRow.id)).scalars().all()
    picked = {"accepted": ids[::3], "returned": ids[1::7], "submitted": ids[2::11]}
    with synced.engine.begin() as conn:
        for progress, chosen in picked.items():
            conn.execute(update(OccurrenceRow).where(OccurrenceRow.id.in_(chosen))
                         .values(progress=progress))
    viewer = Viewer(ContactInfo(name="Two hats", email="two@rmp.gov.my", roles=(
        Role(role="lead", scope=both[0]), Role(role="lead", scope=both[1]))))
    with synced.reading() as session:
        rows = [r for r in session.execute(select(OccurrenceRow)).scalars()
                if not r.withdrawn and r.owner in both]
    own = sorted(rows, key=lambda r: (r.due, r.id))
    soon = TODAY + timedelta(days=30)
    want = {
        "returned": [r.id for r in own if r.progress == "returned"],
        "overdue": [r.id for r in own if r.progress == "open" and r.due < TODAY],
        "due": [r.id for r in own if r.progress == "open" and TODAY <= r.due <= soon],
        "awaiting": [r.id for r in own if r.progress == "submitted"],
        "done": [r.id for r in reversed(own) if r.progress == "accepted"],
    }
    assert all(len(want[g]) > 25 for g in ("returned", "overdue", "done"))
    assert {r.owner for r in own if r.id in want["overdue"][:25]} == set(both)
    for shown in ({}, {"overdue": 60, "done": 30}):
        with synced.reading() as session:
            groups = my_work(session, viewer, builtin_catalog, TODAY, shown=shown)
        assert list(groups) == list(GROUPS)
        for name, ids_wanted in want.items():
            assert groups[name].total == len(ids_wanted), name
            assert [i.id for i in groups[name].items] == ids_wanted[:shown.get(name, 25)], name
        assert all(i.owner not in both for i in groups["supporting"].items)
        assert all(i.reason is None for g in groups.values() for i in g.items)


def test_my_work_carries_the_latest_reason_of_each_returned_item(
        synced: Database, builtin_catalog: Catalog) -> None:
    """Returned twice: the second reason shows, from the same statement as the groups."""
    picked = seed(synced, builtin_catalog)
    service = EvidenceService(synced, builtin_catalog)
    service.submit(Submission(occurrence_id=picked["returned"], actor=LEAD,
                              values={"1": "2"}), today=TODAY)
    service.review(4, accept=False, reason="Still no report.", actor=REVIEWER)
    lead = Viewer(ContactInfo(name="ACP Lim Wei", email=LEAD,
                              roles=(Role(role="lead", scope=OWN),)))
    with synced.reading() as session:
        groups = my_work(session, lead, builtin_catalog, TODAY)
    assert [(i.id, i.reason) for i in groups["returned"].items] == [
        (picked["returned"], "Still no report.")]
    assert all(i.reason is None for g in groups.values() if g.name != "returned"
               for i in g.items)


def test_every_page_says_in_one_line_that_the_plan_is_closed_and_since_when(
        synced: Database, builtin_catalog: Catalog) -> None:
    from datetime import date

    people(synced)
    with serve(synced, builtin_catalog) as web, web.client(LEAD) as lead:
        assert 'id="plan-closed"' not in lead.get("/work").text  # 2024: running
    with serve(synced, builtin_catalog, today=date(2026, 12, 7)) as web, \
            web.client(LEAD) as lead:
        for path in ("/work", "/calendars", f"/occurrence/{OCCURRENCE}"):
            page = lead.get(path)
            assert page.status_code == 200, path
            line = re.search(r'<p role="status" id="plan-closed">(.*?)</p>', page.text)
            assert line, path
            assert line.group(1) == ("NAPTIP 3.0 is closed since 2026-01-01: late evidence "
                                     "can still be submitted and reviewed."), path
        lead.get("/lang?to=ms&next=/work")
        malay = lead.get("/work").text
        assert ("NAPTIP 3.0 ditutup sejak 2026-01-01: bukti lewat masih boleh dihantar dan "
                "disemak.") in malay
