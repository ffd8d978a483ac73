"""The review pack: what the annual review and the final evaluation meet on.

When an ``annual-review`` duty's flow runs (the review meets on the second Wednesday of
its month, on the previous year's evidence), the pack is the Annual Review Report of the
year under review, as HTML and JSON, and the committees whose evidence for that year is
still missing. The ``final-evaluation`` flow makes its plan's final report (NAPTIP 3.0's:
2021-2025) the same way. A plan package's files start with its plan id
(``naptip-4.0-final.json``), as its calendar feeds do; NAPTIP 3.0's keep their names.
The files go into ``NAPTIP_REPORTS_DIR`` (default: ``reports/`` beside the attachments
folder, as the calendar feeds are).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from naptip.store.db import Database
from naptip.work.runtypes import DayWork, StepResult

REPORTS_ENV = "NAPTIP_REPORTS_DIR"
#: duty flows that make a pack, and the report each makes
REVIEW_FLOWS = ("annual-review", "final-evaluation")


def reports_dir(db: Database, environ: Mapping[str, str] | None = None) -> Path:
    """NAPTIP_REPORTS_DIR, else a ``reports`` folder beside the attachments folder."""
    env = os.environ if environ is None else environ
    return Path(env[REPORTS_ENV]) if env.get(REPORTS_ENV) else db.blobs.parent / "reports"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a report


def review_pack(work: DayWork) -> StepResult:
    """The pack of the review duty ``work.duty`` (skipped for other duties)."""
    duty = work.catalog.duties.get(work.duty or "")
    if duty is None or duty.flow not in REVIEW_FLOWS:
        return StepResult("review-pack", "skipped", detail="not a review duty")
    from naptip.reports import make_report, resolve_scope
    from naptip.reports.html import render_html
    from naptip.reports.tabular import render_json

    if duty.flow == "annual-review":
        year = work.day.year - 1  # the review meets on the previous year's evidence
        if year not in work.catalog.structure.plan.years:
            return StepResult("review-pack", "skipped",
                              detail=f"{year} is outside the plan: nothing to review")
        scope, name = resolve_scope(work.catalog, "annual", year=year), f"annual-{year}"
    else:
        scope, name = resolve_scope(work.catalog, "final"), "final"
    if work.catalog.occurrence_prefix:  # a plan package's, as its feeds: never 3.0's files
        name = f"{work.catalog.occurrence_prefix[:-1]}-{name}"
    if work.dry_run:
        return StepResult("review-pack", "skipped", detail=f"dry run: {name} not written")
    report = make_report(work.db, work.catalog, scope, as_of=work.day, plugins=work.loaded)
    folder = reports_dir(work.db, work.environ)
    _write(folder / f"{name}.html", render_html(report))
    _write(folder / f"{name}.json", render_json(report))
    overdue = report.figures["overdue"]
    missing = sorted({str(o["owner"]) for o in overdue})
    counts = {"overdue": len(overdue), "committees missing evidence": len(missing)}
    detail = f"{name}.html and .json in {folder}" + (
        f"; evidence missing from: {', '.join(missing)}" if missing else "")
    return StepResult("review-pack", "done", counts, detail)
