"""The outbox, as the notifications see it: messages are kept in the store
(:mod:`naptip.outbox`); :class:`~naptip.notifications.transport.OutboxTransport` writes
them there."""

from __future__ import annotations

from naptip.outbox import (
    OutboxEntry,
    copy_dir,
    entries,
    find,
    message,
    parse,
    read_message,
    text_of,
    write,
)

__all__ = ["OutboxEntry", "copy_dir", "entries", "find", "message", "parse", "read_message",
           "text_of", "write"]
