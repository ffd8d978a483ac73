"""The calendar feeds a contact can subscribe to, from ``naptip calendar publish``.

Feeds are files in the folder ``naptip calendar publish --to DIR`` writes (the daily run
writes it too); a web server serves that folder at ``NAPTIP_FEEDS_URL``. A contact's own
feed is named by a private token (``naptip calendar links`` lists them); committees' and
the whole plan's by name. Without ``NAPTIP_FEEDS_URL`` the page says the feeds are not
served yet rather than guessing an address.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from naptip.base.contact_types import ContactInfo
from naptip.calendars.publish import committee_scope, contact_scope, link_token, plan_scope
from naptip.plan.catalog import Catalog
from naptip.store.db import Database

FEEDS_ENV = "NAPTIP_FEEDS_URL"


@dataclass(frozen=True)
class CalendarLink:
    label: str
    url: str | None  #: None: the feeds are not served at a known address
    label_ms: str | None = None  #: a committee's Malay name, for a Malay page


def feeds_url(environ: Mapping[str, str] | None = None) -> str | None:
    """Where the published folder is served, from ``NAPTIP_FEEDS_URL``."""
    value = (os.environ if environ is None else environ).get(FEEDS_ENV, "").strip()
    return value.rstrip("/") + "/" if value else None


def calendar_links(contact: ContactInfo, db: Database, catalog: Catalog,
                   base: str | None) -> list[CalendarLink]:
    """The feeds for this contact: their own, each of their committees', the whole plan's.
    The committees' and the whole plan's are the feeds that span plans (``plan.ics``,
    ``committee-ID.ics``): whatever plan the page shows, a subscription to them carries on
    into the next plan."""
    own = contact_scope(catalog, contact)
    links = [CalendarLink(contact.name, f"{base}{link_token(db, own.key)}.ics" if base
                          else None)]
    for scope_id in dict.fromkeys(r.scope for r in contact.roles):
        if scope_id in catalog.committees:
            scope = committee_scope(catalog, scope_id, spanning=True)
            committee = catalog.committees[scope_id]
            links.append(CalendarLink(committee.name,
                                      f"{base}{scope.filename}" if base else None,
                                      label_ms=committee.name_ms))
    plan = plan_scope(catalog, spanning=True)
    links.append(CalendarLink("NAPTIP (every plan)",
                              f"{base}{plan.filename}" if base else None,
                              label_ms="NAPTIP (setiap pelan)"))
    return links
