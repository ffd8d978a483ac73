"""Reports for the Monitoring and Evaluation Committee: annual review, final evaluation,
committee progress; HTML, PDF, xlsx, JSON and CSV from one document."""

from __future__ import annotations

from naptip.reports.build import make_report, resolve_scope
from naptip.reports.document import KINDS, Report, ReportError

__all__ = ["KINDS", "Report", "ReportError", "make_report", "resolve_scope"]
