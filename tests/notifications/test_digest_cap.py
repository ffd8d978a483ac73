"""A digest lists at most 25 items (``[reminders] digest_items``), the most urgent first in
*My work*'s order, counts the others and says where to see them all (issue 19, item 4).

Over aiosmtpd, on SQLite and PostgreSQL, with the built-in plan synced: a lead with far more
than 25 items gets exactly 25 listed, one line counting the rest per section, and the
command that lists them (it exists and lists them) or the portal link (it signs in to
*My work*, which shows them); in English and Malay, text and escaped HTML. The cut items are
delivered in the ledger: the next day's digest does not send them again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import Result
from sqlalchemy import select, update

from naptip.base.config import DIGEST_ITEMS, parse_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.base.errors import NaptipError
from naptip.notifications.digest import render
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.people.contacts import ContactDirectory
from naptip.people.reminders import Item
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow, ReminderSent
from tests.conftest import db_env
from tests.notifications.test_digest_templates import items as four_items
from tests.smtp_server import Received, SmtpServer, smtp
from tests.web.test_web_work import sections
from tests.web_support import OTHER_LEAD, TODAY, serve
from tests.web_support import people as portal_people

__all__ = ["smtp"]

Run = Callable[..., Result]
LEAD = "lead@rmp.gov.my"
KETUA = "ketua@kpwkm.gov.my"
ADOPTED = date(2025, 12, 15)  #: the plan's last weeks, every year's work overdue
_ITEM = re.compile(r"^\* (\S+): ", re.M)
_MORE_EN = re.compile(r"^\+ (.+) — see them all(.*)$", re.M)
_MORE_MS = re.compile(r"^\+ (.+) — lihat semuanya(.*)$", re.M)


def listed(text: str) -> list[str]:
    """The occurrence ids a plain-text digest lists, in order."""
    return _ITEM.findall(text.replace("\r\n", "\n"))


def numbers(text: str) -> int:
    return sum(int(n) for n in re.findall(r"\d+", text))


def delivered(db: Database, recipient: str) -> set[str]:
    """The occurrences the ledger holds as sent to ``recipient``."""
    with db.reading() as session:
        return set(session.execute(select(ReminderSent.occurrence_id).where(
            ReminderSent.recipient == recipient, ReminderSent.status == "sent")).scalars())


def dues(db: Database, ids: set[str]) -> dict[str, tuple[date, str]]:
    with db.reading() as session:
        return {oid: (due, owner) for oid, due, owner in session.execute(
            select(OccurrenceRow.id, OccurrenceRow.due, OccurrenceRow.owner)
            .where(OccurrenceRow.id.in_(sorted(ids))))}


def remind(run: Run, db: Database, tmp_path: Path, smtp: SmtpServer, day: str,
           extra: str = "") -> list[Received]:
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(extra), encoding="utf-8")
    before = len(smtp.handler.messages)
    result = run("--config", str(config), "--as-of", day, "remind", env=db_env(db))
    assert result.exit_code == 0, result.output
    return smtp.handler.messages[before:]


def test_a_long_digest_lists_25_counts_the_rest_and_names_the_command_that_lists_them(
        synced: Database, run: Run, tmp_path: Path, smtp: SmtpServer) -> None:
    ContactDirectory(synced).add(ContactInfo(
        name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead", scope="enforcement"),)),
        actor="test")
    hostile = "Report <script>alert(1)</script> & <b>x</b>"
    with synced.reading() as session:  # the oldest of enforcement's progress reports
        oldest = session.execute(
            select(OccurrenceRow.id).where(OccurrenceRow.owner == "enforcement",
                                           OccurrenceRow.kind == "progress-report")
            .order_by(OccurrenceRow.due, OccurrenceRow.id).limit(1)).scalar_one()
    with synced.engine.begin() as conn:  # as if a plugin had written it
        conn.execute(update(OccurrenceRow).where(OccurrenceRow.id == oldest)
                     .values(title=hostile))

    [mail] = remind(run, synced, tmp_path, smtp, ADOPTED.isoformat())
    text, html = mail.text.replace("\r\n", "\n"), mail.html
    sent = delivered(synced, LEAD)
    assert len(sent) > 4 * DIGEST_ITEMS  # far more than a digest lists
    shown = listed(text)
    assert len(shown) == DIGEST_ITEMS == len(set(shown)) and set(shown) <= sent
    assert html.count("<li>") == DIGEST_ITEMS
    # the subject counts every item; the text says how many it lists
    assert numbers(str(mail.message["Subject"]).split("—")[0]) == len(sent)
    assert (f"It lists the 25 most urgent of your {len(sent)} items; the others are "
            "counted at the end.") in text
    # the most urgent: overdue, the oldest first (as My work shows them)
    assert "== Overdue ==" in text and "== Due soon ==" not in text
    assert shown[0] == oldest
    cut = sent - set(shown)
    when = dues(synced, sent)
    own_cut = [when[c][0] for c in cut if when[c][1] == "enforcement"]
    assert max(when[s][0] for s in shown) <= min(own_cut)
    # one line counts the rest per section and names the commands that list them
    [(counted, _where)] = _MORE_EN.findall(text)
    assert numbers(counted) == len(cut) and "more overdue" in counted
    assert "more items supporting other committees" in counted
    block = text[text.index(f"+ {counted}"):].split("\n-- ")[0]  # the line (and commands)
    commands = re.findall(r"naptip status .*--list", block)
    assert commands and len(commands) == block.count("naptip")
    found: set[str] = set()
    for command in commands:  # each really lists them, as the lead would run it
        out = run("--as-of", ADOPTED.isoformat(), *command.split()[1:], "--format", "json",
                  env=db_env(synced))
        assert out.exit_code == 0, out.output
        found |= {i["id"] for i in json.loads(out.output)["items"]}
    assert cut <= found
    # the HTML: escaped, the same line with the commands as code
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "Report &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in html
    assert f"<strong>+ {counted}</strong> — see them all: " in html
    assert all(f"<code>{c}</code>" in html for c in commands)

    # the cut items were delivered at their stage: the next day does not send them again
    with synced.reading() as session:
        rows = session.execute(select(ReminderSent.status).where(
            ReminderSent.recipient == LEAD, ReminderSent.occurrence_id.in_(sorted(cut))
        )).scalars().all()
    assert rows and set(rows) == {"sent"}
    later = remind(run, synced, tmp_path, smtp, "2025-12-16")
    assert not any(c in m.text for m in later for c in cut)
    assert delivered(synced, LEAD) == sent


def test_the_malay_digest_counts_the_rest_and_links_to_my_work_which_shows_them(
        synced: Database, builtin_catalog: Catalog, smtp: SmtpServer) -> None:
    portal_people(synced)  # OTHER_LEAD: legislative's lead, in Malay
    with serve(synced, builtin_catalog) as web:
        settings = parse_settings({"mail": {"url": smtp.url}})
        run_reminders(synced, builtin_catalog, settings, None, RunOptions(
            today=TODAY, to=OTHER_LEAD, environ={"NAPTIP_WEB_URL": web.url}))
        [mail] = smtp.handler.to(OTHER_LEAD)
        text, html = mail.text.replace("\r\n", "\n"), mail.html
        sent = delivered(synced, OTHER_LEAD)
        shown = listed(text)
        assert len(sent) > DIGEST_ITEMS and len(shown) == DIGEST_ITEMS
        assert html.count("<li>") == DIGEST_ITEMS
        assert (f"Ia menyenaraikan 25 perkara paling mendesak daripada {len(sent)} perkara "
                "anda; selebihnya dikira di hujung.") in text
        [(counted, where)] = _MORE_MS.findall(text)
        cut = sent - set(shown)
        assert numbers(counted) == len(cut) and "lagi perkara tertunggak" in counted
        assert where.startswith(" di portal (Kerja saya): ")
        link = where.split(": ", 1)[1]
        assert link.startswith(f"{web.url}/signin/") and "next=" not in link
        assert f'<a href="{link}">lihat semuanya di portal (Kerja saya)</a>' in html
        assert "naptip status" not in text  # the portal, not the command line
        with web.client() as browser:  # the link signs in to My work
            token = urlsplit(link).path.rsplit("/", 1)[1]
            signed = web.sign_in(browser, token)
            assert signed.status_code == 303 and signed.headers["location"] == "/work"
            page = browser.get("/work", params={f"show_{g}": "1000" for g in (
                "returned", "overdue", "due", "supporting")}).text
        seen = {oid for ids in sections(page).values() for oid in ids}
        assert cut <= seen


def test_a_short_digest_is_unchanged() -> None:
    for language in ("en", "ms"):
        args = dict(name="Ali", language=language, today=date(2025, 7, 28))
        plain = render(four_items(), **args)  # type: ignore[arg-type]
        capped = render(four_items(), limit=4, **args)  # type: ignore[arg-type]
        assert capped == plain
        assert "\n+ " not in capped.text and "<strong>+ " not in capped.html
        assert "most urgent" not in capped.text and "paling mendesak" not in capped.text


def test_the_cut_is_counted_per_section_in_my_works_order() -> None:
    digest = render(four_items(), name="Ali", language="en", today=date(2025, 7, 28),
                    limit=2)
    # returned first, then due soon; the meeting and the supported work are cut
    assert listed(digest.text) == ["S1-O1-i@2024", "S1-O1-iii@2025"]
    assert digest.subject.startswith("NAPTIP: 1 overdue, 1 due this week, 1 due later, "
                                     "1 meeting")  # every item, not only those listed
    assert ("\n+ 1 more meeting or event, 1 more item supporting other committees — see "
            "them all: naptip status --committee enforcement --list\n") in digest.text.replace(
                "\r\n", "\n")
    assert "It lists the 2 most urgent of your 4 items" in digest.text
    malay = render(four_items(), name="Ali", language="ms", today=date(2025, 7, 28), limit=3,
                   link="https://naptip.mapo.gov.my/signin/SECRET")
    assert ("+ 1 lagi perkara menyokong jawatankuasa lain — lihat semuanya di portal "
            "(Kerja saya): "
            "https://naptip.mapo.gov.my/signin/SECRET\n") in malay.text


def _of_every_section(n: int) -> list[Item]:
    """One listed item, then ``n`` of each section to be cut."""
    base = four_items()[2]
    made: list[Item] = [replace(base, occurrence_id="first@2025", section="overdue",
                                returned_reason="Missing figures", due=date(2025, 1, 1))]
    for i in range(n):
        made += [replace(base, occurrence_id=f"returned-{i}@2025", section="overdue",
                         returned_reason="Missing figures"),
                 replace(base, occurrence_id=f"overdue-{i}@2025", section="overdue"),
                 replace(base, occurrence_id=f"due-{i}@2025", section="due"),
                 replace(base, occurrence_id=f"meeting-{i}@2025", section="meeting",
                         kind="meeting"),
                 replace(base, occurrence_id=f"supporting-{i}@2025", section="due",
                         supporting=True)]
    return made


@pytest.mark.parametrize(("n", "language", "line"), [
    (1, "en", "+ 1 more item returned to you, 1 more overdue item, 1 more item due soon, "
              "1 more meeting or event, 1 more item supporting other committees — "),
    (2, "en", "+ 2 more items returned to you, 2 more overdue items, 2 more items due soon, "
              "2 more meetings and events, 2 more items supporting other committees — "),
    (1, "ms", "+ 1 lagi perkara dikembalikan kepada anda, 1 lagi perkara tertunggak, 1 lagi "
              "perkara yang hampir tarikh akhir, 1 lagi mesyuarat atau acara, 1 lagi perkara "
              "menyokong jawatankuasa lain — "),
    (2, "ms", "+ 2 lagi perkara dikembalikan kepada anda, 2 lagi perkara tertunggak, 2 lagi "
              "perkara yang hampir tarikh akhir, 2 lagi mesyuarat dan acara, 2 lagi perkara "
              "menyokong jawatankuasa lain — "),
])
def test_the_count_of_the_rest_is_singular_or_plural(n: int, language: str,
                                                     line: str) -> None:
    """'1 more meeting or event', '2 more meetings and events', in every section; the
    HTML says the same."""
    digest = render(_of_every_section(n), name="Ali", language=language,
                    today=date(2025, 7, 28), limit=1)
    assert listed(digest.text) == ["first@2025"]
    assert line in digest.text
    assert f"<strong>{line.removesuffix(' — ')}</strong>" in digest.html


@pytest.mark.parametrize("value", [0, -3, True, 2.5, "25", 10_001])
def test_a_bad_digest_items_is_refused_in_one_line(value: object) -> None:
    with pytest.raises(NaptipError, match=r"reminders\.digest_items: must be a whole number "
                                          r"of items, 1 to 10000 \(default 25\)"):
        parse_settings({"reminders": {"digest_items": value}})


def test_digest_items_is_configurable_and_a_bad_one_stops_the_command(
        run: Run, db: Database, tmp_path: Path) -> None:
    assert parse_settings({}).reminders.digest_items == DIGEST_ITEMS == 25
    assert parse_settings({"reminders": {"digest_items": 40}}).reminders.digest_items == 40
    config = tmp_path / "naptip.toml"
    config.write_text("[reminders]\ndigest_items = 0\n", encoding="utf-8")
    result = run("--config", str(config), "remind", "--dry-run", env=db_env(db))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "reminders.digest_items" in result.output
    assert "Traceback" not in result.output
