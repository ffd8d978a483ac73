"""Digests carry the personal sign-in link (when the portal's address is set), in the
recipient's language; the store keeps only the link secret's hash."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from naptip.base.config import parse_settings
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import WebToken
from tests.smtp_server import SmtpServer, smtp
from tests.web.test_web_security import store
from tests.web_support import LEAD, OTHER_LEAD, TODAY

__all__ = ["smtp", "store"]
PORTAL = "https://naptip.mapo.gov.my"


def test_digest_links_are_personal_single_tokens_stored_hashed(
        store: Database, builtin_catalog: Catalog, smtp: SmtpServer) -> None:
    settings = parse_settings({"mail": {"url": smtp.url}})
    result = run_reminders(store, builtin_catalog, settings, None, RunOptions(
        today=TODAY, environ={"NAPTIP_WEB_URL": PORTAL}))
    assert {o.email for o in result.outcomes if o.status == "sent"} >= {LEAD, OTHER_LEAD}
    [english] = smtp.handler.to(LEAD)
    [malay] = smtp.handler.to(OTHER_LEAD)
    assert "Submit and follow your work in the portal" in english.text
    assert "Hantar dan ikuti kerja anda di portal" in malay.text
    secrets = [re.findall(rf"{re.escape(PORTAL)}/signin/([^\s?]+)", m.text)[0]
               for m in (english, malay)]
    assert secrets[0] != secrets[1]
    with store.reading() as session:
        tokens = session.execute(select(WebToken)).scalars().all()
    stored = {t.contact_email: t.digest for t in tokens}
    assert stored[LEAD] == hashlib.sha256(secrets[0].encode()).hexdigest()
    assert all(s not in {t.digest for t in tokens} for s in secrets)


def test_without_the_portal_address_digests_carry_no_link(
        store: Database, builtin_catalog: Catalog, smtp: SmtpServer) -> None:
    settings = parse_settings({"mail": {"url": smtp.url}})
    run_reminders(store, builtin_catalog, settings, None,
                  RunOptions(today=TODAY, to=LEAD, environ={}))
    [mail] = smtp.handler.to(LEAD)
    assert "/signin/" not in mail.text and "portal" not in mail.text
    with store.reading() as session:
        assert session.execute(select(WebToken)).first() is None
