"""Built-in plugin: Monitoring and Evaluation Committee.

Its committee and meeting are data, in `committee.toml` beside this module. The annual
review of NAPTIP (2022-2025) and the final evaluation (2025) are built here, because the
review's month comes from the deployment's reporting calendar (`reporting.review_month`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from naptip import Duty, DutyKind, Milestone, hookimpl
from naptip.base.config import Settings
from naptip.plan.datafiles.datafile import DataPlugin

_UNTIL = "UNTIL=20251231T155959Z"  # 31 December 2025, 23:59:59 in Kuala Lumpur


def second_wednesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7 + 7)


def annual_reviews(settings: Settings) -> list[Duty]:
    """The annual review, one version per change of ``reporting.review_month``.

    A ``[[reporting.change]]`` that moves the review month takes effect on its ``from``
    day: reviews before it keep their month.
    """
    month = settings.reporting.review_month
    versions = [annual_review(month)]
    for change in settings.reporting_changes:
        if change.calendar.review_month != month:
            month = change.calendar.review_month
            versions.append(annual_review(month, change.start))
    return versions


def annual_review(month: int, start: date | None = None) -> Duty:
    """The review on the second Wednesday of ``month``, 2022-2025 (DTSTART is the first
    such Wednesday, so that calendars and the schedule count the same instances)."""
    first = second_wednesday(2022, month)
    return Duty(
        id="annual-review",
        title="Annual review of NAPTIP",
        kind=DutyKind.REVIEW,
        # The plan assigns S34-O2-i to "NSO MAPO, MAPO Committees": the duty that fulfils
        # it has the activity's owner (the secretariat), the committee supports.
        owner="nso-mapo",
        support=("monitoring",),
        parties=("MAPO Committees",),
        fulfils=("S34-O2-i",),
        flow="annual-review",
        duration_minutes=240,
        description="S34-O2-i: conduct annual review of NAPTIP through the Monitoring and "
                    "Evaluation Committee (2022-2025), on the previous year's evidence.",
        effective_from=start,
        recurrence=(f"DTSTART;TZID=Asia/Kuala_Lumpur:{first:%Y%m%d}T100000\n"
                    f"RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY=2WE;{_UNTIL}"),
        milestones=(
            Milestone(id="collect", title="The year's evidence collected", offset_days=-35),
            Milestone(id="draft", title="Draft annual review report prepared", offset_days=-14),
            Milestone(id="notify", title="Draft sent to the Monitoring and Evaluation "
                      "Committee", offset_days=-7),
        ),
        notes=("The review meets on the second Wednesday of the month set by "
               "reporting.review_month (default March).",
               "Owned by NSO MAPO, which the plan names for S34-O2-i and which leads this "
               "committee; the committee supports (one owner for the activity and its "
               "duty, so that every view counts it once, for the same committee).",),
    )


def final_evaluation() -> Duty:
    return Duty(
        id="final-evaluation",
        title="Final evaluation of NAPTIP 3.0",
        kind=DutyKind.REVIEW,
        owner="monitoring",
        support=("nso-mapo",),
        parties=("MAPO Committees",),
        flow="final-evaluation",
        duration_minutes=240,
        description="§5.2: the Monitoring and Evaluation Committee facilitates the final "
                    "evaluation of the NAPTIP in 2025.",
        recurrence=("DTSTART;TZID=Asia/Kuala_Lumpur:20251112T100000\n"
                    f"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=2WE;{_UNTIL}"),
        milestones=(
            Milestone(id="draft", title="Draft final evaluation report prepared",
                      offset_days=-30),
            Milestone(id="report", title="Final evaluation report submitted to MAPO",
                      offset_days=30),
        ),
        notes=("The plan says only 'in 2025': a meeting on the second Wednesday of "
               "November 2025 is chosen, with the report due a month later.",),
    )


class MonitoringPlugin(DataPlugin):
    @hookimpl
    def naptip_duties(self, settings: Settings) -> Iterable[Duty]:  # type: ignore[override]
        return [*self.data.duties, *annual_reviews(settings), final_evaluation()]


plugin = MonitoringPlugin(__name__, filename="committee.toml")
