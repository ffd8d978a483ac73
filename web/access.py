"""Who may see and do what in the portal, from the contact's roles.

* lead, chair, member of a committee: see its occurrences (as owner or supporter) and
  submit evidence for those it owns;
* reviewer of a committee: reviews the evidence of the occurrences it owns; a reviewer for
  the secretariat (``reviewer:nso-mapo``) and any ``secretariat`` role review all;
* secretariat: sees everything.

Nobody reviews their own submission. Anything a contact may not see is "not found" (404),
never "forbidden": ids in URLs reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from naptip.base.contact_types import ContactInfo
from naptip.base.model import SECRETARIAT_ID
from naptip.store.orm import OccurrenceRow

WORKING = ("lead", "chair", "member")


@dataclass(frozen=True)
class Viewer:
    contact: ContactInfo

    @property
    def email(self) -> str:
        return self.contact.email

    @property
    def secretariat(self) -> bool:
        return any(r.role == "secretariat" for r in self.contact.roles)

    def scopes(self, roles: tuple[str, ...] = (*WORKING, "reviewer")) -> set[str]:
        return {r.scope for r in self.contact.roles if r.role in roles}

    @property
    def reviews_all(self) -> bool:
        return self.secretariat or SECRETARIAT_ID in self.scopes(("reviewer",))

    @property
    def reviewer(self) -> bool:
        return self.reviews_all or bool(self.scopes(("reviewer",)))

    def may_see(self, row: OccurrenceRow) -> bool:
        if self.secretariat or self.reviews_all:  # who reviews everything sees it
            return True
        mine = self.scopes()
        return row.owner in mine or bool(mine & set(row.support or ()))

    def may_submit(self, row: OccurrenceRow) -> bool:
        return self.secretariat or row.owner in self.scopes(WORKING)

    def may_review(self, row: OccurrenceRow) -> bool:
        return self.reviews_all or row.owner in self.scopes(("reviewer",))

    def may_see_committee(self, committee: str) -> bool:
        return self.secretariat or self.reviews_all or committee in self.scopes()

    def may_speak_for(self, committee: str) -> bool:
        """Enter the committee's narrative for a report (its lead, chair or members)."""
        return self.secretariat or committee in self.scopes(WORKING)
