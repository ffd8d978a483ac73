"""Alerts: a failed or crashed run tells the secretariat, through the reminders' settings.

The message goes to every active contact with the ``secretariat`` role (their e-mail, and
their extra apprise URLs), by ``[mail]`` when it is set, else into the local outbox — the
same channels as reminders. An alert whose e-mail cannot go (SMTP down: the likeliest
reason a run failed) is written to the outbox instead, and the run's record says so
(``naptip runs list``, ``naptip status``): an alert is never lost in silence. It never
raises (the run has failed already); it returns what it could not deliver.
"""

from __future__ import annotations

import contextlib
import uuid
from email.message import EmailMessage
from typing import Any

from naptip.base.errors import NaptipError
from naptip.notifications.outbox import outbox_dir
from naptip.notifications.transport import OutboxTransport, SendError, SmtpTransport, send_apprise
from naptip.people.contacts import ContactDirectory
from naptip.work import runlog

NOT_DELIVERED = runlog.ALERT_NOT_DELIVERED


def alert_failed_run(app: Any, text: str, *, run_id: str | None = None) -> list[str]:
    """Send ``text`` to the secretariat; returns the failures (empty when all went).

    What could not be delivered is noted on run ``run_id``'s record; e-mails that could
    not be sent are in the outbox."""
    problems = _alert(app, text)
    if problems and run_id is not None:
        with contextlib.suppress(Exception):  # the store may be what failed: outbox has it
            runlog.add_note(app.db, run_id, f"{NOT_DELIVERED}: {'; '.join(problems)}"[:2000])
    return problems


def _alert(app: Any, text: str) -> list[str]:
    problems: list[str] = []
    try:
        settings, db = app.settings, app.db
        people = [c for c in ContactDirectory(db).all()
                  if any(r.role == "secretariat" for r in c.roles)]
        outbox = OutboxTransport(outbox_dir(db))
        transport: SmtpTransport | OutboxTransport
        if settings.mail is not None:
            transport = SmtpTransport.from_settings(settings.mail)
            sender = transport.sender
        else:
            transport, sender = outbox, "naptip@localhost.invalid"
    except (NaptipError, OSError) as exc:
        return [str(exc)]
    subject = f"[naptip] run failed: {' '.join(text.split())}"[:200]
    try:
        for person in people:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = sender, person.email, subject
            msg["X-Naptip-Batch"] = f"alert-{uuid.uuid4().hex[:16]}"
            msg.set_content(f"{text}\n\nSee `naptip runs list` and the Prefect UI.\n")
            try:
                transport.send(msg, person.email)
            except SendError as exc:
                problems.append(f"{person.email}: {exc}" + _kept(outbox, transport, msg,
                                                                   person.email))
            for url in person.urls:
                try:
                    send_apprise(url, title=subject, body=text)
                except (SendError, NaptipError) as exc:
                    problems.append(str(exc))
    finally:
        transport.close()
    if not people:
        problems.append("no secretariat contact to alert (naptip contacts add ... "
                        "--role secretariat:nso-mapo)")
    return problems


def _kept(outbox: OutboxTransport, transport: object, msg: EmailMessage, to: str) -> str:
    """Write an alert that mail could not send into the outbox; say where it is."""
    if transport is outbox:
        return ""
    try:
        outbox.send(msg, to)
    except SendError as exc:
        return f" (and not written to the outbox: {exc})"
    return " (written to the outbox: naptip outbox list)"
