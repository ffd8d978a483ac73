"""How to submit the evidence of an occurrence, by its kind: one table that the calendar
entries' descriptions and the reminder digests share, so both suggest the same command
(a meeting's minutes as a file, never an indicator value it does not have)."""

from __future__ import annotations

#: the arguments of ``naptip evidence submit ID ...`` each kind of occurrence expects
EVIDENCE_ARGS: dict[str, str] = {
    "progress-report": "--value N=VALUE for each indicator (--file for documents)",
    "deliverable": "--file DOCUMENT",
    "nil-return": "--value N=VALUE, or --nil when there was no such work",
    "meeting": "--file MINUTES",
    "review": "--file MINUTES",
    "event": "--file REPORT",
    "deadline": "--value 1=yes@DATE (or --file DOCUMENT)",
}


def submit_command(occurrence_id: str, kind: str) -> str:
    """``naptip evidence submit ID ARGS`` for an occurrence of this kind."""
    args = EVIDENCE_ARGS.get(kind, "--value N=VALUE")
    return f"naptip evidence submit {occurrence_id} {args}"
