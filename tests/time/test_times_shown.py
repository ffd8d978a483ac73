"""Every time a person reads is in Kuala Lumpur time and says so: the portal, `evidence
review`'s "already ... on", `evidence show`, `db status` (one helper, `shown_time`).

The instants are chosen after 16:00 UTC, when Kuala Lumpur is already on the next day, so
a time shown in UTC (or with no zone) gives itself away by its date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from naptip.base.values import EvidenceError
from naptip.occurrences.materialise import stored_provenance, sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database, open_database
from naptip.time.clock import shown_time
from tests.conftest import db_env
from tests.web_support import LEAD, OCCURRENCE, REVIEWER, people, serve

SUBMITTED = datetime(2024, 2, 13, 16, 6, tzinfo=UTC)  #: 2024-02-14 00:06 in Kuala Lumpur
REVIEWED = datetime(2024, 2, 13, 23, 30, tzinfo=UTC)  #: 2024-02-14 07:30 in Kuala Lumpur


def test_shown_time_is_kuala_lumpur_time_labelled() -> None:
    assert shown_time(SUBMITTED) == "2024-02-14 00:06 MYT"
    assert shown_time(SUBMITTED, seconds=True) == "2024-02-14 00:06:00 MYT"
    assert shown_time("2024-02-13T16:06:00+00:00") == "2024-02-14 00:06 MYT"
    assert shown_time("2024-02-13T16:06:00") == "2024-02-14 00:06 MYT"  # naive: UTC


def _submit(db: Database, catalog: Catalog, loaded: LoadedPlugins) -> int:
    return EvidenceService(db, catalog, loaded).submit(
        Submission(occurrence_id="S1-O1-i@2023", actor="alice", values={"1": "3"}),
        today=date(2024, 2, 14), now=SUBMITTED)


def test_already_reviewed_says_when_in_kuala_lumpur_time(
        synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins) -> None:
    service = EvidenceService(synced, builtin_catalog, loaded)
    evidence_id = _submit(synced, builtin_catalog, loaded)
    service.review(evidence_id, accept=True, reason=None, actor="chair", now=REVIEWED)
    with pytest.raises(EvidenceError) as info:
        service.review(evidence_id, accept=True, reason=None, actor="chair")
    assert str(info.value).endswith("already accepted by chair on 2024-02-14 07:30 MYT")


def test_evidence_show_and_db_status_show_kuala_lumpur_time(
        synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Callable[..., Result]) -> None:
    evidence_id = _submit(synced, builtin_catalog, loaded)
    EvidenceService(synced, builtin_catalog, loaded).review(
        evidence_id, accept=True, reason=None, actor="chair", now=REVIEWED)
    env = {**db_env(synced), "COLUMNS": "100"}
    shown = run("evidence", "show", str(evidence_id), env=env)
    assert shown.exit_code == 0, shown.output
    assert "2024-02-14 00:06 MYT" in shown.stdout
    assert "accepted by chair on 2024-02-14 07:30 MYT" in shown.stdout
    status = run("db", "status", env=env)
    assert status.exit_code == 0, status.output
    line = next(x for x in status.stdout.splitlines() if "last sync" in x)
    synced_at = line.split(": ", 1)[1].split(" by ")[0]
    assert synced_at.endswith(" MYT"), line
    stamp = datetime.strptime(synced_at, "%Y-%m-%d %H:%M MYT")
    with synced.reading() as session:  # the instant the store holds, in UTC
        recorded = stored_provenance(session, builtin_catalog.structure.plan.id)
    assert recorded is not None
    at = datetime.fromisoformat(recorded["at"])
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    assert stamp == (at + timedelta(hours=8)).replace(second=0, microsecond=0)  # KL: UTC+8


@pytest.fixture
def store(tmp_path: Path, builtin_catalog: Catalog) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
    sync(db, builtin_catalog, build_schedule(builtin_catalog))
    people(db)
    yield db
    db.dispose()


def test_portal_shows_submission_times_in_kuala_lumpur_time(
        store: Database, builtin_catalog: Catalog) -> None:
    evidence_id = EvidenceService(store, builtin_catalog).submit(
        Submission(occurrence_id=OCCURRENCE, actor=LEAD, values={"1": "3"},
                   breakdown={"sex": {"female": "2", "male": "1"}}),
        today=date(2024, 2, 14), now=SUBMITTED)
    with serve(store, builtin_catalog) as web, web.client(REVIEWER) as reviewer:
        for path in ("/review", f"/evidence/{evidence_id}"):
            page = reviewer.get(path)
            assert page.status_code == 200, page.text
            assert "2024-02-14 00:06 MYT" in page.text, path
            assert "UTC" not in page.text, path


def test_messages_are_dated_in_kuala_lumpur_time(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    """`outbox show` prints the Date header as written: +0800, not +0000."""
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.people.contacts import ContactDirectory

    ContactDirectory(synced).upsert([ContactInfo(
        name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead", scope="enforcement"),))],
        actor="test")
    env = {**db_env(synced), "NAPTIP_OUTBOX_DIR": str(tmp_path / "out")}
    sent = run("remind", "--as-of", "2024-01-24", "--to", LEAD, env=env)
    assert sent.exit_code == 0, sent.output
    listed = run("outbox", "list", env=env)
    message_id = listed.stdout.split()[0]
    shown = run("outbox", "show", message_id, env=env)
    date_line = next(x for x in shown.stdout.splitlines() if x.startswith("Date: "))
    assert date_line.endswith(" +0800"), date_line
