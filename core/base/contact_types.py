"""What plugins contribute for reminders: contacts and reminder policies (public types)."""

from __future__ import annotations

from dataclasses import dataclass

from naptip.base.lookup import suggestion

ROLES = ("lead", "chair", "member", "secretariat", "reviewer")
LANGUAGES = ("en", "ms")


@dataclass(frozen=True, kw_only=True, slots=True)
class Role:
    """A contact's role for one committee or agency (``scope`` is its id)."""

    role: str  #: lead, chair, member, secretariat or reviewer
    scope: str

    def __str__(self) -> str:
        return f"{self.role}:{self.scope}"

    @classmethod
    def parse(cls, text: str) -> Role:
        role, sep, scope = text.strip().partition(":")
        if not sep or not scope.strip():
            raise ValueError(f"role {text!r} is not ROLE:SCOPE (e.g. lead:enforcement)")
        kind = role.strip().lower()
        if kind not in ROLES:
            raise ValueError(f"role {role.strip()!r} is not one of {', '.join(ROLES)}"
                             + suggestion(kind, ROLES).replace(";", ":", 1))
        return cls(role=kind, scope=scope.strip())


@dataclass(frozen=True, kw_only=True, slots=True)
class ContactInfo:
    """A person who receives digests: an official, never a victim or a private address.

    ``urls`` are extra apprise URLs (Telegram, Slack, Office 365...) whose secrets are
    ``${ENV}`` references, resolved only when a message is sent.
    """

    name: str
    email: str
    language: str = "en"
    state: str = "putrajaya"
    roles: tuple[Role, ...] = ()
    urls: tuple[str, ...] = ()
    active: bool = True
    source: str = "store"  #: "store", or the name of the plugin that contributed it


@dataclass(frozen=True, kw_only=True, slots=True)
class ReminderPolicy:
    """When reminders go out for an occurrence; ``None`` fields keep the default.

    ``lead_times``: days before the due date (calendar days); ``escalation``: days after
    it at which each role hears (``{"lead": 1, "chair": 14, "secretariat": 30}``);
    ``meeting_lead_times``: days before a meeting. ``enabled=False`` sends nothing.
    """

    lead_times: tuple[int, ...] | None = None
    escalation: tuple[tuple[str, int], ...] | None = None
    meeting_lead_times: tuple[int, ...] | None = None
    enabled: bool = True
