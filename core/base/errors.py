"""Errors that reach the user as one clear line."""

from __future__ import annotations

from dataclasses import dataclass


class NaptipError(Exception):
    """A problem the user can fix; its message is shown as one line, without a traceback."""


class DataFileError(NaptipError):
    """A plugin data file is malformed: the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found while loading or validating plugins, attributed to its plugin."""

    plugin: str
    message: str
    package: str | None = None
    subject: str | None = None
    #: where it is written when not in a plugin (``configuration FILE [KEY]``)
    source: str | None = None
    #: something broke (a plugin that failed to load or raised, a configured change that
    #: was refused): what it would have given is missing, not removed on purpose. A sync
    #: never withdraws occurrences while such a problem is present (naptip.occurrences.materialise).
    broken: bool = False

    def __str__(self) -> str:
        who = self.source or (
            f"plugin {self.plugin!r}" + (f" ({self.package})" if self.package else ""))
        what = f"{self.subject}: " if self.subject else ""
        return f"{who}: {what}{self.message}"
