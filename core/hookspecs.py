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
    import click

    from .config import Settings
    from .evidence_types import AcceptedEvidence, EvidenceDraft
    from .model import Activity, Agency, Committee, Duty, PlanStructure
    from .report_types import ReportContext, ReportSection

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
def naptip_activities(plan: PlanStructure) -> Iterable[Activity]:  # type: ignore[empty-body]
    """Contribute activities of the plan's matrix.

    Receives ``plan``, the :class:`naptip.PlanStructure` (objectives, outputs, parties), for
    plugins that want to look things up; implementations may leave the argument out.
    Returns an iterable of :class:`naptip.Activity`. All results are collected. Each
    activity is validated: a unique id that starts with its output's id, an objective and
    output that exist and belong together, lead and supporting committees that exist, a
    timeline inside the plan period (2021-2025) with start <= end, and at least one
    indicator, each with text. An invalid activity is reported and left out.
    """


@hookspec
def naptip_duties(  # type: ignore[empty-body]
    plan: PlanStructure, settings: Settings,
) -> Iterable[Duty]:
    """Contribute recurring duties: meetings, observances, yearly deliverables, reviews.

    Receives ``plan`` (the :class:`naptip.PlanStructure`) and ``settings`` (the
    deployment's :class:`naptip.config.Settings`, e.g. ``settings.reporting.review_month``);
    implementations may leave either out. Returns an iterable of :class:`naptip.Duty`.
    All results are collected. Each duty is validated: a unique id; an owner, supporting
    committees and hosts that exist (hosts are agency or committee ids); activities in
    ``fulfils`` that exist; unique milestone ids; and a recurrence with a ``DTSTART``
    carrying a ``TZID`` and ``RRULE`` lines with ``UNTIL`` in UTC and no ``COUNT``. The
    deployment's configuration may replace a duty's recurrence, hosts and lead times
    (``[duties.ID]``); the replacement is validated the same way.
    """


@hookspec
def naptip_validate_evidence(draft: EvidenceDraft) -> Iterable[str] | None:
    """Check submitted evidence against an agency's own rules.

    Receives ``draft``, a :class:`naptip.EvidenceDraft`: the occurrence, its
    parsed values per indicator, the breakdowns, the note, links and the files' names,
    media types and sizes, after naptip's own checks passed. Returns messages (an iterable
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
    (the ``--plugins-dir`` option is parsed after the commands exist).
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
