"""A real SMTP server on loopback (aiosmtpd) for the reminder tests, with faults on demand."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    def body(self, kind: str) -> str:
        part = self.message.get_body(preferencelist=(kind,))
        assert part is not None, f"no {kind} part"
        return str(part.get_content())

    @property
    def text(self) -> str:
        return self.body("plain")

    @property
    def html(self) -> str:
        return self.body("html")


@dataclass
class Handler:
    """Records every message; refuses chosen recipients with a chosen reply; can stall."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  #: address -> "550 5.1.1 ..."
    stall_after: int | None = None  #: after this many messages, hold every DATA reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(Received(list(envelope.rcpt_tos), bytes(envelope.content)))
        while self.stall_after is not None and len(self.messages) > self.stall_after:
            await asyncio.sleep(0.05)  # held until the test sets stall_after = None
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: configuration that lifts the digest's cap of 25 listed items (``[reminders]
#: digest_items``), for the tests that follow one item through a digest of a whole year's
#: work: the cap itself is tested in tests/notifications/test_digest_cap.py
UNCAPPED = "[reminders]\ndigest_items = 10000\n"


@dataclass
class SmtpServer:
    handler: Handler
    port: int
    controller: Controller

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=naptip@mapo.gov.my"

    def config(self, extra: str = "") -> str:
        return f'[mail]\nurl = "{self.url}"\nname = "NAPTIP Secretariat"\n{extra}'


@contextlib.contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port while the block runs."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, port, controller)
    finally:
        handler.stall_after = None  # a stalled session must not hold up the stop
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server
