"""Settings of a deployment, from a TOML file with sensible defaults for everything.

The file is ``--config FILE``, else ``NAPTIP_CONFIG``, else ``naptip.toml`` in the user's
configuration folder if it exists. Every key is optional; unknown keys and bad values are
refused with one line naming the file and the key. See docs/configuration.md.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from naptip.base.errors import NaptipError
from naptip.base.secret_urls import literal_password
from naptip.base.states import STATES


@dataclass(frozen=True, kw_only=True, slots=True)
class MonthDay:
    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> MonthDay:
        try:
            month, day = (int(x) for x in text.split("-"))
            date(2024, month, day)  # a leap year accepts 02-29
        except ValueError:
            raise ValueError(f"{text!r} is not a month-day like 01-31") from None
        return cls(month=month, day=day)

    def in_year(self, year: int) -> date:
        if (self.month, self.day) == (2, 29) and year % 4:
            return date(year, 2, 28)
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportingCalendar:
    """When evidence is due, and when the annual review takes place."""

    #: a year's progress reports and nil returns are due on this day of the following year
    evidence_due: MonthDay = MonthDay(month=1, day=31)
    #: a yearly deliverable is due on this day of its year
    yearly_deliverable_due: MonthDay = MonthDay(month=12, day=31)
    #: a one-off deliverable is due on this day of the last year of its timeline
    deliverable_due: MonthDay = MonthDay(month=12, day=31)
    #: the annual review meeting (2022-2025) takes place in this month
    review_month: int = 3


#: what happens to the host's turn when a meeting is cancelled (EXDATE)
CANCELLED_TURN = ("passes", "keeps")


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportingChange:
    """A change of the reporting calendar that takes effect on ``start`` (``from``)."""

    start: date
    calendar: ReportingCalendar
    key: str  #: where it is written, e.g. ``reporting.change[1]``


@dataclass(frozen=True, kw_only=True, slots=True)
class DutyOverride:
    """Deployment-specific changes to a duty a plugin declares (a "regular" cadence).

    ``start`` (``from`` in the file) is the day the change takes effect: occurrences before
    it keep the rule, hosts and dates they had. Without it the change applies to the
    whole plan period.
    """

    recurrence: str | None = None
    hosts: tuple[str, ...] | None = None
    lead_times: tuple[int, ...] | None = None
    cancelled_turn: str | None = None
    start: date | None = None
    key: str = ""  #: where it is written, e.g. ``duties.enforcement-meeting``


@dataclass(frozen=True, kw_only=True, slots=True)
class HolidayChange:
    """A public holiday added to (or removed from) a state's calendar by configuration."""

    day: date
    #: state ids, "all", or "saturday-sunday" (the states whose weekend that day is Sat-Sun)
    states: tuple[str, ...]
    name: str
    remove: bool = False
    origin: str = ""  #: where it is written (file and key)
    citation: str = ""  #: the public source of the fact (a gazette, an announcement)


@dataclass(frozen=True, kw_only=True, slots=True)
class MailSettings:
    """``[mail]``: where e-mail goes. Without it, messages go to the local outbox."""

    url: str  #: an apprise mailto:// or mailtos:// URL; the password as ${ENV_NAME}
    sender: str | None = None  #: the From address (else the URL's from=)
    sender_name: str = "NAPTIP"


#: a digest lists at most this many items (the most urgent, in *My work*'s order) and
#: counts the rest, saying where to see them all (``[reminders] digest_items``)
DIGEST_ITEMS = 25
MAX_DIGEST_ITEMS = 10_000


@dataclass(frozen=True, kw_only=True, slots=True)
class ReminderSettings:
    """``[reminders]``: the default policy, how dispatch retries, how long a digest is."""

    lead_times: tuple[int, ...] = (30, 7, 1)  #: calendar days before a due date
    escalation: tuple[tuple[str, int], ...] = (("lead", 1), ("chair", 14), ("secretariat", 30))
    meeting_lead_times: tuple[int, ...] = (14, 2)
    retry_minutes: int = 15  #: the first retry waits this long; each later one twice longer
    claim_timeout_minutes: int = 30  #: a claim older than this was lost in a crash: resend
    digest_items: int = DIGEST_ITEMS  #: items a digest lists; the rest it counts


