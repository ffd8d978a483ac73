"""Digests point to the portal: over aiosmtpd, each item links to its page through the
digest's single-use sign-in link, in the order of *My work*; the links work over HTTP
(SQLite and PostgreSQL); without a portal address, the CLI line as before."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from naptip.base.config import parse_settings
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from tests.smtp_server import SmtpServer, smtp
from tests.web.test_web_work import sections
from tests.web_support import LEAD, OCCURRENCE, OTHER_LEAD, REVIEWER, TODAY, people, serve

__all__ = ["smtp"]
_OPEN = re.compile(r"^\* (\S+): .*?\n(?:  .*\n)*?  Open: (\S+)$", re.M)


def items_and_links(text: str) -> list[tuple[str, str]]:
    """(occurrence id, its link) of every item of a plain-text digest, in order."""
    return _OPEN.findall(text.replace("\r\n", "\n"))


def test_every_item_links_to_its_page_in_my_works_order(
        synced: Database, builtin_catalog: Catalog, smtp: SmtpServer) -> None:
    people(synced)
    service = EvidenceService(synced, builtin_catalog)
    service.submit(Submission(occurrence_id=OCCURRENCE, actor=LEAD, values={"1": "3"}),
                   today=TODAY)
    service.review(1, accept=False, reason="The operation's report is missing.",
                   actor=REVIEWER)
    with serve(synced, builtin_catalog) as web:
        settings = parse_settings({"mail": {"url": smtp.url}})
        run_reminders(synced, builtin_catalog, settings, None, RunOptions(
            today=TODAY, since=TODAY.replace(month=1, day=1), to=LEAD,
            environ={"NAPTIP_WEB_URL": web.url}))
        [mail] = smtp.handler.to(LEAD)
        found = items_and_links(mail.text)
        ids = [oid for oid, _ in found]
        assert len(ids) >= 3 and ids[0] == OCCURRENCE  # returned first
        assert "naptip evidence submit" not in mail.text
        # every link is the digest's one sign-in secret, opening the item's own page
        secrets = {urlsplit(link).path for _, link in found}
        assert len(secrets) == 1 and secrets.pop().startswith("/signin/")
        for oid, link in found:
            assert parse_qs(urlsplit(link).query)["next"] == [f"/occurrence/{oid}"]
        # the HTML part links the same pages in the same order
        hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">Open in the portal',
                                                      mail.html)]
        assert hrefs == [link for _, link in found]
        with web.client() as lead:
            first = lead.get(found[0][1])  # the sign-in page, its button, then the page
            token = urlsplit(found[0][1]).path.rsplit("/", 1)[1]
            signed = lead.post("/signin", data={
                "token": token, "next": f"/occurrence/{OCCURRENCE}",
                "csrf": first.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]})
            assert signed.status_code == 303
            assert signed.headers["location"] == f"/occurrence/{OCCURRENCE}"
            page = lead.get(signed.headers["location"]).text
            assert "The operation&#39;s report is missing." in page
            # the next item's link, same (now used) secret: straight to its page
            second = lead.get(found[1][1])
            assert second.status_code == 303
            assert second.headers["location"] == f"/occurrence/{found[1][0]}"
            assert lead.get(second.headers["location"]).status_code == 200
            # the digest's order is My work's: returned, overdue (oldest first), due
            work = sections(lead.get("/work", params={
                "show_overdue": "1000", "show_due": "1000"}).text)
        mine = work["returned"] + work["overdue"] + work["due"]
        own = [i for i in ids if i in mine]
        assert own == sorted(own, key=mine.index) and len(own) >= 3
        supporting = [i for i in ids if i not in mine]
        assert ids == own + supporting  # supported work last, as in My work
        # someone else's browser holding a used link gets the sign-in page, not the item
        with web.client(OTHER_LEAD) as other:
            stranger = other.get(found[1][1])
            assert stranger.status_code == 200 and 'id="signin"' in stranger.text


def test_an_offsite_next_is_ignored(synced: Database, builtin_catalog: Catalog) -> None:
    people(synced)
    with serve(synced, builtin_catalog) as web, web.client() as browser:
        token = web.link(LEAD).rsplit("/", 1)[1]
        for bad in ("https://evil.example/x", "//evil.example/x", "/signin/abc", "/\\evil"):
            page = browser.get(f"/signin/{token}", params={"next": bad}).text
            assert 'name="next"' not in page
        page = browser.get(f"/signin/{token}").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        done = browser.post("/signin", data={"token": token, "csrf": csrf,
                                             "next": "https://evil.example/x"})
        assert done.status_code == 303 and done.headers["location"] == "/work"


def test_without_a_portal_address_items_say_the_cli_line(
        synced: Database, builtin_catalog: Catalog, smtp: SmtpServer) -> None:
    people(synced)
    settings = parse_settings({"mail": {"url": smtp.url}})
    run_reminders(synced, builtin_catalog, settings, None, RunOptions(
        today=TODAY, since=TODAY.replace(month=1, day=1), to=LEAD, environ={}))
    [mail] = smtp.handler.to(LEAD)
    assert "  Submit: naptip evidence submit " in mail.text
    assert "Open: " not in mail.text and "/signin/" not in mail.text


def test_a_dry_run_shows_the_links_without_issuing_any(
        synced: Database, builtin_catalog: Catalog) -> None:
    from sqlalchemy import func, select

    from naptip.store.orm import WebToken

    people(synced)
    result = run_reminders(synced, builtin_catalog, parse_settings({}), None, RunOptions(
        today=TODAY, to=LEAD, dry_run=True,
        environ={"NAPTIP_WEB_URL": "https://naptip.mapo.gov.my"}))
    [preview] = [o.digest for o in result.outcomes if o.digest is not None]
    assert items_and_links(preview.text)
    assert ("  Open: https://naptip.mapo.gov.my/signin/PERSONAL-LINK?next=%2Foccurrence%2F"
            in preview.text)
    with synced.reading() as session:
        assert session.execute(select(func.count()).select_from(WebToken)).scalar() == 0


def test_a_malay_digest_says_open_in_malay(synced: Database, builtin_catalog: Catalog,
                                           smtp: SmtpServer) -> None:
    people(synced)
    settings = parse_settings({"mail": {"url": smtp.url}})
    run_reminders(synced, builtin_catalog, settings, None, RunOptions(
        today=TODAY, since=TODAY.replace(month=1, day=1), to=OTHER_LEAD,
        environ={"NAPTIP_WEB_URL": "https://naptip.mapo.gov.my"}))
    [mail] = smtp.handler.to(OTHER_LEAD)
    assert "  Buka: https://naptip.mapo.gov.my/signin/" in mail.text
    assert ">Buka di portal</a>" in mail.html and "Hantar: naptip" not in mail.text
