"""The M&E reports on a store seeded with known evidence (tests/report_seed.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip import ReportContext, ReportSection, ReportTable, hookimpl
from naptip.base.model import Cadence
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database, open_database
from naptip.store.orm import OccurrenceRow
from naptip.time.cadence import cadence_of
from tests.conftest import db_env
from tests.report_seed import (
    AS_OF,
    MORE_PEOPLE,
    NARRATIVES,
    OFFICERS_NOTE,
    YEAR,
    Seeded,
    SeededMore,
    seed,
    seed_more,
)

Run = Callable[..., Result]


def _report(run: Run, db: Database, *args: str, as_of: date = AS_OF) -> dict[str, Any]:
    result = run("--as-of", as_of.isoformat(), "report", *args, "--format", "json",
                 env=db_env(db))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def seeded(synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins,
           tmp_path: Path) -> tuple[Database, Seeded]:
    return synced, seed(EvidenceService(synced, builtin_catalog, loaded), tmp_path / "files")


def _applicable(catalog: Catalog, year: int, committee: str | None = None) -> list[str]:
    return [a.id for a in catalog.activities.values()
            if year in a.timeline and (committee is None or a.owner == committee)]


def test_annual_report_figures_match_the_seeded_evidence(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, run: Run) -> None:
    db, s = seeded
    data = _report(run, db, "annual", "--year", str(YEAR))
    cat = builtin_catalog
    assert (data["report"], data["years"], data["as_of"]) == ("annual", [YEAR], "2024-06-30")

    # evidence: returned and pending rows are listed but never count
    summary = data["summary"]
    assert (summary["evidence_accepted"], summary["evidence_submitted"],
            summary["evidence_returned"]) == (4, 1, 1)
    assert [e["id"] for e in data["evidence"]] == sorted(
        [s.on_time, s.late, s.pending, s.returned, s.resubmitted, s.nil])
    annex = {e["id"]: e for e in data["evidence"]}
    assert annex[s.returned]["status"] == "returned"
    assert annex[s.resubmitted]["reviewed_by"] == "mapo.reviewer"
    assert len(annex[s.resubmitted]["attachments"][0]["sha256"]) == 64

    # statuses of the seeded activity-years
    status = {a["activity"]: a for a in data["activities"]}
    assert status["S9-O1-v"]["status"] == "done"
    assert status["S9-O1-v"]["evidence"] == [s.on_time]
    assert status["S9-O1-iii"]["status"] == "done"
    assert status["S9-O4-i"]["status"] == "overdue"  # pending evidence is not done
    assert status["S5-O2-i"]["status"] == "done"
    assert status["S5-O2-i"]["evidence"] == [s.resubmitted]
    assert status["S15-O6-iii"]["status"] == "nil-return"

    # the whole plan's counts: every applicable activity-year not seeded is overdue, but a
    # one-off deliverable due in a later year, which is on track
    applicable = _applicable(cat, YEAR)
    later = [a for a in applicable if cadence_of(cat.activities[a]) is Cadence.DELIVERABLE
             and cat.activities[a].timeline.end > YEAR]
    assert summary["applicable"] == len(applicable)
    assert summary["not-applicable"] == len(cat.activities) - len(applicable)
    assert (summary["done"], summary["nil-return"], summary["done_total"]) == (3, 1, 4)
    assert summary["on-track"] == len(later)
    assert summary["overdue"] == len(applicable) - 4 - len(later)
    assert summary["due"] == summary["not-started"] == 0
    assert summary["percent_done"] == round(100 * 4 / len(applicable), 1)
    assert sorted(summary["evidence"]) == sorted([s.on_time, s.late, s.resubmitted, s.nil])

    # roll-ups: per committee, and every roll-up adds up to the total
    media = data["by_committee"]["media"]
    media_applicable = _applicable(cat, YEAR, "media")
    assert media["applicable"] == len(media_applicable)
    assert media["done"] == 2
    assert media["percent_done"] == round(100 * 2 / len(media_applicable), 1)
    assert data["by_committee"]["victim-care"]["nil-return"] == 1
    assert data["by_committee"]["legislative"]["done"] == 1
    for table in ("by_committee", "by_pillar", "by_goal", "by_objective", "by_year"):
        assert sum(r["applicable"] for r in data[table].values()) == len(applicable), table
        assert sum(r["done_total"] for r in data[table].values()) == 4, table
    s9 = cat.structure.objectives["S9"]
    assert data["by_objective"]["S9"]["done"] == 2
    assert data["by_goal"][s9.goal]["done"] >= 2
    assert data["by_pillar"][s9.primary_pillar]["done"] >= 2

    # on time: done and submitted by the due date (2024-01-31 for 2023 progress reports)
    assert data["on_time"]["media"] == {"accepted": 2, "on_time": 1, "rate": 50.0,
                                        "evidence": [s.on_time]}
    assert data["on_time"]["legislative"] == {"accepted": 1, "on_time": 1, "rate": 100.0,
                                              "evidence": [s.resubmitted]}
    assert data["on_time"]["victim-care"]["rate"] == 100.0

    # overdue: exactly the occurrences of 2023 past due and not accepted, with owners
    with db.reading() as session:
        expected = session.execute(
            select(OccurrenceRow.id, OccurrenceRow.owner).where(
                OccurrenceRow.period == YEAR, OccurrenceRow.due < AS_OF,
                OccurrenceRow.progress != "accepted", OccurrenceRow.withdrawn.is_(False))
        ).all()
    assert sorted((o["occurrence"], o["owner"]) for o in data["overdue"]) == sorted(
        (i, o) for i, o in expected)
    assert "S9-O4-i@2023" in {o["occurrence"] for o in data["overdue"]}
    assert summary["overdue_occurrences"] == len(expected)

    # indicator actuals against targets
    ind = {(i["activity"], i["number"]): i for i in data["indicators"]}
    assert ind[("S9-O1-v", 1)] | {"text": ""} == {
        "activity": "S9-O1-v", "number": 1, "text": "", "kind": "count",
        "target": "Minimum of 2", "target_value": 2, "actual": 3, "met": True, "reported": 1,
        "per_year": False, "years": 0, "years_met": 0, "by_year": {"2023": 3},
        "evidence": [s.on_time]}
    assert (ind[("S9-O1-iii", 1)]["actual"], ind[("S9-O1-iii", 1)]["evidence"]) == (10,
                                                                                  [s.late])
    assert (ind[("S9-O4-i", 1)]["actual"], ind[("S9-O4-i", 1)]["reported"]) == (0, 0)
    assert ind[("S5-O2-i", 1)]["actual"] == 1 and ind[("S5-O2-i", 1)]["met"] is True
    assert ind[("S5-O2-i", 2)]["actual"] == 1500.5
    assert ind[("S5-O2-i", 2)]["evidence"] == [s.resubmitted]
    assert ind[("S6-O1-iii", 1)]["met"] is False  # a deliverable target, nothing delivered

    # people, disaggregated per indicator: only the accepted row counts
    assert data["people"] == [{
        "activity": "S9-O1-iii", "number": 1, "text": "Number of people reached",
        "counts": {"age": {"adult": 8, "child": 2},
                   "nationality": {"indonesian": 3, "malaysian": 7},
                   "sex": {"female": 6, "male": 4}},
        "totals": {"age": 10, "nationality": 10, "sex": 10}, "evidence": [s.late]}]


def test_a_year_without_evidence_reports_zeros(seeded: tuple[Database, Seeded],
                                               builtin_catalog: Catalog, run: Run) -> None:
    db, _ = seeded
    data = _report(run, db, "annual", "--year", "2021", as_of=date(2021, 3, 1))
    summary = data["summary"]
    assert summary["done_total"] == 0 and summary["percent_done"] == 0.0
    assert summary["evidence_accepted"] == summary["evidence_submitted"] == 0
    assert data["evidence"] == [] and data["people"] == [] and data["on_time"] == {}
    assert all(i["actual"] == 0 for i in data["indicators"])
    assert summary["applicable"] == len(_applicable(builtin_catalog, 2021))
    # early in the year only what was due by then (a January meeting) can be overdue
    late = {o["activity"] for o in data["overdue"] if o["activity"]}
    assert summary["overdue"] == len(late) and all(o["due"] < "2021-03-01"
                                                   for o in data["overdue"])
    assert summary["on-track"] + summary["due"] == summary["applicable"] - len(late)


def test_committee_and_final_reports(seeded: tuple[Database, Seeded], run: Run) -> None:
    db, s = seeded
    media = _report(run, db, "committee", "Media and Publicity Committee", "--year", "2023")
    assert media["committee"] == "media" and list(media["by_committee"]) == ["media"]
    assert media["summary"]["done_total"] == 2
    assert {e["id"] for e in media["evidence"]} == {s.on_time, s.late, s.pending}
    assert [p["counts"]["sex"] for p in media["people"]] == [{"female": 6, "male": 4}]
    final = _report(run, db, "final")
    assert final["years"] == [2021, 2022, 2023, 2024, 2025]
    assert final["summary"]["done_total"] == 4
    assert final["by_year"]["2023"]["done_total"] == 4
    assert final["by_year"]["2022"]["done_total"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (("annual", "--year", "2030"), "Error: year 2030 is outside the plan (2021–2025)"),
    (("annual", "--year", "2020"), "Error: year 2020 is outside the plan (2021–2025)"),
    (("committee", "nobody"), "Error: unknown committee 'nobody' (known: "),
    (("committee", "media", "--year", "1999"), "Error: year 1999 is outside the plan"),
])
def test_bad_input_is_one_line(run: Run, tmp_path: Path, args: tuple[str, ...],
                               message: str) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"}
    result = run("report", *args, "--format", "json", env=env)
    assert result.exit_code != 0
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_pdf_and_xlsx_need_a_file(run: Run, tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"}
    result = run("report", "final", "--format", "xlsx", env=env)
    assert result.exit_code == 2 and "--format xlsx needs -o FILE" in result.stderr


class ShelterSection:
    """A plugin that adds a section to every report."""

    @hookimpl
    def naptip_report_sections(self, report: ReportContext) -> list[ReportSection]:
        return [ReportSection(
            id="shelters", title=f"Shelters in {report.years[-1]}",
            paragraphs=(f"Done so far: {report.summary['percent_done']}%.",),
            tables=(ReportTable(title="Beds", columns=("shelter", "beds"),
                                rows=(("Kuala Lumpur", 40), ("Johor Bahru", 25))),))]


class BrokenSection:
    @hookimpl
    def naptip_report_sections(self, report: ReportContext) -> list[str]:
        return ["not a section"]


def test_plugins_add_report_sections(seeded: tuple[Database, Seeded], loaded: LoadedPlugins,
                                     builtin_catalog: Catalog) -> None:
    from naptip.reports import make_report, resolve_scope
    from naptip.reports.html import render_html

    db, _ = seeded
    loaded.pm.register(ShelterSection(), name="shelters")
    loaded.pm.register(BrokenSection(), name="broken")
    try:
        report = make_report(db, builtin_catalog, resolve_scope(builtin_catalog, "annual",
                                                                year=YEAR),
                             as_of=AS_OF, plugins=loaded, charts=False)
    finally:
        for name in ("shelters", "broken"):
            loaded.pm.unregister(name=name)
    sections = report.figures["sections"]
    done = report.figures["summary"]["percent_done"]
    assert sections == [{"plugin": "shelters", "id": "shelters", "title": "Shelters in 2023",
                         "paragraphs": [f"Done so far: {done}%."],
                         "tables": [{"title": "Beds", "columns": ["shelter", "beds"],
                                     "rows": [["Kuala Lumpur", 40], ["Johor Bahru", 25]]}]}]
    assert [str(p) for p in report.warnings] == [
        "plugin 'broken': naptip_report_sections returned str, not ReportSection"]
    html = render_html(report)
    assert "Shelters in 2023" in html and "Johor Bahru" in html
    assert [s.id for s in report.sections][-2:] == ["plugin-shelters-shelters", "annex"]


# --- the rendered documents (SQLite only: the layout does not depend on the backend) ---

@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from naptip.plan import pluginmanager
    from naptip.plan.catalog import build_catalog

    folder = tmp_path_factory.mktemp("report-store")
    store = open_database(f"sqlite:///{folder / 'naptip.db'}", blobs=folder / "blobs")
    loaded = pluginmanager.build_plugin_manager(environ={
        "NAPTIP_ENABLE_PLUGINS": ",".join(pluginmanager.BUILTIN_PLUGINS)})
    catalog = build_catalog(loaded)
    sync(store, catalog, build_schedule(catalog))
    seed(EvidenceService(store, catalog, loaded), folder / "files")
    yield store
    store.dispose()


CHARTS = ("chart-pillar", "chart-committee", "chart-timeline", "chart-trend", "chart-targets")
TITLES = ("Summary", "Progress by pillar and goal", "Progress by committee",
          "Committees' narrative: gaps, challenges and adjustments",
          "Timeline and trend 2021–2023", "Activities overdue",
          "Indicators: actuals against targets", "Outputs: are they met?",
          "People counted, disaggregated",
          "Changes to the schedule", "Annex: evidence")


def _write(run: Run, store: Database, fmt: str, out: Path, *extra: str) -> None:
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "--format", fmt, "-o", str(out), *extra, env=db_env(store))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_html_is_self_contained_and_has_every_chart(sample_store: Database, run: Run,
                                                    tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = tmp_path / "annual.html"
    _write(run, sample_store, "html", out)
    text = out.read_text(encoding="utf-8")

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.h2: list[str] = []
            self.svgs = 0
            self.external: list[str] = []
            self._in_h2 = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if a.get("id"):
                self.ids.append(str(a["id"]))
            self.svgs += tag == "svg"
            self._in_h2 = tag == "h2"
            for key in ("src", "href"):
                if a.get(key) and not str(a[key]).startswith("#") and tag != "svg":
                    self.external.append(str(a[key]))

        def handle_data(self, data: str) -> None:
            if self._in_h2:
                self.h2.append(data)
                self._in_h2 = False

    parser = Collect()
    parser.feed(text)
    parser.close()
    assert all(c in parser.ids for c in CHARTS)
    assert parser.svgs >= len(CHARTS)
    assert parser.h2 == list(TITLES)
    assert parser.external == []
    assert "@page { size: A4" in text and "<link" not in text
    assert "S9-O4-i@2023" in text  # the overdue list
    timeline = text.split("id='chart-timeline'", 1)[1].split("</figure>", 1)[0]
    assert all(f">{y}<" in timeline for y in (2021, 2022, 2023))  # from 2021, not just 2023


def test_malay_report(sample_store: Database, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "annual-ms.html"
    _write(run, sample_store, "html", out, "--lang", "ms")
    text = out.read_text(encoding="utf-8")
    assert "Laporan Kajian Semula Tahunan 2023" in text and "Lampiran: bukti" in text
    assert "<html lang='ms'>" in text


def test_renders_in_chromium_to_png_and_pdf(sample_store: Database, run: Run,
                                            tmp_path: Path) -> None:
    from pypdf import PdfReader

    from naptip.reports.browser import chromium

    html = tmp_path / "annual.html"
    _write(run, sample_store, "html", html)
    with chromium() as browser:
        browser.open(html)
        assert browser.console_errors() == []
        png = browser.screenshot()
        pdf = browser.pdf()
        assert browser.console_errors() == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    assert pdf.startswith(b"%PDF-")
    out = tmp_path / "annual.pdf"
    _write(run, sample_store, "pdf", out)
    reader = PdfReader(out)
    assert 8 <= len(reader.pages) <= 40
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.replace("ﬃ", "ffi").replace("ﬁ", "fi").split())
    for title in ("Annual Review Report 2023", *TITLES):
        assert title in flat, title
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 in points


def test_xlsx_holds_numbers(sample_store: Database, run: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "annual.xlsx"
    _write(run, sample_store, "xlsx", out)
    book = load_workbook(out)
    assert {"committee", "pillar", "goal", "objective", "on time", "Activities overdue",
            "People by indicator", "Annex evidence"} <= set(book.sheetnames)
    committee = book["committee"]
    header = [c.value for c in committee[1]]
    assert header[0] == "committee" and header[-1] == "% done"
    rows = {r[0].value: r for r in committee.iter_rows(min_row=2)}
    media = rows["Media and Publicity Committee"]
    assert media[header.index("done")].value == 2
    assert all(isinstance(c.value, int) for c in media[1:-1])
    assert isinstance(media[-1].value, float)
    people = book["People by indicator"]
    values = {tuple(c.value for c in r[:5]): r[5].value for r in people.iter_rows(min_row=2)}
    female = ("S9-O1-iii", 1, "Number of people reached", "sex", "female")
    assert values[female] == 6 and isinstance(values[female], int)
    assert len(values) == 6
    overdue = book["Activities overdue"]
    assert all(isinstance(r[4].value, date) and isinstance(r[5].value, int)
               for r in overdue.iter_rows(min_row=2))


def test_csv_is_long_form(sample_store: Database, run: Run) -> None:
    import csv
    import io

    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "--format", "csv", env=db_env(sample_store))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    table: dict[str, dict[str, str]] = {}
    for r in rows:
        if r["section"] == "people":
            table.setdefault(r["row"], {})[r["column"]] = r["value"]
    counts = {(t["activity"], t["dimension"], t["category"]): t["people"]
              for t in table.values()}
    assert counts[("S9-O1-iii", "sex", "female")] == "6"
    assert counts[("S9-O1-iii", "nationality", "indonesian")] == "3"
    assert len(counts) == 6


def test_status_shows_progress_bars(sample_store: Database, run: Run) -> None:
    result = run("--as-of", AS_OF.isoformat(), "status", env={**db_env(sample_store),
                                                              "COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0] if not line.startswith(" P") else " ".join(line.split()[:2]):
             line for line in result.stdout.splitlines() if line.strip()}
    media = lines["media"]
    with sample_store.reading() as session:
        total = len(session.execute(select(OccurrenceRow.id).where(
            OccurrenceRow.owner == "media", OccurrenceRow.withdrawn.is_(False))).all())
    assert f"{100 * 2 / total:5.1f}%" in media
    assert "█░░░" in media  # the bar
    assert "P1 Prevention" in lines  # pillar names at this width

    narrow = run("--as-of", AS_OF.isoformat(), "status", env={**db_env(sample_store),
                                                              "COLUMNS": "80"})
    assert narrow.exit_code == 0 and max(map(len, narrow.stdout.splitlines())) <= 80
    assert "█░░░" in next(line for line in narrow.stdout.splitlines()
                          if line.split()[:1] == ["media"])


def test_pdf_without_chromium_is_one_line(sample_store: Database, run: Run, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("naptip.reports.browser.CHROMIUM", tmp_path / "no-chromium")
    result = run("--as-of", AS_OF.isoformat(), "report", "final", "--format", "pdf", "-o",
                 str(tmp_path / "r.pdf"), env=db_env(sample_store))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: PDF and PNG need Chromium and chromedriver: run ./scripts/install-browser "
        "(Debian packages chromium, chromium-driver)")
    assert not (tmp_path / "r.pdf").exists()


def test_install_browser_is_a_no_op_when_chromium_is_there() -> None:
    import subprocess

    from tests.conftest import ROOT

    assert Path("/usr/bin/chromium").exists()  # the test suite runs after the script
    done = subprocess.run([str(ROOT / "scripts" / "install-browser")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "" and "apt-get" not in done.stderr


def test_schedule_changes_come_from_the_store_history(seeded: tuple[Database, Seeded],
                                                      run: Run) -> None:
    from datetime import UTC, datetime

    from naptip.store.orm import OccurrenceChange

    db, _ = seeded
    from sqlalchemy import insert

    with db.engine.begin() as conn:
        conn.execute(insert(OccurrenceChange).values(
            occurrence_id="S9-O1-v@2023", changed_at=datetime(2024, 2, 1, 3, tzinfo=UTC),
            before={"due": "2024-01-31"}, after={"due": "2024-01-30"}))
    data = _report(run, db, "annual", "--year", "2023")
    assert data["schedule_changes"] == [{"occurrence": "S9-O1-v@2023",
                                         "changed_on": "2024-02-01",
                                         "before": {"due": "2024-01-31"},
                                         "after": {"due": "2024-01-30"}}]
    assert _report(run, db, "annual", "--year", "2022")["schedule_changes"] == []
    assert len(_report(run, db, "annual", "--year", "2024")["schedule_changes"]) == 1


def _accept(db: Database, catalog: Catalog, loaded: LoadedPlugins, occurrence: str,
            submitted: str, reviewed: str, files: Path, done_on: date | None = None,
            values: dict[str, str] | None = None) -> int:
    """Submit evidence for ``occurrence`` on day ``submitted`` (with one document) and
    accept it on day ``reviewed``."""
    from tests.report_seed import _at

    files.mkdir(parents=True, exist_ok=True)
    doc = files / f"{occurrence.replace('@', '-')}.pdf"
    doc.write_bytes(b"%PDF-1.7\n% " + occurrence.encode() + b"\n")
    service = EvidenceService(db, catalog, loaded)
    eid = service.submit(Submission(occurrence_id=occurrence, actor="mapo.officer",
                                    values=values or {}, files=[str(doc)],
                                    done_on=done_on),
                         today=date.fromisoformat(submitted), now=_at(submitted))
    service.review(eid, accept=True, reason=None, actor="mapo.reviewer", now=_at(reviewed))
    return eid


def test_the_annual_review_counts_once_for_its_one_owner(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    """S34-O2-i is the plan's NSO MAPO activity; the annual-review duty that fulfils it has
    the same owner, so the annual and committee reports count it once, for nso-mapo."""
    db, _ = seeded
    eid = _accept(db, builtin_catalog, loaded, "annual-review@2023-03-08", "2023-03-08",
                  "2023-03-09", tmp_path / "docs")
    with db.reading() as session:
        owners = set(session.execute(select(OccurrenceRow.owner).where(
            OccurrenceRow.duty_id == "annual-review")).scalars())
    assert owners == {"nso-mapo"}

    annual = _report(run, db, "annual", "--year", "2023")
    mapo = _report(run, db, "committee", "nso-mapo", "--year", "2023")
    monitoring = _report(run, db, "committee", "monitoring", "--year", "2023")
    review = {a["activity"]: a for a in annual["activities"]}["S34-O2-i"]
    assert (review["owner"], review["status"], review["evidence"]) == ("nso-mapo", "done",
                                                                      [eid])
    assert {a["activity"]: a for a in mapo["activities"]}["S34-O2-i"] == review
    assert mapo["summary"]["done_total"] == annual["by_committee"]["nso-mapo"]["done_total"]
    assert mapo["on_time"] == {"nso-mapo": annual["on_time"]["nso-mapo"]}
    assert eid in [e["id"] for e in mapo["evidence"]]
    assert eid not in [e["id"] for e in monitoring["evidence"]]
    assert not any(o["occurrence"].startswith("annual-review@")
                   for o in monitoring["overdue"])


def test_a_one_off_deliverable_counts_once_in_the_year_it_was_delivered(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    """S1-O1-iii (amend the ATIPSOM Act, 2021-2025) accepted in 2025 is one done
    activity-year, 2025's, with its evidence; the years before were on track."""
    db, _ = seeded
    eid = _accept(db, builtin_catalog, loaded, "S1-O1-iii@deliverable", "2025-06-02",
                  "2025-06-03", tmp_path / "docs", values={"1": "yes@2025-05-30"})
    later = date(2026, 1, 15)

    early = _report(run, db, "annual", "--year", "2021", as_of=later)
    act = {a["activity"]: a for a in early["activities"]}["S1-O1-iii"]
    assert (act["status"], act["evidence"]) == ("on-track", [])
    assert early["by_committee"]["legislative"]["done_total"] == 0
    assert eid not in early["summary"]["evidence"]

    final = _report(run, db, "final", as_of=later)
    years = {a["year"]: a for a in final["activities"] if a["activity"] == "S1-O1-iii"}
    assert {y: a["status"] for y, a in years.items()} == {
        2021: "on-track", 2022: "on-track", 2023: "on-track", 2024: "on-track",
        2025: "done"}
    assert years[2025]["evidence"] == [eid]
    assert [a["evidence"] for y, a in years.items() if y < 2025] == [[]] * 4
    assert final["by_committee"]["legislative"]["done_total"] == 2  # with S5-O2-i@2023
    assert final["summary"]["done_total"] == 4 + 1

    last = _report(run, db, "annual", "--year", "2025", as_of=later)
    assert {a["activity"]: a for a in last["activities"]}["S1-O1-iii"]["evidence"] == [eid]
    assert eid in [e["id"] for e in last["evidence"]]