@dataclass(frozen=True, kw_only=True, slots=True)
class WebSettings:
    """``[web]``: the evidence portal."""

    #: addresses or networks of the reverse proxies whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; none by default (the peer address is the client)
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    reporting: ReportingCalendar = ReportingCalendar()
    #: the largest attachment accepted as evidence, in MB
    max_file_mb: int = 25
    #: duty id -> its changes, in the order they take effect
    duties: Mapping[str, tuple[DutyOverride, ...]] = field(default_factory=dict)
    #: later changes of the reporting calendar, in order (``[[reporting.change]]``)
    reporting_changes: tuple[ReportingChange, ...] = ()
    holidays: tuple[HolidayChange, ...] = ()  #: ``[[holidays.add]]`` and ``[[holidays.remove]]``
    mail: MailSettings | None = None
    reminders: ReminderSettings = ReminderSettings()
    web: WebSettings = WebSettings()
    #: ``[plans] packages``: folders of plan packages to load beside NAPTIP 3.0, resolved
    #: against the configuration file's folder (naptip.plan.plans)
    plan_packages: tuple[Path, ...] = ()
    source: Path | None = None

    def where(self, key: str) -> str:
        """``configuration FILE [KEY]``: where a setting is written."""
        return f"configuration {self.source} [{key}]" if self.source else \
            f"configuration [{key}]"


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("naptip") / "naptip.toml"


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None,
                  ) -> Settings:
    env = os.environ if environ is None else environ
    explicit = path or (Path(env["NAPTIP_CONFIG"]) if env.get("NAPTIP_CONFIG") else None)
    target = explicit or default_config_path()
    if not target.exists():
        if explicit is not None:
            raise NaptipError(f"configuration file {str(target)!r} does not exist")
        return Settings()
    try:
        raw = tomllib.loads(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NaptipError(f"cannot read configuration {target}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise NaptipError(f"configuration {target} is not UTF-8 text (byte {exc.start} "
                          "cannot be read): save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise NaptipError(f"configuration {target} is not valid TOML: {exc}") from None
    return parse_settings(raw, target)


def _checkers(where: str) -> tuple[_Fail, _Table]:
    """``fail(key, message)``: a one-line error naming ``where`` and the key; ``table``: a
    TOML table with only the ``allowed`` keys."""
    def fail(key: str, message: str) -> NaptipError:
        return NaptipError(f"{where}: {key}: {message}")

    def table(value: Any, key: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise fail(key, "must be a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise fail(f"{key}.{unknown[0]}", "unknown key")
        return value

    return fail, table


def parse_settings(raw: Mapping[str, Any], source: Path | None = None) -> Settings:
    where = str(source) if source else "configuration"

    fail, table = _checkers(where)

    top = table(raw, "top level", {"reporting", "duties", "evidence", "holidays", "mail",
                                   "reminders", "web", "plans"})
    ev = table(top.get("evidence", {}), "evidence", {"max_file_mb"})
    max_file_mb = ev.get("max_file_mb", 25)
    if isinstance(max_file_mb, bool) or not isinstance(max_file_mb, int) or not (
            1 <= max_file_mb <= 1024):
        raise fail("evidence.max_file_mb", "must be a whole number of MB, 1 to 1024")
    rep = table(top.get("reporting", {}), "reporting", {*_REPORTING_KEYS, "change"})
    reporting = _calendar(rep, ReportingCalendar(), "reporting", fail)
    changes: list[ReportingChange] = []
    raw_changes = rep.get("change", [])
    if not isinstance(raw_changes, list):
        raise fail("reporting.change", "must be an array of tables ([[reporting.change]])")
    previous = reporting
    for n, item in enumerate(raw_changes, 1):
        key = f"reporting.change[{n}]"
        t = table(item, key, {*_REPORTING_KEYS, "from"})
        start = _from(t, key, fail, required=True)
        assert start is not None
        if changes and start <= changes[-1].start:
            raise fail(f"{key}.from", f"{start} is not after the previous change's "
                                      f"{changes[-1].start}")
        previous = _calendar(t, previous, key, fail)
        changes.append(ReportingChange(start=start, calendar=previous, key=key))
    duties: dict[str, tuple[DutyOverride, ...]] = {}
    for duty_id, value in table(top.get("duties", {}), "duties", set(top.get("duties", {}))
                                ).items():
        entries = value if isinstance(value, list) else [value]
        overrides = [_duty_override(v, f"duties.{duty_id}" + (
            f"[{n}]" if isinstance(value, list) else ""), table, fail)
            for n, v in enumerate(entries, 1)]
        starts = [o.start for o in overrides]
        dated = [d for d in starts[1:] if d is not None]
        if len(dated) != len(starts) - 1 or dated != sorted(set(dated)) or (
                dated and starts[0] is not None and starts[0] >= dated[0]):
            raise fail(f"duties.{duty_id}", "several changes need increasing 'from' dates "
                                            "(only the first may have none)")
        duties[duty_id] = tuple(overrides)
    holiday_changes = _holidays(top.get("holidays", {}), table, fail, f"configuration {where}")
    mail, reminders = _reminder_settings(top, fail, table)
    return Settings(reporting=reporting, duties=duties, max_file_mb=max_file_mb,
                    reporting_changes=tuple(changes), holidays=holiday_changes, mail=mail,
                    reminders=reminders, web=_web_settings(top, fail, table),
                    plan_packages=_plan_packages(top, fail, table, source), source=source)


def _plan_packages(top: Mapping[str, Any], fail: _Fail, table: _Table,
                   source: Path | None) -> tuple[Path, ...]:
    """``[plans] packages = ["path", ...]``: relative paths are read from the
    configuration file's folder. Whether each is a plan package is checked when the plans
    load (a bad one is a problem naming it; the others still load)."""
    plans = table(top.get("plans", {}), "plans", {"packages"})
    raw = plans.get("packages", [])
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise fail("plans.packages", 'must be a list of folder paths, e.g. ["naptip-4.0"]')
    base = source.parent if source is not None else Path.cwd()
    found: list[Path] = []
    for text in raw:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else (base / path).absolute()
        if path in found:
            raise fail("plans.packages", f"{text!r} is named twice")
        found.append(path)
    return tuple(found)


_REPORTING_KEYS = {"evidence_due", "yearly_deliverable_due", "deliverable_due", "review_month"}
_Fail = Callable[[str, str], NaptipError]
_Table = Callable[[Any, str, set[str]], Mapping[str, Any]]

#: the draft annual review report is prepared this many days before the review meets, on
#: the year's evidence: the evidence must be due by then
REVIEW_DRAFT_DAYS = 14
#: the final evaluation meets in November 2025: the review must meet before that month
LAST_REVIEW_MONTH = 10


def _from(t: Mapping[str, Any], key: str, fail: _Fail, *, required: bool) -> date | None:
    value = t.get("from")
    if value is None:
        if required:
            raise fail(f"{key}.from", "missing: the day the change takes effect, like "
                                      "2024-07-01")
        return None
    if isinstance(value, datetime):
        raise fail(f"{key}.from", "must be a day like 2024-07-01, not a date-time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"{key}.from", f"{value!r} is not a day like 2024-07-01")


def review_month_problem(month: int, evidence_due: MonthDay) -> str | None:
    """Why an annual review in ``month`` cannot review the evidence due on ``evidence_due``.

    The review meets on the second Wednesday (the 8th at the earliest); its draft report is
    prepared 14 days before, on the year's evidence, which must be due by then. The last
    review (2025) must meet before the final evaluation in November 2025.
    """
    if month > LAST_REVIEW_MONTH:
        return (f"{month} puts the 2025 annual review on or after the final evaluation "
                f"(November 2025); choose a month up to {LAST_REVIEW_MONTH}")
    draft = date(2023, month, 8) - timedelta(days=REVIEW_DRAFT_DAYS)
    if evidence_due.month > month or draft <= evidence_due.in_year(2023):
        return (f"{month} puts the annual review before the evidence it reviews is due "
                f"({evidence_due}): its draft report is prepared {REVIEW_DRAFT_DAYS} days "
                "before the review, which meets on the second Wednesday (the 8th at the "
                "earliest)")
    return None


def _calendar(t: Mapping[str, Any], base: ReportingCalendar, key: str, fail: _Fail,
              ) -> ReportingCalendar:
    args: dict[str, Any] = {}
    for name in ("evidence_due", "yearly_deliverable_due", "deliverable_due"):
        if name in t:
            try:
                args[name] = MonthDay.parse(str(t[name]))
            except ValueError as exc:
                raise fail(f"{key}.{name}", str(exc)) from None
    if "review_month" in t:
        month = t["review_month"]
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise fail(f"{key}.review_month", "must be a month number 1-12")
        args["review_month"] = month
    calendar = replace(base, **args)
    if "review_month" in t or "evidence_due" in t:
        problem = review_month_problem(calendar.review_month, calendar.evidence_due)
        if problem and "review_month" not in t:
            raise fail(f"{key}.evidence_due", f"{calendar.evidence_due} is too late for the "
                       f"annual review in month {calendar.review_month}, whose draft report is "
                       f"prepared {REVIEW_DRAFT_DAYS} days before it meets (the 8th at the "
                       "earliest): move review_month too")
        if problem:
            raise fail(f"{key}.review_month", problem)
    return calendar


def _duty_override(value: Any, key: str, table: _Table, fail: _Fail) -> DutyOverride:
    d = table(value, key, {"recurrence", "hosts", "lead_times", "cancelled_turn", "from"})
    recurrence = d.get("recurrence")
    if recurrence is not None and not isinstance(recurrence, str):
        raise fail(f"{key}.recurrence", "must be RFC 5545 text (DTSTART and RRULE lines)")
    hosts = d.get("hosts")
    if hosts is not None and (not isinstance(hosts, list)
                              or not all(isinstance(h, str) for h in hosts)):
        raise fail(f"{key}.hosts", "must be a list of agency or committee ids")
    lead = d.get("lead_times")
    if lead is not None and (not isinstance(lead, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lead)):
        raise fail(f"{key}.lead_times", "must be a list of whole days (0 or more)")
    turn = d.get("cancelled_turn")
    if turn is not None and turn not in CANCELLED_TURN:
        raise fail(f"{key}.cancelled_turn", f"must be one of {', '.join(CANCELLED_TURN)}")
    return DutyOverride(
        recurrence=recurrence,
        hosts=tuple(hosts) if hosts is not None else None,
        lead_times=tuple(lead) if lead is not None else None,
        cancelled_turn=turn, start=_from(d, key, fail, required=False), key=key,
    )


def parse_holiday_changes(raw: Mapping[str, Any], where: str, prefix: str = "",
                          ) -> tuple[HolidayChange, ...]:
    """``add``/``remove`` arrays of holiday changes (configuration or the shipped file)."""
    fail, table = _checkers(where)

    return _holidays(raw, table, fail, where, prefix)


def _holidays(raw: Any, table: _Table, fail: _Fail, where: str, prefix: str = "holidays.",
              ) -> tuple[HolidayChange, ...]:
    t = table(raw, prefix.rstrip(".") or "top level", {"add", "remove"})
    out: list[HolidayChange] = []
    for action in ("add", "remove"):
        rows = t.get(action, [])
        if not isinstance(rows, list):
            raise fail(f"{prefix}{action}", f"must be an array of tables ([[{prefix}{action}]])")
        for n, row in enumerate(rows, 1):
            key = f"{prefix}{action}[{n}]"
            r = table(row, key, {"date", "states", "name", "source"})
            day = r.get("date")
            if isinstance(day, str):
                with contextlib.suppress(ValueError):
                    day = date.fromisoformat(day.strip())
            if isinstance(day, datetime) or not isinstance(day, date):
                raise fail(f"{key}.date", "must be a day like 2024-07-08")
            states = r.get("states", ["all"])
            if isinstance(states, str):
                states = [states]
            if not isinstance(states, list) or not states or not all(
                    isinstance(x, str) for x in states):
                raise fail(f"{key}.states", "must be a list of state ids, or \"all\"")
            unknown = [x for x in states if x not in ("all", "saturday-sunday")
                       and x not in STATES]
            if unknown:
                raise fail(f"{key}.states", f"unknown state {unknown[0]!r}; known: "
                                            f"{', '.join(sorted(STATES))}")
            name = r.get("name", "Public holiday (configuration)")
            if not isinstance(name, str) or not name.strip():
                raise fail(f"{key}.name", "must be text")
            citation = r.get("source", "")
            if not isinstance(citation, str):
                raise fail(f"{key}.source", "must be text")
            out.append(HolidayChange(day=day, states=tuple(states), name=" ".join(name.split()),
                                     remove=action == "remove", origin=f"{where} [{key}]",
                                     citation=" ".join(citation.split())))
    return tuple(out)
def _days(value: Any) -> bool:
    return (isinstance(value, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 366 for n in value))


def _reminder_settings(top: Mapping[str, Any], fail: Any, table: Any,
                       ) -> tuple[MailSettings | None, ReminderSettings]:
    mail = None
    if "mail" in top:
        m = table(top["mail"], "mail", {"url", "from", "name"})
        url = m.get("url")
        if not isinstance(url, str) or not url.lower().startswith(("mailto://", "mailtos://")):
            raise fail("mail.url", "must be an apprise mailto:// or mailtos:// URL")
        if literal_password(url):
            raise fail("mail.url", "write the password as ${ENV_NAME} (e.g. "
                       "mailtos://user:${SMTP_PASSWORD}@host); secrets never enter the "
                       "settings file")
        for key in ("from", "name"):
            if key in m and (not isinstance(m[key], str) or "\n" in m[key] or "\r" in m[key]):
                raise fail(f"mail.{key}", "must be one line of text")
        mail = MailSettings(url=url, sender=m.get("from"), sender_name=m.get("name", "NAPTIP"))
    r = table(top.get("reminders", {}), "reminders",
              {"lead_times", "escalation", "meeting_lead_times", "retry_minutes",
               "claim_timeout_minutes", "digest_items"})
    args: dict[str, Any] = {}
    for key in ("lead_times", "meeting_lead_times"):
        if key in r:
            if not _days(r[key]):
                raise fail(f"reminders.{key}", "must be a list of whole days (0 to 366)")
            args[key] = tuple(sorted(set(r[key]), reverse=True))
    if "escalation" in r:
        esc = table(r["escalation"], "reminders.escalation",
                    {"lead", "chair", "member", "secretariat"})
        if not _days(list(esc.values())):
            raise fail("reminders.escalation", "each role's value must be whole days after "
                       "the due date (0 to 366)")
        args["escalation"] = tuple(sorted(esc.items(), key=lambda kv: kv[1]))
    for key in ("retry_minutes", "claim_timeout_minutes"):
        if key in r:
            value = r[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10080:
                raise fail(f"reminders.{key}", "must be whole minutes (0 to 10080)")
            args[key] = value
    if "digest_items" in r:
        value = r["digest_items"]
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= MAX_DIGEST_ITEMS):
            raise fail("reminders.digest_items", "must be a whole number of items, 1 to "
                       f"{MAX_DIGEST_ITEMS} (default {DIGEST_ITEMS})")
        args["digest_items"] = value
    return mail, ReminderSettings(**args)


def _web_settings(top: Mapping[str, Any], fail: _Fail, table: _Table) -> WebSettings:
    w = table(top.get("web", {}), "web", {"trusted_proxies"})
    proxies = w.get("trusted_proxies", [])
    if not isinstance(proxies, list) or not all(isinstance(p, str) for p in proxies):
        raise fail("web.trusted_proxies", 'must be a list of addresses or networks, like '
                                          '["127.0.0.1", "10.0.0.0/8"]')
    checked: list[str] = []
    for text in proxies:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            raise fail("web.trusted_proxies", f"{text!r} is not an IP address or network "
                                              "like 10.0.0.0/8") from None
        checked.append(str(network.network_address) if network.num_addresses == 1
                       else str(network))
    return WebSettings(trusted_proxies=tuple(dict.fromkeys(checked)))
