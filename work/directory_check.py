"""``naptip doctor``'s look at the contact directory: contacts without a role (they receive
nothing and see no work in the portal) and committees without a lead (their reminders
reach nobody). Registered under the ``naptip.doctor`` entry points."""

from __future__ import annotations

from naptip.people.contacts import ContactDirectory
from naptip.work.doctor import Checked, Setup

SHOWN = 10  #: contacts named one per line; the rest counted in one more


def check_contacts(setup: Setup) -> Checked:
    db = setup.store()
    if db is None:
        return Checked("contacts", detail="not checked: no store")
    contacts = ContactDirectory(db).all()
    warnings: list[str] = []
    roleless = [c for c in contacts if not c.roles]
    for contact in roleless[:SHOWN]:
        warnings.append(f"{contact.email} has no role: gets no reminder")
    if len(roleless) > SHOWN:
        warnings.append(f"and {len(roleless) - SHOWN} more contact(s) without a role "
                        "(naptip contacts list)")
    leads = {r.scope for c in contacts for r in c.roles if r.role == "lead"}
    for committee in setup.catalog().committees.values():
        if committee.id not in leads:
            warnings.append(f"no lead for {committee.id}: reminders reach nobody")
    return Checked("contacts", warnings=tuple(warnings),
                   detail=f"{len(contacts)} contact(s); every committee has a lead")
