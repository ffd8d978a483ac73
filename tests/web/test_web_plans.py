"""One portal serves every plan the store holds (issue 19): with NAPTIP 3.0 closed and
4.0 running on 2026-12-07 and a 3.0 item re-opened, the 3.0 digest's link opens the item,
its lead sees both plans' work, submits evidence for it through the portal and the
secretariat reviews it; a lead of another committee can neither see nor submit it; the
per-plan pages take ``?plan=``; a portal of one plan (``--plan``) serves that plan only.
Over the real portal (uvicorn) and aiosmtpd, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from naptip.base.config import parse_settings
from naptip.base.errors import NaptipError
from naptip.plan.catalog import Catalog
from naptip.plan.plans import ENV, PlanRegistry, load_plans, plan_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow
from tests.conftest import db_env
from tests.plan.test_successor import CONTINUES, _make
from tests.smtp_server import SmtpServer, smtp
from tests.web_support import Served, form_csrf, serve
from tests.work.test_fresh_install import LEADS, SECRETARIAT, directory

__all__ = ["smtp"]

TODAY = date(2026, 12, 7)
REOPENED = "S20-O2-v@2023"


@pytest.fixture(scope="module")
def successor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("plans") / "naptip-4.0", CONTINUES)


@pytest.fixture(scope="module")
def plans(successor: Path) -> tuple[LoadedPlugins, PlanRegistry]:
    loaded = build_plugin_manager()
    return loaded, load_plans(loaded, parse_settings({}), environ={ENV: str(successor)})


def naptip(run: object, env: dict[str, str], day: date, *args: str) -> str:
    with mock.patch("naptip.time.clock.real_today", return_value=day):
        result = run("--as-of", day.isoformat(), *args, env=env)  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture
def web(run: object, db: Database, successor: Path, smtp: SmtpServer, tmp_path: Path,
        plans: tuple[LoadedPlugins, PlanRegistry]) -> Iterator[tuple[Served, str]]:
    """The portal of every plan, with 3.0's item re-opened and today's run done (its
    digests carry the portal's links). Yields the portal and the re-opened item's owner."""
    loaded, registry = plans
    catalogs: dict[str, Catalog] = {}

    def catalog_of(plan_id: str) -> Catalog:
        if plan_id not in catalogs:
            catalogs[plan_id] = plan_catalog(loaded, registry, plan_id)
        return catalogs[plan_id]

    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    with serve(db, catalog_of("naptip-4.0"), today=TODAY, registry=registry,
               catalog_of=catalog_of) as served:
        env = {**db_env(db), "NAPTIP_PLAN_PACKAGES": str(successor),
               "NAPTIP_CONFIG": str(config), "NAPTIP_USER": "secretariat",
               "NAPTIP_WEB_URL": served.url}
        naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")
        naptip(run, env, date(2026, 12, 1), "--plan", "naptip-3.0", "plan", "reopen",
               REOPENED, "--due", "2026-12-10", "--reason", "the auditors asked for it")
        naptip(run, env, TODAY, "run")
        with db.reading() as session:
            owner = session.execute(select(OccurrenceRow.owner).where(
                OccurrenceRow.id == REOPENED)).scalar_one()
        yield served, owner


def digest_link(smtp: SmtpServer, email: str, url: str) -> str:
    """The link to the re-opened item in the lead's NAPTIP 3.0 digest."""
    [mail] = [m for m in smtp.handler.to(email)
              if "This is your NAPTIP 3.0 reminder" in m.text and REOPENED in m.text]
    links = re.findall(rf"{re.escape(url)}/signin/\S+", mail.text)
    [link] = [str(k) for k in links if REOPENED in unquote(k)]
    return link


def test_a_closed_plans_reopened_item_from_digest_to_review(
        web: tuple[Served, str], smtp: SmtpServer, db: Database) -> None:
    served, owner = web
    lead = LEADS[owner]
    link = digest_link(smtp, lead, served.url)
    with served.client() as browser:
        page = browser.get(link.removeprefix(served.url))
        assert page.status_code == 200
        token = link.removeprefix(served.url + "/signin/").split("?")[0]
        signed = browser.post("/signin", data={
            "token": token, "csrf": form_csrf(page.text),
            "next": f"/occurrence/{REOPENED}"})
        assert signed.status_code == 303
        assert unquote(signed.headers["location"]) == f"/occurrence/{REOPENED}"
        item = browser.get(f"/occurrence/{REOPENED}")
        assert item.status_code == 200, item.text
        assert "NAPTIP 3.0 evidence portal" in item.text  # the occurrence's plan's name
        assert 'id="plan-closed"' in item.text and "closed since 2026-01-01" in item.text

        # My work: 4.0's work first, then 3.0's with its heading and closed banner
        work = browser.get("/work").text
        four, three = work.index('id="plan-naptip-4.0"'), work.index('id="plan-naptip-3.0"')
        assert four < three
        assert "Work of NAPTIP 3.0" in work and "Work of " in work[four:three]
        section = work[three:]
        assert "NAPTIP 3.0 is closed since 2026-01-01" in section
        assert f'href="/occurrence/{REOPENED}"' in section
        assert "due on 2026-12-10" in section  # the new deadline it was re-opened with
        assert 'id="group-naptip-3.0-done"' not in section  # only what is still reminded
        assert f'href="/occurrence/{REOPENED}"' not in work[:three]

        # the evidence form is the 3.0 catalog's; a submission goes through
        fields = set(re.findall(r'name="([a-z_0-9]+)"', item.text)) - {"csrf"}
        data = {"csrf": form_csrf(item.text.split('id="evidence-form"')[-1]
                                  if 'id="evidence-form"' in item.text else item.text)}
        data.update(filled(fields))
        sent = browser.post(f"/occurrence/{REOPENED}/evidence", data=data, files=[
            ("files", ("audit.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))])
        assert sent.status_code == 303, sent.text
    with db.reading() as session:
        evidence = session.execute(select(Evidence).where(
            Evidence.occurrence_id == REOPENED)).scalars().one()
        assert evidence.status == "submitted"

    with served.client(SECRETARIAT) as secretariat:
        queue = secretariat.get("/review").text
        assert f'href="/evidence/{evidence.id}"' in queue
        shown = secretariat.get(f"/evidence/{evidence.id}")
        assert shown.status_code == 200 and "NAPTIP 3.0 evidence portal" in shown.text
        csrf = served.csrf(secretariat, f"/evidence/{evidence.id}")
        decided = secretariat.post(f"/evidence/{evidence.id}/review",
                                   data={"csrf": csrf, "decision": "accept"})
        assert decided.status_code == 303, decided.text
    with db.reading() as session:
        row = session.get(OccurrenceRow, REOPENED)
        assert row is not None and row.progress == "accepted"


def filled(fields: set[str]) -> dict[str, str]:
    """Values for the evidence form's fields (counts, a note, a link)."""
    out: dict[str, str] = {}
    for name in fields:
        if name.startswith(("value_", "sex_", "age_", "nationality_")):
            out[name] = "1" if name.startswith("value_") else ""
        elif name == "note":
            out[name] = "Audit follow-up, December"
        elif name == "links":
            out[name] = "https://example.gov.my/audit"
        elif name == "done_on":
            out[name] = "2026-12-04"
    return out


def test_another_committees_lead_can_neither_see_nor_submit_it(
        web: tuple[Served, str]) -> None:
    served, owner = web
    other = next(e for c, e in LEADS.items() if c != owner and c != "nso-mapo")
    with served.client(other) as lead:
        assert lead.get(f"/occurrence/{REOPENED}").status_code == 404
        csrf = served.csrf(lead, "/work")
        refused = lead.post(f"/occurrence/{REOPENED}/evidence",
                            data={"csrf": csrf, "note": "not mine"},
                            files=[("files", ("x.pdf", b"%PDF-1.4\n%%EOF\n",
                                              "application/pdf"))])
        assert refused.status_code == 404
        assert REOPENED not in lead.get("/work").text
    with served.client() as nobody:  # signed out: nothing of either plan
        assert nobody.get(f"/occurrence/{REOPENED}").status_code == 401
    with served.portal.db.reading() as session:
        assert session.execute(select(Evidence).where(
            Evidence.occurrence_id == REOPENED)).first() is None


def test_per_plan_pages_take_the_plan_from_the_url_and_work_is_in_malay(
        web: tuple[Served, str]) -> None:
    served, owner = web
    with served.client(LEADS[owner]) as lead:
        own = lead.get(f"/committee/{owner}")
        assert own.status_code == 200 and "NAPTIP 4.0 evidence portal" in own.text
        old = lead.get(f"/committee/{owner}", params={"plan": "naptip-3.0"})
        assert old.status_code == 200 and "NAPTIP 3.0 evidence portal" in old.text
        assert 'id="plan-closed"' in old.text and 'id="plan-closed"' not in own.text
        assert "2023" in old.text and ">2023<" not in own.text  # 3.0's years, not 4.0's
        for page in (f"/committee/{owner}", "/calendars"):
            missing = lead.get(page, params={"plan": "naptip-9.9"})
            assert missing.status_code == 404
            assert "This portal serves no such plan." in missing.text
            assert "naptip-3.0, naptip-4.0" in missing.text or (
                "naptip-4.0, naptip-3.0" in missing.text)
        assert lead.get("/calendars", params={"plan": "naptip-3.0"}).status_code == 200
        lead.cookies.set("naptip_lang", "ms")
        malay = lead.get("/work").text
        assert "Kerja NAPTIP 3.0" in malay and "Kerja NAPTIP 4.0" in malay
        assert "NAPTIP 3.0 ditutup sejak 2026-01-01" in malay


def test_a_portal_of_one_plan_serves_that_plan_only(
        web: tuple[Served, str], plans: tuple[LoadedPlugins, PlanRegistry]) -> None:
    served, owner = web
    loaded, registry = plans
    four = plan_catalog(loaded, registry, "naptip-4.0")
    with serve(served.portal.db, four, today=TODAY) as one, one.client(LEADS[owner]) as lead:
        assert lead.get(f"/occurrence/{REOPENED}").status_code == 404
        work = lead.get("/work").text
        assert REOPENED not in work and "Work of" not in work
        assert lead.get(f"/committee/{owner}",
                        params={"plan": "naptip-3.0"}).status_code == 404


def test_a_plan_whose_package_does_not_load_leaves_the_others_served(
        web: tuple[Served, str], plans: tuple[LoadedPlugins, PlanRegistry]) -> None:
    served, owner = web
    loaded, registry = plans
    four = plan_catalog(loaded, registry, "naptip-4.0")

    def catalog_of(plan_id: str) -> Catalog:
        raise NaptipError(f"plan package {plan_id}: plan.toml: broken")

    with serve(served.portal.db, four, today=TODAY, registry=registry,
               catalog_of=catalog_of) as broken, broken.client(LEADS[owner]) as lead:
        assert lead.get(f"/occurrence/{REOPENED}").status_code == 404
        work = lead.get("/work")
        assert work.status_code == 200 and REOPENED not in work.text
        missing = lead.get(f"/committee/{owner}", params={"plan": "naptip-3.0"})
        assert missing.status_code == 404 and "no such plan" in missing.text


def test_the_calendar_page_offers_the_feeds_that_span_plans(
        db: Database, plans: tuple[LoadedPlugins, PlanRegistry]) -> None:
    """Whatever plan the portal shows, the committee's and the whole plan's links are the
    feeds subscribed to since 2021, which carry on into the next plan, never a plan
    package's own one-plan files."""
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.web.calendar_links import calendar_links

    loaded, registry = plans
    lead = ContactInfo(name="ACP Lim", email="lim@rmp.gov.my",
                       roles=(Role(role="lead", scope="enforcement"),))
    for plan_id in ("naptip-3.0", "naptip-4.0"):
        links = calendar_links(lead, db, plan_catalog(loaded, registry, plan_id),
                               "https://feeds.example/")
        assert [link.url for link in links[1:]] == [
            "https://feeds.example/committee-enforcement.ics",
            "https://feeds.example/plan.ics"]
        assert links[-1].label == "NAPTIP (every plan)"
