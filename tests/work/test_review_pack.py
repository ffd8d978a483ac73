"""The annual review's pack: the report on the year under review and who has not yet
provided its evidence; the final evaluation's report; nothing for other duties."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

from naptip.base.config import Settings
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from naptip.work.daywork import DayWork, run_step


def _work(db: Database, catalog: Catalog, day: date, duty: str, tmp_path: Path,
          dry_run: bool = False) -> DayWork:
    return DayWork(db=db, catalog=catalog, settings=Settings(), loaded=None, day=day,
                   since=day, duty=duty, dry_run=dry_run,
                   environ={"NAPTIP_REPORTS_DIR": str(tmp_path / "reports")})


def test_the_annual_review_gets_the_previous_years_report_and_who_is_missing(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    service = EvidenceService(synced, builtin_catalog)
    service.submit(Submission(occurrence_id="S1-O1-i@2023", actor="Aminah",
                              values={"1": "2"}), today=date(2024, 1, 15),
                   now=datetime(2024, 1, 15, 2, tzinfo=UTC))
    # reviewed before the review meets: the pack is the report as of its day
    service.review(1, accept=True, reason=None, actor="Siti (NSO MAPO)",
                   now=datetime(2024, 1, 16, 2, tzinfo=UTC))
    review_day = date(2024, 3, 13)  # the second Wednesday of March 2024
    result = run_step("review-pack", _work(synced, builtin_catalog, review_day,
                                           "annual-review", tmp_path))
    assert result.status == "done", result.failures
    figures = json.loads((tmp_path / "reports" / "annual-2023.json").read_text("utf-8"))
    assert figures["years"] == [2023] and figures["summary"]["evidence_accepted"] == 1
    html = (tmp_path / "reports" / "annual-2023.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    owners = sorted({o["owner"] for o in figures["overdue"]})
    assert owners and result.counts["committees missing evidence"] == len(owners)
    assert result.detail.endswith("evidence missing from: " + ", ".join(owners))
    assert "S1-O1-i@2023" not in {o["occurrence"] for o in figures["overdue"]}  # accepted


def test_the_final_evaluation_gets_the_whole_plan_and_other_duties_nothing(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    final = run_step("review-pack", _work(synced, builtin_catalog, date(2025, 11, 12),
                                          "final-evaluation", tmp_path))
    assert final.status == "done", final.failures
    figures = json.loads((tmp_path / "reports" / "final.json").read_text("utf-8"))
    assert figures["years"] == [2021, 2022, 2023, 2024, 2025]
    meeting = run_step("review-pack", _work(synced, builtin_catalog, date(2024, 3, 13),
                                            "enforcement-meeting", tmp_path))
    assert meeting.status == "skipped"
    dry = run_step("review-pack", _work(synced, builtin_catalog, date(2024, 3, 13),
                                        "annual-review", tmp_path / "dry", dry_run=True))
    assert dry.status == "skipped" and not (tmp_path / "dry").exists()


def test_a_plan_packages_pack_starts_with_its_plan_id(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    """Two plans' final reports in one reports folder never overwrite each other."""
    package = copy.copy(builtin_catalog)  # as a plan package's catalog is marked
    package.occurrence_prefix = "naptip-4.0:"
    final = run_step("review-pack", _work(synced, package, date(2025, 11, 12),
                                          "final-evaluation", tmp_path))
    assert final.status == "done", final.failures
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "naptip-4.0-final.html", "naptip-4.0-final.json"]
    assert final.detail.startswith("naptip-4.0-final.html and .json in ")
