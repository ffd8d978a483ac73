"""The reminder policy: lead times, the ladder, meetings with their host, supporting
committees, what is skipped (accepted, awaiting review) and what is not (returned), and
the plugin hooks for contacts and policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from naptip import ContactInfo, ReminderPolicy, Role, hookimpl
from naptip.base.config import ReminderSettings
from naptip.people.reminders import (
    Plan,
    all_contacts,
    latest_returns,
    plan_reminders,
    remindable_occurrences,
)
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database

LEAD = ContactInfo(name="Lead", email="lead@rmp.gov.my",
                   roles=(Role(role="lead", scope="enforcement"),))
CHAIR = ContactInfo(name="Chair", email="chair@rmp.gov.my",
                    roles=(Role(role="chair", scope="enforcement"),))
SEC = ContactInfo(name="Sec", email="sec@mapo.gov.my",
                  roles=(Role(role="secretariat", scope="nso-mapo"),))
FL = ContactInfo(name="FL lead", email="lead@mohr.gov.my",
                 roles=(Role(role="lead", scope="forced-labour"),))
CUSTOMS = ContactInfo(name="Customs", email="host@customs.gov.my",
                      roles=(Role(role="member", scope="customs"),))
EVERYONE = [LEAD, CHAIR, SEC, FL, CUSTOMS]
DEFAULTS = ReminderSettings()


def plan(db: Database, catalog: Catalog, day: date, *, contacts: list[ContactInfo] = EVERYONE,
         loaded: LoadedPlugins | None = None, policy: ReminderSettings = DEFAULTS,
         ) -> Plan:
    rows = remindable_occurrences(db)
    returns = latest_returns(db, [r.id for r in rows if r.progress == "returned"])
    return plan_reminders(rows, contacts, catalog, policy, day, loaded=loaded, returns=returns)


def stages(p: Plan, email: str, occurrence: str) -> list[tuple[str, bool]]:
    return [(i.stage, i.supporting) for d in p.deliveries if d.contact.email == email
            for i in d.items if i.occurrence_id == occurrence]


def test_lead_times_send_only_the_nearest_stage(synced: Database,
                                                builtin_catalog: Catalog) -> None:
    oid = "S20-O2-v@2023"  # enforcement, supported by forced-labour, due 2024-01-31
    assert stages(plan(synced, builtin_catalog, date(2024, 1, 1)), LEAD.email, oid) == [
        ("before-30", False)]
    assert stages(plan(synced, builtin_catalog, date(2024, 1, 26)), LEAD.email, oid) == [
        ("before-7", False)]
    late = plan(synced, builtin_catalog, date(2024, 1, 30))
    assert stages(late, LEAD.email, oid) == [("before-1", False)]
    assert stages(late, FL.email, oid) == [("before-1", True)]  # marked as supporting
    assert stages(late, CHAIR.email, oid) == [] and stages(late, SEC.email, oid) == []
    assert stages(plan(synced, builtin_catalog, date(2023, 12, 1)), LEAD.email, oid) == []


def test_meetings_at_14_and_2_days_with_the_host(synced: Database,
                                                 builtin_catalog: Catalog) -> None:
    oid = "enforcement-meeting@2024-02-13"  # hosted by Royal Malaysian Customs
    p = plan(synced, builtin_catalog, date(2024, 1, 30))
    assert stages(p, LEAD.email, oid) == [("meeting-14", False)]
    assert stages(p, CUSTOMS.email, oid) == [("meeting-14", False)]
    item = next(i for d in p.deliveries for i in d.items if i.occurrence_id == oid)
    assert item.host is not None and "Customs" in item.host
    assert stages(plan(synced, builtin_catalog, date(2024, 2, 11)), LEAD.email, oid) == [
        ("meeting-2", False)]
    # after it: its evidence (the minutes) is requested once, from the owner's lead only,
    # within 30 days of the meeting
    after = plan(synced, builtin_catalog, date(2024, 2, 14))
    assert stages(after, LEAD.email, oid) == [("evidence-request", False)]
    assert stages(after, CUSTOMS.email, oid) == []
    assert stages(plan(synced, builtin_catalog, date(2024, 3, 14)), LEAD.email, oid) == [
        ("evidence-request", False)]
    assert stages(plan(synced, builtin_catalog, date(2024, 3, 15)), LEAD.email, oid) == []


def test_accepted_and_awaiting_review_are_skipped_returned_comes_with_reason(
        synced: Database, builtin_catalog: Catalog) -> None:
    service = EvidenceService(synced, builtin_catalog)
    day = date(2024, 2, 1)
    accepted, waiting, returned = "S19-O1-viii@2023", "S20-O1-ii@2023", "S23-O1-v@2023"
    ids = {oid: service.submit(Submission(occurrence_id=oid, actor="lead",
                                          values={"1": "1"}), today=day)
           for oid in (accepted, waiting, returned)}
    service.review(ids[accepted], accept=True, reason=None, actor="reviewer")
    service.review(ids[returned], accept=False, reason="Figures for Q4 are missing",
                   actor="reviewer")
    p = plan(synced, builtin_catalog, day)
    assert stages(p, LEAD.email, accepted) == []
    assert stages(p, LEAD.email, waiting) == []
    # the return opens a round of its own: the lead hears of it in the next digest
    assert stages(p, LEAD.email, returned) == [("returned-1", False)]
    item = next(i for d in p.deliveries for i in d.items if i.occurrence_id == returned)
    assert item.returned_reason == "Figures for Q4 are missing"


def test_nobody_to_receive_is_reported_not_dropped(synced: Database,
                                                   builtin_catalog: Catalog) -> None:
    p = plan(synced, builtin_catalog, date(2024, 3, 1), contacts=[LEAD])
    assert any(line.startswith("no chair for enforcement") for line in p.unreached)
    assert any(line.startswith("no secretariat contact") for line in p.unreached)


def test_one_delivery_per_contact_and_channel(synced: Database,
                                              builtin_catalog: Catalog) -> None:
    with_url = ContactInfo(name="Lead", email=LEAD.email, roles=LEAD.roles,
                           urls=("tgram://${TG_TOKEN}/12345",))
    p = plan(synced, builtin_catalog, date(2024, 2, 1), contacts=[with_url])
    assert [d.channel for d in p.deliveries] == ["email", "tgram://${TG_TOKEN}/12345"]
    assert p.deliveries[0].items == p.deliveries[1].items
    assert len({d.key for d in p.deliveries}) == 2
    sections = [i.section for i in p.deliveries[0].items]
    assert sections == sorted(sections, key=["overdue", "due", "meeting"].index)


class AgencyPlugin:
    """Contributes a contact and a policy, as an agency's plugin would."""

    @hookimpl
    def naptip_contacts(self) -> list[ContactInfo]:
        return [ContactInfo(name="Pegawai JIM", email="pegawai@imi.gov.my", language="ms",
                            roles=(Role(role="lead", scope="enforcement"),)),
                ContactInfo(name="Bad 850101-10-1234", email="bad@imi.gov.my")]

    @hookimpl
    def naptip_reminder_policy(self, activity: str | None) -> ReminderPolicy | None:
        if activity == "S20-O2-v":
            return ReminderPolicy(lead_times=(3,), escalation=(("chair", 2),))
        if activity == "S23-O1-v":
            return ReminderPolicy(enabled=False)
        return None


