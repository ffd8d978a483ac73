"""The outbox, as the notifications see it: messages are kept in the store
(:mod:`naptip.store.outbox`); :class:`~naptip.notifications.transport.OutboxTransport` writes
them there."""

from __future__ import annotations

from naptip.store.outbox import (
    Outbox,
    OutboxEntry,
    copy_dir,
    entries,
    find,
    message,
    outbox_of,
    parse,
    read_message,
    text_of,
    write,
)

#: the name from when the outbox was a folder: what ``OutboxTransport`` takes
outbox_dir = outbox_of

__all__ = ["Outbox", "OutboxEntry", "copy_dir", "entries", "find", "message", "outbox_dir",
           "outbox_of", "parse", "read_message", "text_of", "write"]
