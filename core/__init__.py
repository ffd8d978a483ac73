"""naptip: runs NAPTIP 3.0 (2021-2025) as owned, dated, reminded and evidenced work.

Plugin authors import from here only: ``naptip.hookimpl`` and the model classes.
Importing this package is cheap: it never imports Prefect, apprise or icalendar.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from naptip.base.contact_types import ContactInfo, ReminderPolicy, Role
from naptip.base.evidence_types import AcceptedEvidence, EvidenceDraft, Value
from naptip.base.hookimpl import hookimpl
from naptip.base.model import (
    SECRETARIAT_ID,
    Activity,
    Agency,
    AgencyExtension,
    Cadence,
    Committee,
    Duty,
    DutyKind,
    Indicator,
    IndicatorKind,
    Milestone,
    Output,
    Party,
    Pillar,
    Plan,
    PlanStructure,
    ProgrammeArea,
    SpecificObjective,
    StrategicGoal,
    Timeline,
)
from naptip.base.needs import PLUGIN_API_VERSION
from naptip.base.report_types import ReportContext, ReportSection, ReportTable
from naptip.plan.datafiles.datafile import DataPlugin

try:
    __version__ = version("naptip")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = [
    "PLUGIN_API_VERSION",
    "SECRETARIAT_ID",
    "AcceptedEvidence",
    "Activity",
    "Agency",
    "AgencyExtension",
    "Cadence",
    "Committee",
    "ContactInfo",
    "DataPlugin",
    "Duty",
    "DutyKind",
    "EvidenceDraft",
    "Indicator",
    "IndicatorKind",
    "Milestone",
    "Output",
    "Party",
    "Pillar",
    "Plan",
    "PlanStructure",
    "ProgrammeArea",
    "ReminderPolicy",
    "ReportContext",
    "ReportSection",
    "ReportTable",
    "Role",
    "SpecificObjective",
    "StrategicGoal",
    "Timeline",
    "Value",
    "__version__",
    "hookimpl",
]
