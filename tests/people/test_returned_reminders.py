"""A return restarts the lead's reminders with the reviewer's reason (issue 17, section 1).

Before: the ledger keys each message once per (occurrence, stage, recipient), so evidence
returned after every stage of its occurrence went out was never reminded again: no digest
mentioned it. A return now opens a round of its own (``returned-K``, then the ladder from
the return with keys marked ``.rK``), sent through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import Result

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from tests.people.test_remind import CHAIR, LEAD, SEC, cli, ledger, people
from tests.smtp_server import UNCAPPED, SmtpServer, smtp

__all__ = ["smtp"]

OID = "S7-O2-i@2022"  # enforcement's progress report due 2023-01-31, no supporters
Run = Callable[..., Result]


def _return(db: Database, catalog: Catalog, reason: str, submitted: date,
            returned: datetime) -> None:
    service = EvidenceService(db, catalog)
    evidence = service.submit(Submission(occurrence_id=OID, actor="ACP Lim Wei",
                                         values={"1": "3"}), today=submitted)
    service.review(evidence, accept=False, reason=reason, actor=SEC,
                   now=returned)


def _mentions(smtp: SmtpServer, since: int) -> dict[str, list[str]]:
    """Who got a digest naming the occurrence since message ``since``: their texts."""
    out: dict[str, list[str]] = {}
    for m in smtp.handler.messages[since:]:
        if OID in m.text:
            for to in m.rcpt_tos:
                out.setdefault(to, []).append(m.text)
    return out


def _remind(run: Run, db: Database, tmp_path: Path, smtp: SmtpServer, day: str,
            ) -> dict[str, list[str]]:
    before = len(smtp.handler.messages)
    result = cli(run, db, tmp_path, smtp.config(UNCAPPED), "--as-of", day, "--committee",
                 "enforcement")
    assert result.exit_code == 0, result.output
    return _mentions(smtp, before)


def test_returned_after_every_stage_is_reminded_once_per_return_then_escalated(
        synced: Database, builtin_catalog: Catalog, run: Run, tmp_path: Path,
        smtp: SmtpServer) -> None:
    people(synced)
    # Every stage of the first round goes out: lead +1, chair +14, secretariat +30.
    assert set(_remind(run, synced, tmp_path, smtp, "2023-03-02")) == {LEAD, CHAIR, SEC}
    first_round = [r[1] for r in ledger(synced, OID)]
    assert first_round == ["overdue-1", "overdue-14", "overdue-30"]

    _return(synced, builtin_catalog, "Figures for Q4 are missing", date(2023, 3, 5),
            datetime(2023, 3, 10, 2, 0, tzinfo=UTC))
    got = _remind(run, synced, tmp_path, smtp, "2023-03-10")
    assert list(got) == [LEAD]  # the lead only, in their next digest
    [text] = got[LEAD]
    assert "Returned by the reviewer: Figures for Q4 are missing" in text
    assert (OID, "returned-1", LEAD, "sent") in ledger(synced, OID)
    # Once per return; the lead's first rung is what the returned item said.
    assert _remind(run, synced, tmp_path, smtp, "2023-03-11") == {}
    assert _remind(run, synced, tmp_path, smtp, "2023-03-23") == {}
    # The usual ladder resumes from the return: the chair 14 days on, then the secretariat.
    assert list(_remind(run, synced, tmp_path, smtp, "2023-03-24")) == [CHAIR]
    assert list(_remind(run, synced, tmp_path, smtp, "2023-04-09")) == [SEC]
    assert _remind(run, synced, tmp_path, smtp, "2023-04-10") == {}

    # A second return opens a second round, with its own reason.
    _return(synced, builtin_catalog, "Q4 still missing", date(2023, 4, 12),
            datetime(2023, 4, 20, 2, 0, tzinfo=UTC))
    got = _remind(run, synced, tmp_path, smtp, "2023-04-20")
    assert list(got) == [LEAD]
    assert "Returned by the reviewer: Q4 still missing" in got[LEAD][0]
    assert [r[1] for r in ledger(synced, OID) if r[2] == LEAD] == [
        "overdue-1", "returned-1", "returned-2"]
    assert {r[3] for r in ledger(synced, OID)} == {"sent"}


def test_a_return_made_after_the_day_previewed_still_reaches_the_next_digest(
        synced: Database, builtin_catalog: Catalog, run: Run, tmp_path: Path,
        smtp: SmtpServer) -> None:
    """Reviews are stamped with the real time: a run --as-of an earlier day still tells
    the lead, and escalates no one for a return it counts as made that day."""
    people(synced)
    assert set(_remind(run, synced, tmp_path, smtp, "2023-03-02")) == {LEAD, CHAIR, SEC}
    _return(synced, builtin_catalog, "Add the operations of December", date(2023, 3, 5),
            datetime.now(UTC))
    got = _remind(run, synced, tmp_path, smtp, "2023-03-06")
    assert list(got) == [LEAD]
    assert "Returned by the reviewer: Add the operations of December" in got[LEAD][0]
    assert _remind(run, synced, tmp_path, smtp, "2023-03-20") == {}


def test_naptip_run_sends_the_returned_item(
        synced: Database, builtin_catalog: Catalog, run: Run, tmp_path: Path,
        smtp: SmtpServer) -> None:
    from tests.conftest import db_env

    people(synced)
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(UNCAPPED), encoding="utf-8")
    env = {**db_env(synced), "NAPTIP_CONFIG": str(config),
           "NAPTIP_CALENDAR_DIR": str(tmp_path / "feeds")}
    assert run("run", "--as-of", "2023-03-02", env=env).exit_code == 0
    assert set(_mentions(smtp, 0)) == {LEAD, CHAIR, SEC}
    _return(synced, builtin_catalog, "Figures for Q4 are missing", date(2023, 3, 5),
            datetime(2023, 3, 6, 2, 0, tzinfo=UTC))
    before = len(smtp.handler.messages)
    day = run("run", "--as-of", "2023-03-06", env=env)
    assert day.exit_code == 0, day.output
    got = _mentions(smtp, before)
    assert list(got) == [LEAD]
    assert "Returned by the reviewer: Figures for Q4 are missing" in got[LEAD][0]
    before = len(smtp.handler.messages)
    assert run("run", "--as-of", "2023-03-07", env=env).exit_code == 0
    assert _mentions(smtp, before) == {}
