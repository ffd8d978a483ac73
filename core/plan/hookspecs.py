"""Every hook a naptip plugin can implement: the plugin contract.

Plugins implement hooks with ``@naptip.hookimpl`` on module-level functions or on the
methods of an object, and are found through the ``naptip`` entry-point group (or as
one-file plugins in a folder named by ``--plugins-dir`` / ``NAPTIP_PLUGINS_DIR``).

Contribution hooks (committees, agencies, activities) collect the results of *every*
plugin: each implementation is called on its own, so that an exception in one plugin is
reported with the plugin's name while the others still contribute. What they return must
be an iterable of the named model objects; anything else is reported as a problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import click

    from naptip.base.config import Settings
    from naptip.base.contact_types import ContactInfo, ReminderPolicy
    from naptip.base.evidence_types import AcceptedEvidence, EvidenceDraft
    from naptip.base.model import Activity, Agency, AgencyExtension, Committee, Duty, PlanStructure
    from naptip.base.report_types import ReportContext, ReportSection

hookspec = pluggy.HookspecMarker("naptip")


@hookspec
def naptip_committees() -> Iterable[Committee]:  # type: ignore[empty-body]
    """Contribute NAPTIP committees (or the secretariat).

    Receives nothing. Returns an iterable of :class:`naptip.Committee`: id, English and
    Malay names, lead agency, pillars, the spellings the source uses (``aliases``) and the
    state whose working days apply. All results are collected; an id contributed twice is
    reported naming both plugins and the second is ignored.
    """


@hookspec
def naptip_agencies() -> Iterable[Agency]:  # type: ignore[empty-body]
    """Contribute member agencies of committees (JIM, MMEA, a state labour department...).

    Receives nothing. Returns an iterable of :class:`naptip.Agency` whose ``committees``
    must name contributed committees. All results are collected; duplicate ids are
    reported.
    """


@hookspec
def naptip_agency_extensions() -> Iterable[AgencyExtension]:  # type: ignore[empty-body]
    """Extend agencies that other plugins declare (a built-in agency such as MMEA).

    Receives nothing. Returns an iterable of :class:`naptip.AgencyExtension`: the agency's
    id, and units, committees and a state to add. All results are collected after every
    agency is known. Units and committees are added; an extension naming an unknown agency
    or committee, or a second plugin setting a different state, is reported and ignored.
    """


@hookspec
def naptip_activities(plan: PlanStructure) -> Iterable[Activity]:  # type: ignore[empty-body]
    """Contribute activities to NAPTIP 3.0's matrix.

    They join the entries of NAPTIP 3.0, the plan package shipped with naptip, and are
    part of no other plan: a successor's activities come from its own plan package
    (``naptip_plan_packages``). The built-in committee plugins declare none.
    Receives ``plan``, the :class:`naptip.PlanStructure` (objectives, outputs, parties), for
    plugins that want to look things up; implementations may leave the argument out.
    Returns an iterable of :class:`naptip.Activity`. All results are collected. Each
    activity is validated: a unique id that starts with its output's id, an objective and
    output that exist and belong together, lead and supporting committees that exist, a
    timeline inside the plan period (2021-2025) with start <= end, and at least one
    indicator, each with text. An invalid activity is reported and left out.
    """


@hookspec
def naptip_plan_packages() -> Iterable[str | Path]:  # type: ignore[empty-body]
    """Contribute plan packages: plans beside the built-in NAPTIP 3.0 (NAPTIP 4.0...).

    Receives nothing. Returns an iterable of folder paths (``str`` or
    :class:`pathlib.Path`; a relative path is read from the current folder, so return an
    absolute one, e.g. ``Path(__file__).parent / "naptip-4.0"``), each a plan package:
    ``plan.toml`` and ``activities/<committee-id>.toml`` (docs/plan-packages.md). All
    results are collected. Each package is read and checked against the plugins'
    committees; a package that cannot be read, or a plan id already known, is reported
    naming the package and left out, and the other plans still load. The plans are listed
    by ``naptip plan list`` and chosen with ``naptip --plan ID``.
    """


@hookspec
def naptip_duties(  # type: ignore[empty-body]
    plan: PlanStructure, settings: Settings,
) -> Iterable[Duty]:
    """Contribute recurring duties: meetings, observances, yearly deliverables, reviews.

    Receives ``plan`` (the :class:`naptip.PlanStructure`) and ``settings`` (the
    deployment's :class:`naptip.base.config.Settings`, e.g. ``settings.reporting.review_month``);
    implementations may leave either out. Returns an iterable of :class:`naptip.Duty`.
    All results are collected. Each duty is validated: a unique id; an owner, supporting
    committees and hosts that exist (hosts are agency or committee ids); activities in
    ``fulfils`` that exist; unique milestone ids; and a recurrence with a zoned ``DTSTART``
    that is itself an instance, ``RRULE`` lines with ``UNTIL`` in UTC and no ``COUNT``,
    nothing finer than daily and at most 2,000 instances (docs/plugin-authors.md). Several
    duties with the same id from one plugin are successive versions: each later one needs
    a later ``effective_from`` and takes effect that day, earlier occurrences unchanged.
    The deployment's configuration may change a duty's recurrence, hosts, lead times and
    cancelled-turn policy from a day on (``[duties.ID]`` with ``from``); the change is
    validated the same way.
    """


@hookspec
def naptip_contacts() -> Iterable[ContactInfo]:  # type: ignore[empty-body]
    """Contribute contacts (an agency's officials) to the reminder directory.

    Receives nothing. Returns an iterable of :class:`naptip.ContactInfo` (name, official
    e-mail, language, state, roles such as ``Role(role="lead", scope="jim")``, extra apprise
    URLs with ``${ENV}`` secrets). All results are collected; each is checked like a
    contact added with ``naptip contacts add`` (an invalid one is reported and left out).
    A contact in the store with the same e-mail wins over a contributed one.
    """


@hookspec(firstresult=True)
def naptip_reminder_policy(
    occurrence_id: str, kind: str, owner: str, activity: str | None, duty: str | None,
) -> ReminderPolicy | None:
    """Adjust when reminders go out for one occurrence (an activity's or a duty's).

    Receives the occurrence's id, kind (``progress-report``, ``meeting``...), owner
    committee, and its activity or duty id (one of them is ``None``); implementations may
    take any subset. Returns a :class:`naptip.ReminderPolicy` whose non-``None`` fields
    replace the configured defaults, or ``None`` to keep them. The first non-``None``
    result wins; an implementation that raises is reported and the defaults apply.
    """


@hookspec
def naptip_validate_evidence(draft: EvidenceDraft) -> Iterable[str] | None:
    """Check submitted evidence against an agency's own rules.

    Receives ``draft``, a :class:`naptip.EvidenceDraft`: the occurrence, its
    parsed values per indicator (``values``: tuples of the indicator's number from 1, the
    :class:`naptip.Indicator` and the parsed :class:`naptip.Value`), the breakdowns
    (dimension -> category -> count), the note, links and the files' names, media types
    and sizes, after naptip's own checks passed. Returns messages (an iterable
    of text, or one text) saying why the evidence is refused; ``None`` or nothing accepts
    it. Every implementation is called; the first message refuses the evidence and is
    shown to the person as "evidence refused by plugin NAME: MESSAGE". A validator that
    raises refuses the evidence too (naptip fails closed).
    """


@hookspec
def naptip_evidence_accepted(evidence: AcceptedEvidence) -> None:
    """React to evidence that was just accepted (after it is stored).

    Receives ``evidence``, a :class:`naptip.AcceptedEvidence`: the evidence number,
    occurrence, activity, owner, reviewer and time. Returns nothing. Every implementation
    is called; an exception is shown as a warning and changes nothing stored.
    """


@hookspec
def naptip_register_commands(cli: click.Group) -> None:
    """Add commands to the ``naptip`` command line.

    Receives ``cli``, the top-level :class:`click.Group`; call ``cli.add_command(...)`` or
    decorate with ``@cli.command()``. Returns nothing; every implementation is called.
    Only plugins found through entry points or ``NAPTIP_PLUGINS_DIR`` can add commands
    (the ``--plugins-dir`` option is parsed after the commands exist). A command gets what
    naptip's own commands use by decorating with ``naptip.cli.app.pass_app``: ``app.catalog``
    (committees, agencies, activities, duties), ``app.settings``, ``app.today`` (the
    ``--as-of`` day, else ``NAPTIP_AS_OF``, else today in Kuala Lumpur) and ``app.db``. An
    exception in the command is shown as one line naming the plugin.
    """


@hookspec
def naptip_report_sections(
    report: ReportContext,
) -> Iterable[ReportSection] | None:
    """Add sections to the M&E reports (``naptip report annual|final|committee``).

    Receives ``report``, a :class:`naptip.ReportContext`: the kind of report, its years,
    the as-of day, the committee (for a committee report), the language (``en`` or
    ``ms``) and the headline figures. Returns an iterable of :class:`naptip.ReportSection`
    (a title, paragraphs and :class:`naptip.ReportTable` tables), or ``None`` to add
    nothing. Every implementation is called; sections appear after the built-in ones, in
    plugin order, in every format (HTML, PDF, xlsx, JSON, CSV). A plugin that raises or
    returns something else is shown as a warning and the report is built without it.
    """