def test_plugins_contribute_contacts_and_policy(
        synced: Database, loaded: LoadedPlugins,
        register_plugin: Callable[[object, str], Catalog]) -> None:
    catalog = register_plugin(AgencyPlugin(), "jim-plugin")
    contacts, problems = all_contacts([LEAD, CHAIR], loaded, set(catalog.committees))
    assert [c.email for c in contacts] == ["chair@rmp.gov.my", "lead@rmp.gov.my",
                                           "pegawai@imi.gov.my"]
    assert contacts[2].source == "jim-plugin"
    assert [p.plugin for p in problems] == ["jim-plugin"]
    assert "MyKad" in problems[0].message
    oid = "S20-O2-v@2023"
    p = plan(synced, catalog, date(2024, 1, 28), contacts=contacts, loaded=loaded)
    assert stages(p, "pegawai@imi.gov.my", oid) == [("before-3", False)]
    assert stages(plan(synced, catalog, date(2024, 1, 26), contacts=contacts, loaded=loaded),
                  LEAD.email, oid) == []  # 7 days out: this activity only wants 3
    later = plan(synced, catalog, date(2024, 2, 2), contacts=contacts, loaded=loaded)
    assert stages(later, CHAIR.email, oid) == [("overdue-2", False)]
    assert stages(later, LEAD.email, oid) == []  # its ladder has only the chair
    assert stages(later, LEAD.email, "S20-O1-ii@2023") == [("overdue-1", False)]
    assert stages(later, LEAD.email, "S23-O1-v@2023") == []  # this plugin turned it off