def test_a_deliverable_done_early_counts_in_its_year_and_not_after(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    db, _ = seeded
    eid = _accept(db, builtin_catalog, loaded, "S1-O1-iii@deliverable", "2024-02-01",
                  "2024-02-02", tmp_path / "docs", done_on=date(2023, 11, 30),
                  values={"1": "yes@2023-11-30"})
    later = date(2026, 1, 15)
    final = _report(run, db, "final", as_of=later)
    years = {a["year"]: a["status"] for a in final["activities"]
             if a["activity"] == "S1-O1-iii"}
    assert years == {2021: "on-track", 2022: "on-track", 2023: "done",
                     2024: "not-applicable", 2025: "not-applicable"}
    annual = _report(run, db, "annual", "--year", "2023", as_of=later)
    act = {a["activity"]: a for a in annual["activities"]}["S1-O1-iii"]
    assert (act["status"], act["evidence"]) == ("done", [eid])
    assert eid in [e["id"] for e in annual["evidence"]]
    indicator = {(i["activity"], i["number"]): i for i in annual["indicators"]}
    assert indicator[("S1-O1-iii", 1)]["evidence"] == [eid]
    assert eid not in [e["id"] for e in _report(run, db, "annual", "--year", "2025",
                                                as_of=later)["evidence"]]


def test_as_of_leaves_out_what_was_submitted_or_reviewed_after_it(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    """The seed submits 2023's evidence from 2024-01-02 to 2024-03-05; as of 2024-01-10
    only what was in by then counts, as it stood then."""
    db, s = seeded
    late = _accept(db, builtin_catalog, loaded, "S9-O2-ii@2023", "2026-02-01", "2026-02-02",
                   tmp_path / "docs", values={"1": "1"})
    day = date(2024, 1, 10)
    data = _report(run, db, "annual", "--year", "2023", as_of=day)
    rows = {e["id"]: e for e in data["evidence"]}
    # submitted by then: the nil return (accepted 01-03), the returned row (returned
    # 01-08) and its resubmission (01-12: not yet); the on-time row came on 01-10
    assert sorted(rows) == sorted([s.nil, s.returned, s.on_time])
    assert rows[s.on_time]["status"] == "submitted"  # accepted on 01-15, after the day
    assert rows[s.on_time]["reviewed_by"] is None
    assert (rows[s.nil]["status"], rows[s.returned]["status"]) == ("accepted", "returned")
    assert late not in rows and s.late not in rows and s.pending not in rows
    summary = data["summary"]
    assert (summary["evidence_accepted"], summary["evidence_submitted"],
            summary["evidence_returned"]) == (1, 1, 1)
    assert (summary["done"], summary["nil-return"]) == (0, 1)
    assert data["people"] == []
    status = {a["activity"]: a["status"] for a in data["activities"]}
    assert (status["S9-O1-v"], status["S9-O2-ii"]) == ("due", "due")
    # today, the 2026 row counts (and the seeded rows as they are now)
    now = _report(run, db, "annual", "--year", "2023", as_of=date(2026, 12, 6))
    assert {e["id"] for e in now["evidence"]} >= {late, s.late, s.pending}
    assert {a["activity"]: a["status"] for a in now["activities"]}["S9-O2-ii"] == "done"


def test_a_saved_report_is_given_back_byte_for_byte_after_more_evidence(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    import hashlib

    from sqlalchemy import update

    from naptip.store.orm import ReportSnapshot

    db, _ = seeded
    env = {**db_env(db), "NAPTIP_USER": "Siti (NSO MAPO)"}
    presented = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", "2023",
                    "--format", "json", "--save", env=env)
    assert presented.exit_code == 0, presented.output
    assert presented.stderr.splitlines()[-1].startswith("saved as report #1 (SHA-256 ")
    html = tmp_path / "committee.html"
    second = run("--as-of", AS_OF.isoformat(), "report", "committee", "media", "--year",
                 "2023", "-o", str(html), "--save", "--as", "Aminah", env=env)
    assert second.exit_code == 0, second.output
    assert "saved as report #2" in second.stderr

    # more evidence arrives, dated before the as-of day: a new report differs...
    _accept(db, builtin_catalog, loaded, "S9-O2-ii@2023", "2024-05-02", "2024-05-03",
            tmp_path / "docs", values={"1": "4"})
    again = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", "2023",
                "--format", "json", env=env)
    assert again.stdout_bytes != presented.stdout_bytes
    # ...the saved one does not
    shown = run("report", "show", "1", env=env)
    assert shown.exit_code == 0 and shown.stdout_bytes == presented.stdout_bytes
    copy = tmp_path / "copy.html"
    assert run("report", "show", "2", "-o", str(copy), env=env).exit_code == 0
    assert copy.read_bytes() == html.read_bytes()
    figures = json.loads(run("report", "show", "2", "--json", env=env).stdout)
    assert figures["committee"] == "media" and figures["summary"]["done_total"] == 2

    listed = json.loads(run("report", "list", "--json", env=env).stdout)
    assert [(r["id"], r["report"], r["years"], r["committee"], r["format"], r["as_of"],
             r["saved_by"]) for r in listed] == [
        (1, "annual", [2023], None, "json", "2024-06-30", "Siti (NSO MAPO)"),
        (2, "committee", [2023], "media", "html", "2024-06-30", "Aminah")]
    assert listed[0]["sha256"] == hashlib.sha256(presented.stdout_bytes).hexdigest()
    assert listed[1]["bytes"] == html.stat().st_size
    text = run("--as-of", AS_OF.isoformat(), "report", "list", env={**env, "COLUMNS": "80"})
    assert "#1" in text.stdout and "Annual Review Report 2023" in text.stdout
    assert max(map(len, text.stdout.splitlines())) <= 80

    # the audit covers the snapshots: a changed byte is found by show and by audit verify
    assert run("audit", "verify", env=env).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(update(ReportSnapshot).where(ReportSnapshot.id == 1).values(
            content=presented.stdout_bytes.replace(b"2023", b"2022", 1)))
    broken = run("report", "show", "1", env=env)
    assert broken.exit_code == 1 and broken.stdout_bytes == b""
    assert broken.stderr.startswith("Error: saved report #1 no longer matches its SHA-256")
    assert broken.stderr.count("\n") == 1
    verify = run("audit", "verify", env=env)
    assert verify.exit_code == 1
    assert "tampered: report snapshot #1: " in verify.stderr
    missing = run("report", "show", "9", env=env)
    assert missing.exit_code == 1 and missing.stderr == (
        "Error: no saved report #9 (see `naptip report list`)\n")


def test_a_target_for_each_year_is_met_only_when_every_year_meets_it(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, loaded: LoadedPlugins,
        run: Run, tmp_path: Path) -> None:
    """S34-O2-i ("1 report each year", 2022-2025) with 2 reviews, and S9-O1-i (a yearly
    deliverable, target 1, 2021-2025) with 2 World Day reports, are not met in the final
    report; each is met in the annual report of a year that has it."""
    db, _ = seeded
    docs = tmp_path / "docs"
    for occurrence, day in (("annual-review@2023-03-08", "2023-03-08"),
                            ("annual-review@2024-03-13", "2024-03-13"),
                            ("world-day@2022-07-30", "2022-08-10"),
                            ("world-day@2023-07-30", "2023-08-10")):
        _accept(db, builtin_catalog, loaded, occurrence, day, day, docs, values={"1": "1"})
    later = date(2026, 1, 15)
    final = {(i["activity"], i["number"]): i
             for i in _report(run, db, "final", as_of=later)["indicators"]}
    review, world_day = final[("S34-O2-i", 1)], final[("S9-O1-i", 1)]
    assert (review["actual"], review["target_value"], review["met"]) == (2, 1, False)
    assert (review["per_year"], review["years"], review["years_met"]) == (True, 4, 2)
    assert (world_day["actual"], world_day["met"], world_day["years"],
            world_day["years_met"]) == (2, False, 5, 2)
    annual = {(i["activity"], i["number"]): i
              for i in _report(run, db, "annual", "--year", "2023", as_of=later)["indicators"]}
    assert annual[("S34-O2-i", 1)]["met"] is True and annual[("S9-O1-i", 1)]["met"] is True
    assert (annual[("S34-O2-i", 1)]["years"], annual[("S34-O2-i", 1)]["years_met"]) == (1, 1)
    none = {(i["activity"], i["number"]): i
            for i in _report(run, db, "annual", "--year", "2021", as_of=later)["indicators"]}
    assert none[("S34-O2-i", 1)]["met"] is None  # not in its timeline (2022-2025)
    assert none[("S9-O1-i", 1)]["met"] is False
    # the table says how many years
    out = tmp_path / "final.csv"
    result = run("--as-of", later.isoformat(), "report", "final", "--format", "csv", "-o",
                 str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    assert "no (2 of 4 years)" in out.read_text(encoding="utf-8")


def test_the_targets_chart_shows_what_has_actuals_and_says_what_is_left_out(
        seeded: tuple[Database, Seeded], run: Run, tmp_path: Path) -> None:
    db, _ = seeded
    data = _report(run, db, "annual", "--year", "2023")
    targeted = [i for i in data["indicators"] if i["target_value"] is not None]
    with_actuals = [f"{i['activity']} #{i['number']}" for i in targeted if i["reported"]]
    without = [f"{i['activity']} #{i['number']}" for i in targeted if not i["reported"]]
    assert len(with_actuals) >= 2 and len(targeted) > 20  # the first 20 missed them
    out = tmp_path / "annual.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", "2023", "-o",
                 str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    chart = text.split("id='chart-targets'", 1)[1].split("</figure>", 1)[0]
    assert all(f">{label}<" in chart for label in with_actuals)
    assert not any(f">{label}<" in chart for label in without)
    section = text.split("<section id='indicators'", 1)[1].split("</section>", 1)[0]
    assert (f"The chart shows the {len(with_actuals)} indicators with a target and accepted "
            f"evidence; {len(without)} indicators with a target and no accepted evidence yet "
            "are left out of it") in section


def test_after_the_plan_a_missed_deliverable_is_overdue_in_earlier_years_reports(
        seeded: tuple[Database, Seeded], builtin_catalog: Catalog, run: Run,
        tmp_path: Path) -> None:
    db, _ = seeded
    one_off = [a.id for a in builtin_catalog.activities.values()
               if cadence_of(a) is Cadence.DELIVERABLE and 2023 in a.timeline
               and a.timeline.end > 2023]
    assert "S10-O1-i" in one_off
    then = {a["activity"]: a["status"]
            for a in _report(run, db, "annual", "--year", "2023")["activities"]}
    assert {then[a] for a in one_off} == {"on-track"}  # 2024-06-30: the deadline is ahead
    today = date(2026, 12, 6)
    data = _report(run, db, "annual", "--year", "2023", as_of=today)
    now = {a["activity"]: a["status"] for a in data["activities"]}
    assert {now[a] for a in one_off} == {"overdue"}  # their 2025 deadline has passed
    assert data["summary"]["on-track"] == 0

    out = tmp_path / "annual.html"
    assert run("--as-of", today.isoformat(), "report", "annual", "--year", "2023", "-o",
               str(out), env=db_env(db)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "<h2>Timeline and trend 2021–2023</h2>" in text
    assert "Activities per year, 2021–2023" in text and "2021–2025" not in text
    first = tmp_path / "committee.html"
    assert run("--as-of", today.isoformat(), "report", "committee", "media", "--year",
               "2021", "-o", str(first), env=db_env(db)).exit_code == 0
    assert "<h2>Timeline and trend 2021</h2>" in first.read_text(encoding="utf-8")


# --- issue 20 §2: what the M&E Committee needs (seed_more: two more people indicators) ---

@pytest.fixture
def seeded_more(seeded: tuple[Database, Seeded], builtin_catalog: Catalog,
                loaded: LoadedPlugins) -> tuple[Database, Seeded, SeededMore]:
    db, s = seeded
    return db, s, seed_more(EvidenceService(db, builtin_catalog, loaded))


def _html_section(text: str, section: str) -> str:
    return text.split(f"<section id='{section}'", 1)[1].split("</section>", 1)[0]


def test_people_are_counted_per_indicator_never_pooled(
        seeded_more: tuple[Database, Seeded, SeededMore], run: Run, tmp_path: Path) -> None:
    """Officers trained (15 women), victims served (12 women) and people reached (6 women)
    are three tables, never "33 women": in the JSON, the xlsx and the HTML."""
    from openpyxl import load_workbook

    db, s, more = seeded_more
    expected = {**MORE_PEOPLE, ("S9-O1-iii", 1): {
        "sex": {"female": 6, "male": 4}, "nationality": {"indonesian": 3, "malaysian": 7},
        "age": {"adult": 8, "child": 2}}}
    evidence = {("S7-O1-i", 1): [more.officers], ("S15-O4-i", 1): [more.victims],
                ("S9-O1-iii", 1): [s.late]}

    data = _report(run, db, "annual", "--year", str(YEAR))
    people = {(p["activity"], p["number"]): p for p in data["people"]}
    assert set(people) == set(expected)  # the pending S9-O4-i row (5 women) is not there
    for key, counts in expected.items():
        assert people[key]["counts"] == counts, key
        assert people[key]["totals"] == {d: sum(c.values()) for d, c in counts.items()}
        assert people[key]["evidence"] == evidence[key]
    assert people[("S7-O1-i", 1)]["text"] == "Number of officers trained"
    assert "people_evidence" not in data  # no pooled figure left anywhere

    out = tmp_path / "annual.xlsx"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "--format", "xlsx", "-o", str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["People by indicator"]
    assert [c.value for c in sheet[1]] == ["activity", "#", "indicator", "dimension",
                                          "category", "people", "evidence"]
    cells: dict[tuple[str, int], dict[str, dict[str, int]]] = {}
    for r in sheet.iter_rows(min_row=2, values_only=True):
        cells.setdefault((str(r[0]), int(str(r[1]))), {}).setdefault(str(r[3]), {})[
            str(r[4])] = r[5]
    assert cells == expected

    page = tmp_path / "annual.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "-o", str(page), env=db_env(db))
    assert result.exit_code == 0, result.output
    html = _html_section(page.read_text(encoding="utf-8"), "people")
    tables = dict(re.findall(r"<h3>([^<]*)</h3>(<table>.*?</table>)", html))
    officers = tables[f"S7-O1-i #1: Number of officers trained (evidence #{more.officers})"]
    victims = tables[f"S15-O4-i #1: Number of victims received services "
                     f"(evidence #{more.victims})"]
    reached = tables[f"S9-O1-iii #1: Number of people reached (evidence #{s.late})"]
    row = "<tr><td>{}</td><td>{}</td><td class='n'>{}</td></tr>"
    assert row.format("sex", "female", 15) in officers
    assert row.format("sex", "total", 20) in officers
    assert row.format("sex", "female", 12) in victims
    assert row.format("nationality", "myanmar", 5) in victims
    assert row.format("age", "child", 3) in victims
    assert row.format("sex", "female", 6) in reached
    assert len(tables) == 3
    assert not re.search(r"<td>female</td><td class='n'>(33|27|21|18)</td>", html)

    # the final report adds the 2022 row to the victims' indicator, and only to it
    final = {(p["activity"], p["number"]): p for p in _report(run, db, "final")["people"]}
    assert final[("S15-O4-i", 1)]["counts"]["sex"] == {"female": 15, "male": 1}
    assert final[("S15-O4-i", 1)]["evidence"] == sorted([more.victims_2022, more.victims])
    assert final[("S7-O1-i", 1)]["counts"]["sex"] == {"female": 15, "male": 5}


def test_evidence_by_review_status_per_committee_and_overdue_grouped_with_days(
        seeded_more: tuple[Database, Seeded, SeededMore], builtin_catalog: Catalog,
        run: Run, tmp_path: Path) -> None:
    db, s, more = seeded_more
    data = _report(run, db, "annual", "--year", str(YEAR))

    # awaiting review and returned, per committee (the owner of the occurrence)
    by = data["evidence_by_committee"]
    assert {k: (v["accepted"], v["submitted"], v["returned"]) for k, v in by.items()} == {
        "media": (2, 1, 0), "legislative": (1, 0, 1), "victim-care": (2, 0, 0),
        "enforcement": (1, 0, 0)}
    assert by["media"]["evidence"] == {"accepted": [s.on_time, s.late],
                                       "submitted": [s.pending], "returned": []}
    assert by["legislative"]["evidence"]["returned"] == [s.returned]
    assert by["victim-care"]["evidence"]["accepted"] == sorted([s.nil, more.victims])
    summary = data["summary"]
    for status, total in (("accepted", "evidence_accepted"), ("submitted",
                                                             "evidence_submitted"),
                          ("returned", "evidence_returned")):
        assert sum(v[status] for v in by.values()) == summary[total]

    # days overdue, on the as-of day
    for o in data["overdue"]:
        assert o["days_overdue"] == (AS_OF - date.fromisoformat(o["due"])).days > 0
    # grouped by committee: a duty's meetings and steps, a year's progress reports, one line
    groups = data["overdue_by_committee"]
    lines = [g for rows in groups.values() for g in rows]
    listed = [oid for g in lines for oid in g["occurrences"]]
    assert sorted(listed) == sorted(o["occurrence"] for o in data["overdue"])  # each once
    assert len(data["overdue"]) > 200 and len(lines) < 40
    owner = {o["occurrence"]: o["owner"] for o in data["overdue"]}
    assert all(owner[oid] == c for c, rows in groups.items() for g in rows
               for oid in g["occurrences"])
    media = {g["key"]: g for g in groups["media"]}
    world_day = media["world-day"]
    assert world_day["title"] == "World Day Against Trafficking in Persons"
    assert {"world-day@2023-07-30/planning", "world-day@2023-07-30/publicity",
            "world-day@2023-07-30"} <= set(world_day["occurrences"])
    assert world_day["activities"] == ["S9-O1-i"]
    meeting = {g["key"]: g for g in groups["legislative"]}["legislative-committee-meeting"]
    assert meeting["count"] == 4 and meeting["first_due"] == "2023-01-04"
    assert meeting["days_overdue"] == (AS_OF - date(2023, 1, 4)).days == 543
    reports = media["progress-report@2023"]
    assert "S9-O4-i" in reports["activities"]  # pending evidence is still overdue
    assert reports["occurrences"] == [f"{a}@2023" for a in reports["activities"]]
    assert reports["count"] == len(reports["activities"]) > 10
    assert reports["days_overdue"] == (AS_OF - date(2024, 1, 31)).days
    enforcement = {g["key"]: g for g in groups["enforcement"]}["enforcement-meeting"]
    assert enforcement["title"] == ("Enforcement coordination meeting of the five "
                                    "enforcement agencies")  # the host rotates

    page = tmp_path / "annual.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "-o", str(page), env=db_env(db))
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    committees = _html_section(text, "committees")
    table = committees.split("<h3>Evidence by review status</h3>", 1)[1].split("</table>")[0]
    assert "<th>awaiting review</th><th>returned</th>" in table
    assert ("<tr><td>Media and Publicity Committee</td><td class='n'>2</td>"
            "<td class='n'>1</td><td class='n'>0</td></tr>") in table
    assert ("<tr><td>Legislative Committee</td><td class='n'>1</td>"
            "<td class='n'>0</td><td class='n'>1</td></tr>") in table
    overdue = _html_section(text, "overdue")
    titles = re.findall(r"<h3>([^<]*)</h3>", overdue)
    n = sum(g["count"] for g in groups["legislative"])
    assert titles[0] == f"Legislative Committee: {n} overdue"
    assert len(titles) == len(groups)
    assert overdue.count("<tr><td>") == len(lines)
    assert ("<tr><td>Legislative Committee meeting</td><td></td><td class='n'>4</td>"
            "<td class='d'>2023-01-04 – 2023-10-04</td><td class='n'>543</td></tr>") in overdue
    assert "world-day@2023-07-30/planning" not in overdue  # collapsed


def test_xlsx_has_the_activity_year_statuses_and_the_summary_counts(
        seeded_more: tuple[Database, Seeded, SeededMore], run: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, s, more = seeded_more
    data = _report(run, db, "final")
    out = tmp_path / "final.xlsx"
    result = run("--as-of", AS_OF.isoformat(), "report", "final", "--format", "xlsx", "-o",
                 str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    names = book.sheetnames
    assert names[:3] == ["year", "Summary counts", "Activity-year statuses"]
    assert {"committee", "Evidence by review status", "Activities overdue",
            "People by indicator", "Annex evidence"} <= set(names)  # today's sheets stay

    counts = {r[0]: r[1] for r in book["Summary counts"].iter_rows(min_row=2,
                                                                    values_only=True)}
    summary = data["summary"]
    assert counts == {
        "overdue": summary["overdue"], "due": summary["due"],
        "on track": summary["on-track"], "not started": summary["not-started"],
        "on demand, nil return": summary["nil-return"], "done": summary["done"],
        "not applicable this year": summary["not-applicable"],
        "activity-years": summary["applicable"],
        "done, nil returns included": summary["done_total"],
        "% done": summary["percent_done"],
        "occurrences overdue": summary["overdue_occurrences"],
        "accepted": summary["evidence_accepted"],
        "awaiting review": summary["evidence_submitted"],
        "returned": summary["evidence_returned"]}
    assert (counts["done"], counts["on demand, nil return"], counts["accepted"],
            counts["awaiting review"], counts["returned"]) == (6, 1, 7, 1, 1)
    assert isinstance(counts["% done"], float) and isinstance(counts["done"], int)

    sheet = book["Activity-year statuses"]
    header = [c.value for c in sheet[1]]
    assert header == ["activity", "activity text", "year", "status", "committee", "pillar",
                      "goal", "objective", "occurrence", "evidence"]
    rows = {(r[0], r[2]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == len(data["activities"]) == 5 * len(
        {a["activity"] for a in data["activities"]})
    label = {"done": "done", "nil-return": "on demand, nil return", "overdue": "overdue",
             "on-track": "on track", "due": "due", "not-started": "not started",
             "not-applicable": "not applicable this year"}
    for a in data["activities"]:
        row = rows[(a["activity"], a["year"])]
        assert row[3] == label[a["status"]], a
        assert (row[5], row[6], row[7]) == (a["pillar"], a["goal"], a["objective"])
        assert (row[9] or "") == " ".join(f"#{i}" for i in a["evidence"])
    assert rows[("S7-O1-i", 2023)][3:5] == ("done", "Enforcement Committee")
    assert rows[("S7-O1-i", 2023)][9] == f"#{more.officers}"
    assert rows[("S15-O4-i", 2022)][9] == f"#{more.victims_2022}"
    assert rows[("S9-O4-i", 2023)][3] == "overdue"  # pending, never reviewed
    assert rows[("S5-O2-i", 2023)][9] == f"#{s.resubmitted}"
    assert isinstance(rows[("S7-O1-i", 2023)][2], int)


def _charts(html: str) -> dict[str, str]:
    return {c: html.split(f"id='{c}'", 1)[1].split("</figure>", 1)[0] for c in CHARTS}


def _axis_titles(svg: str) -> list[str]:
    """pygal's axis titles (class "title", not the chart's "title plot_title")."""
    return [" ".join(t.split()) for t in re.findall(r'class="title"[^>]*>([^<]*)<', svg)]


def test_malay_throughout_names_statuses_and_chart_labels(
        seeded_more: tuple[Database, Seeded, SeededMore], run: Run, tmp_path: Path) -> None:
    db, s, _ = seeded_more
    page = tmp_path / "media-ms.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "committee", "media", "--year",
                 str(YEAR), "--lang", "ms", "-o", str(page), env=db_env(db))
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "<h1>Kemajuan Jawatankuasa Media dan Publisiti 2023</h1>" in text
    assert "Media and Publicity Committee 2023" not in text  # the old mixed title
    charts = _charts(text)
    assert ">Jawatankuasa Media dan Publisiti<" in charts["chart-committee"]
    assert ">KKMM<" not in charts["chart-committee"]
    pillar = set(re.findall(r">(P\d [^<]+)<", charts["chart-pillar"]))
    assert pillar == {"P1 Pencegahan"}  # the media committee's activities are all P1
    assert "<td>P1 Pencegahan</td>" in _html_section(text, "pillars")
    assert "<td>Jawatankuasa Media dan Publisiti</td>" in _html_section(text, "committees")
    assert ">mengikut landasan<" in charts["chart-timeline"]  # the statuses in the legend

    annual = tmp_path / "annual-ms.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "--lang", "ms", "-o", str(annual), env=db_env(db))
    assert result.exit_code == 0, result.output
    text = annual.read_text(encoding="utf-8")
    annex = _html_section(text, "annex")
    status = dict(re.findall(r"<tr><td class='n'>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>",
                             annex))
    assert (status[str(s.on_time)], status[str(s.pending)], status[str(s.returned)],
            status[str(s.nil)]) == ("diterima", "menunggu semakan", "dikembalikan",
                                    "diterima (nil)")
    pillars = set(re.findall(r">(P\d [^<]+)<", _charts(text)["chart-pillar"]))
    assert pillars == {"P1 Pencegahan", "P2 Pendakwaan &amp; Penguatkuasaan",
                       "P3 Perlindungan", "P4 Perkongsian"}
    people = _html_section(text, "people")
    assert "<tr><td>jantina</td><td>perempuan</td><td class='n'>15</td></tr>" in people
    assert "<tr><td>umur</td><td>kanak-kanak</td><td class='n'>3</td></tr>" in people
    committees = _html_section(text, "committees")
    for name in ("Jawatankuasa Perundangan", "Jawatankuasa Penguatkuasaan",
                 "Jawatankuasa Khas Memantau Isu Buruh Paksa"):
        assert f"<td>{name}</td>" in committees
    assert "Legislative Committee<" not in committees
    overdue = _html_section(text, "overdue")
    assert "<h3>Jawatankuasa Perundangan: " in overdue and "Laporan kemajuan 2023" in overdue
    indicators = _html_section(text, "indicators")
    assert "<td>bilangan</td>" in indicators and "<td>count</td>" not in indicators


def test_charts_have_axis_titles_full_labels_and_the_tables_names(
        seeded_more: tuple[Database, Seeded, SeededMore], run: Run, tmp_path: Path) -> None:
    db, _, _ = seeded_more
    for lang, axes, long_label in (
            ("en", {"chart-pillar": ["activity-years", "pillar"],
                    "chart-committee": ["activity-years", "committee"],
                    "chart-timeline": ["year", "activity-years"],
                    "chart-trend": ["year", "% done"],
                    "chart-targets": ["target and actual", "indicator (activity #)"]},
             "Special Committee to Oversee Forced Labour Issues"),
            ("ms", {"chart-pillar": ["aktiviti-tahun", "teras"],
                    "chart-committee": ["aktiviti-tahun", "jawatankuasa"],
                    "chart-timeline": ["tahun", "aktiviti-tahun"],
                    "chart-trend": ["tahun", "% selesai"],
                    "chart-targets": ["sasaran dan pencapaian", "petunjuk (aktiviti #)"]},
             "Jawatankuasa Penjagaan dan Perlindungan Mangsa")):
        page = tmp_path / f"annual-{lang}.html"
        result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                     "--lang", lang, "-o", str(page), env=db_env(db))
        assert result.exit_code == 0, result.output
        text = page.read_text(encoding="utf-8")
        charts = _charts(text)
        for chart, titles in axes.items():
            found = _axis_titles(charts[chart])
            assert " ".join(found) == " ".join(titles), (lang, chart, found)
        for chart, svg in charts.items():
            assert "…" not in svg, (lang, chart)  # no label or legend cut short
        # the committees are named as in the tables, in full
        table = _html_section(text, "committees").split("</table>", 1)[0]
        names = re.findall(r"<tr><td>([^<]+)</td>", table)
        assert len(names) == 6 and long_label in names  # monitoring owns no activity
        shown = set(re.findall(r">([^<>]+)</text>", charts["chart-committee"]))
        assert set(names) <= shown, set(names) - shown
        legend = "on demand, nil return" if lang == "en" else "atas keperluan, pulangan nil"
        assert f">{legend}<" in charts["chart-pillar"]


def test_outputs_roll_up_with_their_activities_and_indicators_year_by_year(
        seeded_more: tuple[Database, Seeded, SeededMore], builtin_catalog: Catalog,
        run: Run, tmp_path: Path) -> None:
    """The plan's "whether expected outputs are met": each output's activity-years and
    indicators, with the actual of each year, in the JSON, the xlsx and the HTML."""
    from openpyxl import load_workbook

    db, s, more = seeded_more
    cat = builtin_catalog
    data = _report(run, db, "final")
    outputs = {o["output"]: o for o in data["outputs"]}
    assert len(outputs) == len(cat.structure.outputs) == 78
    assert [o["output"] for o in data["outputs"]][:4] == ["S1-O1", "S2-O1", "S2-O2", "S3-O1"]
    for oid, o in outputs.items():
        assert o["activities"] == [a.id for a in cat.activities.values() if a.output == oid]
        assert o["text"] == cat.structure.outputs[oid].text
    for field in ("applicable", "done_total", "overdue"):
        assert sum(o[field] for o in outputs.values()) == data["summary"][field], field

    def indicator(oid: str, activity: str, number: int = 1) -> dict[str, Any]:
        return next(i for i in outputs[oid]["indicators"]
                    if (i["activity"], i["number"]) == (activity, number))

    zero = dict.fromkeys(("2021", "2022", "2023", "2024", "2025"), 0)
    reached = indicator("S9-O1", "S9-O1-v")  # "Minimum of 2": 3 stories in 2023
    assert (reached["by_year"], reached["actual"], reached["met"]) == (
        {**zero, "2023": 3}, 3, True)
    assert reached["evidence"] == [s.on_time]
    victims = indicator("S15-O4", "S15-O4-i")
    assert (victims["by_year"], victims["actual"]) == ({**zero, "2022": 4, "2023": 12}, 16)
    assert victims["evidence"] == sorted([more.victims, more.victims_2022])
    assert indicator("S7-O1", "S7-O1-i")["by_year"] == {**zero, "2023": 20}
    world_day = indicator("S9-O1", "S9-O1-i")  # 1 each year, none reported
    assert (world_day["per_year"], world_day["met"]) == (True, False)
    s9 = outputs["S9-O1"]
    assert (s9["done_total"], s9["met"]) == (2, False)  # S9-O1-iii and -v in 2023
    assert (s9["targeted"], s9["targets_met"]) == (3, 1)
    assert s9["evidence"] == sorted([s.on_time, s.late])
    guidelines = outputs["S5-O2"]
    assert indicator("S5-O2", "S5-O2-i", 2)["by_year"]["2023"] == 1500.5
    assert guidelines["done_total"] == 1
    no_target = [o for o in outputs.values() if not o["targeted"]]
    assert all(o["met"] is None for o in no_target) and no_target

    out = tmp_path / "final.xlsx"
    result = run("--as-of", AS_OF.isoformat(), "report", "final", "--format", "xlsx", "-o",
                 str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    table = {r[0]: r for r in book["Outputs"].iter_rows(min_row=2, values_only=True)}
    assert len(table) == 78
    assert table["S9-O1"][2:] == (6, s9["applicable"], 2, s9["percent_done"], "1 of 3", "no")
    years = book["Indicators by output, year by"]
    header = [c.value for c in years[1]]
    assert header == ["output", "activity", "#", "indicator", "target", "2021", "2022",
                      "2023", "2024", "2025", "actual", "met"]
    rows = {(r[1], r[2]): r for r in years.iter_rows(min_row=2, values_only=True)}
    assert rows[("S15-O4-i", 1)][5:11] == (0, 4, 12, 0, 0, 16)
    assert rows[("S9-O1-v", 1)][4:12] == ("Minimum of 2", 0, 0, 3, 0, 0, 3, "yes")
    assert rows[("S9-O1-i", 1)][4] == "1 (each year)"
    assert rows[("S9-O1-i", 1)][11] == "no (0 of 5 years)"
    assert len(rows) == sum(len(o["indicators"]) for o in outputs.values())

    page = tmp_path / "final.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "final", "-o", str(page),
                 env=db_env(db))
    assert result.exit_code == 0, result.output
    html = _html_section(page.read_text(encoding="utf-8"), "outputs")
    assert "<h2>Outputs: are they met?</h2>" in html
    assert "The plan gives no baselines for its indicators" in html
    judged = [o for o in outputs.values() if o["met"] is not None]
    assert (f"{sum(1 for o in judged if o['met'])} of the {len(judged)} outputs with a "
            "numeric target are met (78 outputs in all).") in html
    assert ("<td>S15-O4-i</td><td class='n'>1</td><td>Number of victims received "
            "services</td><td></td><td class='n'>0</td><td class='n'>4</td>"
            "<td class='n'>12</td><td class='n'>0</td><td class='n'>0</td>"
            "<td class='n'>16</td>") in html
    # an annual report rolls up its year by output, without the year-by-year table
    annual = tmp_path / "annual.html"
    assert run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR), "-o",
               str(annual), env=db_env(db)).exit_code == 0
    section = _html_section(annual.read_text(encoding="utf-8"), "outputs")
    assert "<h3>Outputs</h3>" in section and "year by year" not in section


def _narrative(name: str) -> dict[str, str]:
    """What NARRATIVES[name] says, the parts it leaves out kept from the entries before."""
    committee, kind, year = NARRATIVES[name][:3]
    merged = dict.fromkeys(("gaps", "challenges", "adjustments", "actions"), "")
    for key, (c, k, y, _day, parts) in NARRATIVES.items():
        if (c, k, y) == (committee, kind, year):
            merged.update({p: v for p, v in parts.items() if v is not None})
        if key == name:
            break
    return merged


def test_narratives_and_review_notes_are_printed_in_json_xlsx_and_html(
        seeded_more: tuple[Database, Seeded, SeededMore], run: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, s, more = seeded_more
    data = _report(run, db, "annual", "--year", str(YEAR))
    said = data["narrative"]
    assert set(said) == {"media", "enforcement"}  # victim-care's is for the final report
    media = _narrative("media-2")
    assert {k: said["media"][k] for k in media} == media
    assert media["gaps"] == "The campaign survey was not done."  # kept from media-1
    assert (said["media"]["id"], said["media"]["entered_by"]) == (
        more.narratives["media-2"], "media.secretary")
    assert said["media"]["entered_at"].startswith("2024-05-02T02:00:00")
    assert said["enforcement"]["adjustments"] == "Join the S7-O1-i courses with JTKSM."
    # the annex: the return reason and the reviewer's note on an acceptance
    annex = {e["id"]: e for e in data["evidence"]}
    assert annex[s.returned]["review_note"] == "Attach the signed guidelines."
    assert annex[more.officers]["review_note"] == OFFICERS_NOTE
    assert annex[s.pending]["review_note"] is None and annex[s.late]["review_note"] is None

    # as of a later day, the narrative entered after AS_OF is the one printed
    later = _report(run, db, "annual", "--year", str(YEAR), as_of=date(2024, 9, 1))
    assert later["narrative"]["media"]["gaps"] == "Rewritten after the report was presented."
    # as of the day the returned row was sent back, its reason is known; before, not
    day = _report(run, db, "annual", "--year", str(YEAR), as_of=date(2024, 1, 7))
    assert {e["id"]: e["review_note"] for e in day["evidence"]}[s.returned] is None
    # the final report prints the final narratives; a committee report only its own
    final = _report(run, db, "final")["narrative"]
    assert list(final) == ["victim-care"]
    assert final["victim-care"]["actions"] == "Two interpreters engaged."
    own = _report(run, db, "committee", "enforcement", "--year", str(YEAR))["narrative"]
    assert list(own) == ["enforcement"]

    out = tmp_path / "annual.xlsx"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "--format", "xlsx", "-o", str(out), env=db_env(db))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book["Committees' narrative gaps"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True)]
    words = {"gaps": "gaps", "challenges": "challenges",
             "adjustments": "recommended adjustments", "actions": "corrective actions"}
    assert [(r[0], r[1], r[2]) for r in rows if r[0] == "Media and Publicity Committee"] == [
        ("Media and Publicity Committee", words[k], v) for k, v in media.items()]
    assert {r[3] for r in rows} == {"media.secretary", "enforcement.secretary"}
    assert len(rows) == 8
    evidence = book["Annex evidence"]
    header = [c.value for c in evidence[1]]
    note = header.index("return reason or reviewer's note")
    notes = {r[0]: r[note] for r in evidence.iter_rows(min_row=2, values_only=True)}
    assert notes[s.returned] == "Attach the signed guidelines."
    assert notes[more.officers] == OFFICERS_NOTE

    page = tmp_path / "annual.html"
    result = run("--as-of", AS_OF.isoformat(), "report", "annual", "--year", str(YEAR),
                 "-o", str(page), env=db_env(db))
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    section = _html_section(text, "narrative")
    assert ("<h3>Media and Publicity Committee (entered 2024-05-02 by media.secretary)</h3>"
            in section)
    for key, value in media.items():
        assert f"<tr><td>{words[key]}</td><td>{escape(value)}</td></tr>" in section
    assert "Rewritten after" not in section
    assert "No narrative entered by: Legislative Committee, Victim Care" in section
    annex_html = _html_section(text, "annex")
    assert "<td>Attach the signed guidelines.</td>" in annex_html
    assert f"<td>{OFFICERS_NOTE}</td>" in annex_html


def test_narrative_cli_set_show_errors_and_audit(
        seeded: tuple[Database, Seeded], run: Run) -> None:
    from sqlalchemy import update

    from naptip.store.orm import ReportNarrative

    db, _ = seeded
    env = {**db_env(db), "COLUMNS": "80"}
    today = "2026-12-06"
    first = run("--as-of", today, "report", "narrative", "set", "Media and Publicity "
                "Committee", "--year", "2023", "--gaps", "No survey.", "--actions",
                "Survey in Q3.", "--as", "Aminah", env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout == "narrative #1 of media for the 2023 annual report entered by Aminah\n"
    second = run("--as-of", today, "report", "narrative", "set", "media", "--year", "2023",
                 "--challenges", "Vendors withdrew.", "--as", "Siti", env=env)
    assert second.exit_code == 0, second.output
    shown = run("report", "narrative", "show", "media", "--year", "2023", "--json", env=env)
    doc = json.loads(shown.stdout)
    assert (doc["id"], doc["gaps"], doc["challenges"], doc["adjustments"], doc["actions"],
            doc["entered_by"]) == (2, "No survey.", "Vendors withdrew.", "", "Survey in Q3.",
                                   "Siti")
    text = run("report", "narrative", "show", "media", "--year", "2023", env=env).stdout
    assert "Gaps:\n  No survey.\n" in text and "Recommended adjustments:\n  —\n" in text
    assert max(map(len, text.splitlines())) <= 80
    long_name = run("--as-of", today, "report", "narrative", "set", "forced-labour", "--final",
                    "--gaps", "y " * 300, "--as", "Special Committee to Oversee Forced Labour "
                    "Issues secretariat officer", env=env)
    assert long_name.exit_code == 0, long_name.output
    text = run("report", "narrative", "show", "forced-labour", "--final", env=env).stdout
    assert max(map(len, text.splitlines())) <= 80 and "entered " in text
    # it is in the report of that year, as of today
    data = _report(run, db, "annual", "--year", "2023", as_of=date(2026, 12, 7))
    assert data["narrative"]["media"]["challenges"] == "Vendors withdrew."
    none = run("report", "narrative", "show", "legislative", "--final", env=env)
    assert none.exit_code == 0 and "has no narrative for the final report" in none.stdout

    for args, message in (
            (("media", "--year", "2023"), "Error: nothing to say: give at least one of"),
            (("nobody", "--year", "2023", "--gaps", "x"), "Error: unknown committee 'nobody'"),
            (("media", "--year", "2031", "--gaps", "x"), "Error: year 2031 is outside the plan"),
            (("media", "--year", "2023", "--gaps", "Call 012-345 6789."),
             "Error: narrative refused: found what looks like a phone number in --gaps"),
            (("media", "--year", "2023", "--gaps", "x" * 4001),
             "Error: --gaps is 4,001 characters long: at most 4,000")):
        bad = run("report", "narrative", "set", *args, env=env)
        assert bad.exit_code == 1, (args, bad.output)
        assert bad.stderr.startswith(message) and bad.stderr.count("\n") == 1, bad.stderr
        assert "Traceback" not in bad.output
    both = run("report", "narrative", "set", "media", "--gaps", "x", env=env)
    assert both.exit_code == 2 and "which report? give --year YEAR" in both.stderr
    both = run("report", "narrative", "show", "media", "--year", "2023", "--final", env=env)
    assert both.exit_code == 2 and "--final (the final report), not both" in both.stderr
    assert json.loads(run("report", "narrative", "show", "media", "--year", "2023", "--json",
                          env=env).stdout)["id"] == 2  # nothing refused was stored

    # the audit covers the rows: a changed word is found
    assert run("audit", "verify", env=env).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(update(ReportNarrative).where(ReportNarrative.id == 1).values(
            gaps="Everything was done."))
    verify = run("audit", "verify", env=env)
    assert verify.exit_code == 1
    assert "tampered: report narrative #1 (media): does not match what audit entry" in (
        verify.stderr)
