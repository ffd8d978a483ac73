"""Importing past evidence from a spreadsheet, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import Workbook
from sqlalchemy import func, select, text

from naptip.base.model import IndicatorKind
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress import evidence_import
from naptip.progress.evidence import EvidenceService
from naptip.progress.evidence_import import ImportReport, import_evidence
from naptip.progress.status import status
from naptip.store import audit
from naptip.store.audit_rows import verify_rows
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, Evidence, EvidenceValue, OccurrenceRow, Review
from tests.conftest import db_env

TODAY = date(2026, 6, 30)  #: after the plan's end, as an adopting secretariat's today
HEADER = ["occurrence", "status", "done_on", "submitted_on", "reviewed_on", "value_1",
          "value_2", "value_3", "nil", "files", "note", "submitted_by", "reviewed_by"]


@pytest.fixture
def service(synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins) -> EvidenceService:
    return EvidenceService(synced, builtin_catalog, loaded)


def _value(kind: IndicatorKind) -> str:
    return {IndicatorKind.COUNT: "12", IndicatorKind.AMOUNT: "RM 1,250.50",
            IndicatorKind.PERCENTAGE: "87.5%", IndicatorKind.MILESTONE: "yes",
            IndicatorKind.NARRATIVE: "Done as planned with the agencies."}.get(kind, "")


def _good_rows(service: EvidenceService, n: int) -> list[dict[str, str]]:
    """``n`` rows of evidence that passes every check, for the first ``n`` occurrences
    (by due date) whose indicators a spreadsheet can carry (a minutes file for meetings
    and deliverables); every seventh awaits review, the rest were accepted."""
    with service.db.reading() as session:
        occurrences = session.execute(
            select(OccurrenceRow.id, OccurrenceRow.activity_id, OccurrenceRow.kind,
                   OccurrenceRow.due)
            .where(OccurrenceRow.withdrawn.is_(False), OccurrenceRow.due <= TODAY)
            .order_by(OccurrenceRow.due, OccurrenceRow.id)).all()
    rows: list[dict[str, str]] = []
    for oid, activity_id, kind, due in occurrences[:n]:
        form = service.form_for(activity_id, kind)
        done = max(date(2021, 1, 4), min(due, TODAY) - timedelta(days=10))
        row = {"occurrence": oid, "status": "submitted" if len(rows) % 7 == 3 else "accepted",
               "done_on": done.isoformat(), "submitted_on": (done + timedelta(days=2))
               .isoformat(), "note": f"Imported from the 20{done.year % 100} workbook"}
        if kind == "nil-return":
            row["nil"] = "yes"
        else:
            for number, indicator in enumerate(form, 1):
                if indicator.kind is IndicatorKind.DELIVERABLE:
                    row["files"] = "minutes.txt"
                else:
                    row[f"value_{number}"] = _value(indicator.kind)
        if row["status"] == "accepted":
            row["reviewed_on"] = (done + timedelta(days=5)).isoformat()
            row["reviewed_by"] = "Siti (NSO MAPO)"
        row["submitted_by"] = "Aminah"
        rows.append(row)
    assert len(rows) == n
    return rows


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    (path.parent / "minutes.txt").write_text("Minutes of the meeting. Attended: 5 agencies.\n")
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADER)
            writer.writeheader()
            writer.writerows(rows)
        return path
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # headers as people type them: "Done On", "Value 1"
    sheet.append([h.replace("_", " ").title() for h in HEADER])
    for row in rows:
        cells: list[object] = [row.get(h, "") or None for h in HEADER]
        for i, h in enumerate(HEADER):  # dates and counts as Excel keeps them
            if h.endswith("_on") and cells[i]:
                cells[i] = date.fromisoformat(str(cells[i]))
            elif h.startswith("value_") and str(cells[i] or "").isdigit():
                cells[i] = int(str(cells[i]))
        sheet.append(cells)
    book.save(path)
    return path


def _counts(db: Database, name: str) -> dict[str, int]:
    with db.reading() as session:
        def count(query: object) -> int:
            return int(session.execute(query).scalar_one())  # type: ignore[call-overload]

        return {
            "evidence": count(select(func.count()).select_from(Evidence)),
            "imported": count(select(func.count()).select_from(Evidence)
                              .where(Evidence.imported_from == name)),
            "values": count(select(func.count()).select_from(EvidenceValue)),
            "reviews": count(select(func.count()).select_from(Review)),
            "audit": count(select(func.count()).select_from(AuditEntry)),
            "accepted": count(select(func.count()).select_from(OccurrenceRow)
                              .where(OccurrenceRow.progress == "accepted")),
            "submitted": count(select(func.count()).select_from(OccurrenceRow)
                               .where(OccurrenceRow.progress == "submitted")),
        }


def _verified(db: Database) -> None:
    with db.reading() as session:
        assert audit.verify(session).ok
        assert verify_rows(session, db.blobs) == []


def _refused(report: ImportReport) -> dict[int, str]:
    return {r.row: r.reason or "" for r in report.rows if r.outcome == "refused"}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_thousand_past_rows_with_a_few_bad_ones(service: EvidenceService, tmp_path: Path,
                                                  suffix: str) -> None:
    rows = _good_rows(service, 994)
    counted = next(i for i, r in enumerate(rows) if i > 600 and r.get("value_1") == "12")
    bad = {
        "unknown": {**rows[0], "occurrence": "S99-O9-i@2023"},
        "value": {**rows[counted], "value_1": "many"},
        "mykad": {**rows[2], "note": "Victim IC 850101-14-5678 was referred"},
        "passport": {**rows[4], "note": "No. pasport: A12345678"},
        "future": {**rows[5], "done_on": "2026-09-01", "submitted_on": "2026-09-02",
                   "reviewed_on": "2026-09-03"},
        "duplicate": dict(rows[10]),
    }
    # the bad rows replace the good rows they copy (except the duplicate, an extra row)
    replaced = {0, 2, 4, 5, counted}
    kept = [r for i, r in enumerate(rows) if i not in replaced]
    table = [*kept[:300], bad["unknown"], bad["value"], bad["mykad"], *kept[300:600],
             bad["passport"], bad["future"], bad["duplicate"], *kept[600:]]
    assert len(table) == 995
    path = _write(tmp_path / f"past-evidence{suffix}", table)
    before = _counts(service.db, path.name)

    started = time.perf_counter()
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    elapsed = time.perf_counter() - started

    good = len(kept)  # 989
    assert (report.stored, report.refused, report.already) == (good, 6, 0), report.summary()
    refused = _refused(report)
    at = {name: table.index(row) + 2 for name, row in bad.items()}  # the header is row 1
    at["duplicate"] = 2 + len(kept[:300]) + 3 + 300 + 2
    assert set(refused) == set(at.values())
    assert "no occurrence has the id 'S99-O9-i@2023'" in refused[at["unknown"]]
    assert "'many' is not a whole number" in refused[at["value"]]
    assert "a MyKad number in column note" in refused[at["mykad"]]
    assert "850101" not in refused[at["mykad"]]
    assert "a passport number in column note" in refused[at["passport"]]
    assert "done_on 2026-09-01 is in the future (today is 2026-06-30)" in refused[at["future"]]
    first = table.index(rows[10]) + 2
    assert refused[at["duplicate"]] == (f"row {first} is for {rows[10]['occurrence']} too: "
                                        "one row per occurrence")
    assert report.summary() == (f"{path.name}: stored {good}, refused 6, already imported 0")

    after = _counts(service.db, path.name)
    accepted = sum(1 for r in kept if r["status"] == "accepted")
    assert after["imported"] == after["evidence"] - before["evidence"] == good
    assert after["reviews"] - before["reviews"] == accepted
    assert after["audit"] - before["audit"] == good + accepted  # a submission + a review
    assert after["accepted"] - before["accepted"] == accepted
    assert after["submitted"] - before["submitted"] == good - accepted
    with service.db.reading() as session:
        counts = status(session, service.plan_id, TODAY)
        assert counts.total.done == after["accepted"]
        e = session.execute(select(Evidence).where(
            Evidence.occurrence_id == kept[0]["occurrence"])).scalar_one()
        assert (e.imported_from, e.imported_row, e.status) == (
            path.name, 2, kept[0]["status"])
        assert e.submitted_at.date().isoformat() == kept[0]["submitted_on"]
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.subject == e.occurrence_id,
            AuditEntry.action == "evidence.submitted")).scalar_one()
        assert entry.actor == "Secretariat"
        assert f'"file":"{path.name}"' in entry.payload and '"row":2' in entry.payload
    _verified(service.db)
    print(f"\n{good} rows on {service.db.backend} from {suffix}: {elapsed:.2f} s")
    assert elapsed < 15, f"{elapsed:.1f} s for 1,000 rows"  # about 2 s on a laptop

    again = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert (again.stored, again.refused, again.already) == (0, 6, good)
    assert _counts(service.db, path.name) == after
    _verified(service.db)


def test_a_dry_run_stores_nothing(service: EvidenceService, tmp_path: Path) -> None:
    rows = _good_rows(service, 5)
    path = _write(tmp_path / "five.csv", [*rows, {**rows[0], "occurrence": "nope@2023"}])
    before = _counts(service.db, path.name)
    report = import_evidence(service, path, importer="Secretariat", today=TODAY,
                             dry_run=True)
    assert (report.stored, report.refused) == (5, 1)
    assert report.summary().endswith("would store 5, refused 1, already imported 0; "
                                     "dry run: nothing was stored")
    assert _counts(service.db, path.name) == before


@pytest.fixture
def boom(service: EvidenceService) -> Iterator[None]:
    """A real database refusal in the middle of a row: inserting the value 666 fails after
    the row's evidence was inserted."""
    with service.db.engine.begin() as conn:
        if service.db.backend == "sqlite":
            conn.execute(text("CREATE TRIGGER boom BEFORE INSERT ON evidence_value "
                              "WHEN NEW.count = 666 BEGIN SELECT RAISE(ABORT, 'boom'); END"))
        else:
            conn.execute(text("CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                              "IF NEW.count = 666 THEN RAISE EXCEPTION 'boom'; END IF; "
                              "RETURN NEW; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER boom BEFORE INSERT ON evidence_value "
                              "FOR EACH ROW EXECUTE FUNCTION boom()"))
    try:
        yield
    finally:
        with service.db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER boom" if service.db.backend == "sqlite"
                              else "DROP TRIGGER boom ON evidence_value"))
            if service.db.backend == "postgresql":
                conn.execute(text("DROP FUNCTION boom()"))


def test_a_row_failing_as_it_is_stored_leaves_nothing(service: EvidenceService,
                                                      tmp_path: Path, boom: None) -> None:
    rows = [r for r in _good_rows(service, 300) if r.get("value_1", "").isdigit()][:3]
    assert len(rows) == 3
    rows[1]["value_1"] = "666"
    path = _write(tmp_path / "three.csv", rows)
    before = _counts(service.db, path.name)
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert (report.stored, report.refused) == (2, 1)
    assert "not stored: the database refused it (boom" in _refused(report)[3]
    after = _counts(service.db, path.name)
    assert after["evidence"] - before["evidence"] == 2
    with service.db.reading() as session:
        assert session.execute(select(Evidence).where(
            Evidence.occurrence_id == rows[1]["occurrence"])).first() is None
        row = session.get(OccurrenceRow, rows[1]["occurrence"])
        assert row is not None and row.progress == "open"
    _verified(service.db)


def test_a_crash_mid_file_leaves_whole_rows(service: EvidenceService, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies in the second chunk: the first chunk's rows are stored whole, the
    second's not at all; importing again stores the rest."""
    monkeypatch.setattr(evidence_import, "CHUNK", 20)
    rows = _good_rows(service, 50)
    path = _write(tmp_path / "crash.csv", rows)
    before = _counts(service.db, path.name)
    real, calls = audit.append_many, []

    def dying(*args: object, **kwargs: object) -> list[AuditEntry]:
        """Dies as the second chunk's audit entries are written: its rows are inserted,
        not committed."""
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "append_many", dying)
    with pytest.raises(KeyboardInterrupt):
        import_evidence(service, path, importer="Secretariat", today=TODAY)
    after = _counts(service.db, path.name)
    accepted = sum(1 for r in rows[:20] if r["status"] == "accepted")
    assert after["imported"] == 20
    assert after["reviews"] - before["reviews"] == accepted
    assert after["audit"] - before["audit"] == 20 + accepted
    _verified(service.db)
    monkeypatch.setattr(audit, "append_many", real)
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert (report.stored, report.refused, report.already) == (30, 0, 20)
    _verified(service.db)


def test_rows_are_checked_like_submissions_and_reviews(service: EvidenceService,
                                                       tmp_path: Path) -> None:
    rows = _good_rows(service, 8)
    table = [
        {**rows[0], "status": "done"},
        {**rows[1], "reviewed_by": "aminah"},  # the submitter reviewing herself
        {**rows[2], "done_on": "2020-12-01", "submitted_on": "2020-12-02"},
        {**rows[3], "submitted_on": "2021-01-01"},
        {**rows[4], "status": "submitted"},  # a review for something awaiting review
        {**rows[5], "done_on": "1/2/2023"},
        {**rows[6], "occurrence": "", "note": "ok"},
        {**rows[7], "occurrence": "S1-O1-i@2023 850101-14-5678"},
    ]
    path = _write(tmp_path / "checks.csv", table)
    refused = _refused(import_evidence(service, path, importer="Secretariat", today=TODAY))
    assert refused[2] == "status 'done': use accepted or submitted"
    assert refused[3].startswith("self-review refused: 'aminah' submitted this evidence")
    assert refused[4] == "done_on 2020-12-01 is before the plan started (2021-01-01)"
    assert refused[5].startswith("submitted_on 2021-01-01 is before done_on")
    assert refused[6] == ("a submitted row awaits review: give no reviewed_on or reviewed_by "
                          "(or say accepted)")
    assert refused[7] == "done_on '1/2/2023' is not a date (YYYY-MM-DD)"
    assert refused[8] == "say which occurrence: an occurrence id, or an activity and a year"
    assert "a MyKad number in column occurrence" in refused[9] and "850101" not in refused[9]


def test_activity_and_year_name_the_occurrence(service: EvidenceService,
                                               tmp_path: Path) -> None:
    path = tmp_path / "years.csv"
    path.write_text("activity,year,status,done_on,value 1,Reviewed By\n"
                    "S4-O1-i,2023,accepted,2023-10-01,5,Siti\n"
                    "s4-o1-i,2022,submitted,2022-10-01,3,\n"
                    "S4-O1-i,2031,accepted,2023-10-01,5,Siti\n")
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert [(r.outcome, r.occurrence) for r in report.rows[:2]] == [
        ("stored", "S4-O1-i@2023"), ("stored", "S4-O1-i@2022")]
    assert _refused(report)[4].startswith("activity S4-O1-i has no occurrence in 2031")
    with service.db.reading() as session:
        progress = {o.id: o.progress for o in session.execute(select(OccurrenceRow).where(
            OccurrenceRow.activity_id == "S4-O1-i")).scalars()}
    assert (progress["S4-O1-i@2023"], progress["S4-O1-i@2022"]) == ("accepted", "submitted")
    # reminders see it: neither is reminded any more, the next year still is
    from naptip.people.reminders import remindable_occurrences

    reminded = {o.id for o in remindable_occurrences(service.db)}
    assert "S4-O1-i@2024" in reminded
    assert not {"S4-O1-i@2023", "S4-O1-i@2022"} & reminded


# --- the command line ---------------------------------------------------------------------


def test_the_command(synced: Database, tmp_path: Path, run: Callable[..., Result]) -> None:
    invoke = run
    env = {**db_env(synced), "COLUMNS": "80", "NAPTIP_AS_OF": "2026-06-30"}
    path = tmp_path / "past.csv"
    path.write_text("occurrence,status,done_on,value_1,note\n"
                    "S4-O1-i@2023,accepted,2023-10-01,5,Two sessions\n"
                    "S4-O1-i@2024,accepted,2024-10-01,x,\n")
    dry = invoke("evidence", "import", str(path), "--dry-run", "--as", "Siti", env=env)
    assert dry.exit_code == 1
    assert dry.stdout.splitlines() == [
        "row 2 (S4-O1-i@2023): would be stored",
        "row 3 (S4-O1-i@2024): refused: indicator 1 (Number of sessions): 'x' is not a "
        "whole number",
        "past.csv: would store 1, refused 1, already imported 0; dry run: nothing was stored"]
    done = invoke("evidence", "import", str(path), "--as", "Siti", env=env)
    assert done.exit_code == 1
    assert done.stdout.splitlines()[0] == "row 2 (S4-O1-i@2023): stored as evidence #1"
    show = invoke("evidence", "show", "1", env=env)
    assert "│ imported     │ from past.csv, row 2" in show.stdout
    assert all(len(line) <= 80 for line in show.stdout.splitlines())
    path.write_text("occurrence,status,done_on,value_1,note\n"
                    "S4-O1-i@2023,accepted,2023-10-01,5,Two sessions\n")
    again = invoke("evidence", "import", str(path), "--as", "Siti", env=env)
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        "row 2 (S4-O1-i@2023): already imported as evidence #1",
        "past.csv: stored 0, refused 0, already imported 1"]
    assert invoke("audit", "verify", env=env).exit_code == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.csv", None, "missing.csv: no such file"),
    ("past.txt", "occurrence\n", "past.txt: import a .csv or .xlsx file (this one is .txt)"),
    ("past.csv", "occurrence,status,done_on,colour\n",
     "past.csv: unknown column 'colour'; the columns are occurrence, activity, year"),
    ("past.csv", "occurrence,done_on\n", "past.csv: missing column status"),
    ("past.csv", "status,done_on\n",
     "past.csv: missing column occurrence (or activity and year)"),
    ("past.csv", "", "past.csv: the first row must name the columns"),
    ("past.xlsx", "not a workbook", "past.xlsx: cannot be read as an xlsx workbook"),
    ("victim-850101-14-5678.csv", "occurrence\n", "file refused: found what looks like a "
                                                   "MyKad number in the file's name"),
    # Excel's "CSV (semicolon delimited)", as a Malaysian or European locale saves it
    ("past.csv", "occurrence;status;done_on\nS1-O1-i@2023;accepted;2023-03-01\n",
     'past.csv: the columns are separated by semicolons, not commas; save it from Excel as '
     '"CSV UTF-8 (comma delimited)"'),
    # Excel's plain "CSV (comma delimited)": Windows-1252, a curly apostrophe in a note
    ("past.csv", "occurrence,status,done_on,note\nS1-O1-i@2023,accepted,2023-03-01,"
                 "agency\u2019s minutes\n".encode("cp1252"),
     'past.csv: is not UTF-8 text (a CSV saved in a Windows code page?); save it from '
     'Excel as "CSV UTF-8 (comma delimited)"'),
    ("evidence-2023", "folder", "evidence-2023: is a folder; give the .csv or .xlsx file "
                                "in it"),
    ("folder.csv", "folder", "folder.csv: is a folder"),
])
def test_bad_files_are_one_line(synced: Database, tmp_path: Path, run: Callable[..., Result],
                                name: str, content: str | bytes | None, message: str) -> None:
    invoke = run
    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = invoke("evidence", "import", str(path), "--as", "Siti", env=db_env(synced))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert "850101" not in result.stderr


def test_with_a_contact_directory(service: EvidenceService, tmp_path: Path) -> None:
    """The importer must be an active contact, and a reviewer the directory knows must be
    allowed to review; people who left since (not in today's directory) are taken as
    named."""
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.base.errors import NaptipError
    from naptip.people.contacts import ContactDirectory
    from naptip.store.orm import Contact

    ContactDirectory(service.db).upsert([
        ContactInfo(name="Siti", email="siti@moha.gov.my",
                    roles=(Role(role="secretariat", scope="nso-mapo"),)),
        ContactInfo(name="Lim", email="lim@rmp.gov.my",
                    roles=(Role(role="lead", scope="enforcement"),)),
    ], actor="test")
    path = tmp_path / "directory.csv"
    path.write_text("occurrence,status,done_on,value_1,submitted_by,reviewed_by\n"
                    "S4-O1-i@2022,accepted,2022-10-01,3,Former Officer,\n"
                    "S4-O1-i@2023,accepted,2023-10-01,5,Former Officer,lim@rmp.gov.my\n")
    with pytest.raises(NaptipError, match="'Secretariat' is not an active contact"):
        import_evidence(service, path, importer="Secretariat", today=TODAY)
    report = import_evidence(service, path, importer="Siti", today=TODAY)
    assert (report.stored, report.refused) == (1, 1)
    assert _refused(report)[3].startswith("'lim@rmp.gov.my' may not review evidence")
    with service.db.reading() as session:
        e = session.execute(select(Evidence).where(
            Evidence.occurrence_id == "S4-O1-i@2022")).scalar_one()
        siti = session.execute(select(Contact.id).where(
            Contact.email == "siti@moha.gov.my")).scalar_one()
        assert (e.submitted_by, e.submitter_contact) == ("Former Officer", None)
        assert (e.reviewed_by, e.reviews[0].reviewer_contact) == ("siti@moha.gov.my", siti)
    _verified(service.db)


def test_the_example_file_imports_cleanly(synced: Database, run: Callable[..., Result]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples/past-evidence/past-evidence.csv"
    env = {**db_env(synced), "NAPTIP_AS_OF": "2026-12-07"}
    result = run("evidence", "import", str(example), "--as", "Secretariat", env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == ("past-evidence.csv: stored 6, refused 0, "
                                              "already imported 0")
    assert run("audit", "verify", env=env).exit_code == 0


def test_excel_cells_are_read_as_shown(service: EvidenceService, tmp_path: Path) -> None:
    """A percentage cell holds 0.875 for 87.5%; a date cell a datetime; a count a float."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Occurrence", "Status", "Done on", "Value 1"])
    sheet.append(["S15-O6-ii@2023", "accepted", date(2023, 12, 1), 0.875])
    sheet["D2"].number_format = "0.0%"
    sheet.append(["S4-O1-i@2023", "accepted", date(2023, 10, 1), 5.0])
    path = tmp_path / "cells.xlsx"
    book.save(path)
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert (report.stored, report.refused) == (2, 0), [str(r) for r in report.rows]
    with service.db.reading() as session:
        values = dict(session.execute(
            select(Evidence.occurrence_id, EvidenceValue.percentage)
            .join(EvidenceValue)).all())
        counts = dict(session.execute(
            select(Evidence.occurrence_id, EvidenceValue.count).join(EvidenceValue)).all())
    assert str(values["S15-O6-ii@2023"]) == "87.50" and counts["S4-O1-i@2023"] == 5


def test_ctrl_c_says_what_was_stored(synced: Database, tmp_path: Path,
                                     run: Callable[..., Result],
                                     monkeypatch: pytest.MonkeyPatch,
                                     builtin_catalog: Catalog, loaded: LoadedPlugins) -> None:
    """Ctrl-C in the second chunk: one line saying how many rows were stored and that the
    same file imported again stores the rest, exit 130; and it does, nothing twice."""
    invoke = run
    service = EvidenceService(synced, builtin_catalog, loaded)
    monkeypatch.setattr(evidence_import, "CHUNK", 20)
    path = _write(tmp_path / "ctrl-c.csv", _good_rows(service, 50))
    env = {**db_env(synced), "COLUMNS": "80", "NAPTIP_AS_OF": TODAY.isoformat()}
    real, calls = audit.append_many, []

    def interrupted(*args: object, **kwargs: object) -> list[AuditEntry]:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "append_many", interrupted)
    stopped = invoke("evidence", "import", str(path), "--as", "Siti", env=env)
    assert stopped.exit_code == 130
    assert stopped.stderr.strip().splitlines() == [
        "ctrl-c.csv: interrupted: 20 rows stored so far, each whole; import the same file "
        "again to store the rest (rows already stored are recognised, none is stored twice)"]
    assert "Aborted" not in stopped.output
    monkeypatch.setattr(audit, "append_many", real)
    again = invoke("evidence", "import", str(path), "--as", "Siti", env=env)
    assert again.exit_code == 0, again.output
    assert "ctrl-c.csv: stored 30, refused 0, already imported 20" in again.stdout


def test_ctrl_c_in_a_dry_run(service: EvidenceService, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "dry.csv", _good_rows(service, 3))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(evidence_import._Importer, "check", interrupted)
    with pytest.raises(evidence_import.ImportInterrupted) as stop:
        import_evidence(service, path, importer="Secretariat", today=TODAY, dry_run=True)
    assert str(stop.value) == "interrupted: a dry run, nothing was stored"


def test_two_imports_of_one_file_at_once(service: EvidenceService, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A second import of the same file, checked before the first stored its rows and
    storing after: it recognises them as already imported, not as refused."""
    if service.db.backend != "postgresql":
        pytest.skip("two imports at once: PostgreSQL (SQLite has one writer at a time)")
    monkeypatch.setattr(evidence_import, "CHUNK", 10)
    rows = _good_rows(service, 25)
    path = _write(tmp_path / "twice.csv", rows)
    real_store = evidence_import._store
    first: list[ImportReport] = []

    def store_after_the_other(*args: Any, **kwargs: Any) -> None:
        if threading.current_thread() is threading.main_thread() and not first:
            other = threading.Thread(target=lambda: first.append(import_evidence(
                service, path, importer="Secretariat", today=TODAY)))
            other.start()
            other.join(timeout=120)
        real_store(*args, **kwargs)

    monkeypatch.setattr(evidence_import, "_store", store_after_the_other)
    second = import_evidence(service, path, importer="Secretariat", today=TODAY)
    assert [(r.stored, r.refused, r.already) for r in first] == [(25, 0, 0)]
    assert (second.stored, second.refused, second.already) == (0, 0, 25), \
        _refused(second)
    assert second.summary() == "twice.csv: stored 0, refused 0, already imported 25"
    assert {r.evidence_id for r in second.rows} == {r.evidence_id for r in first[0].rows}
    assert _counts(service.db, path.name)["imported"] == 25
    _verified(service.db)


def test_cells_a_spreadsheet_would_run_or_cannot_hold(service: EvidenceService,
                                                      tmp_path: Path) -> None:
    rows = _good_rows(service, 7)
    table = [
        {**rows[0], "note": '=HYPERLINK("http://evil.example","minutes")'},
        {**rows[1], "note": "+60 attended"},
        {**rows[2], "note": "@SUM(A1)"},
        {**rows[3], "note": "Minutes\x00 of the meeting"},
        {**rows[4], "note": "Rescued: 850101-14-5678"},
        {**rows[5], "note": "'=2+2 is how the agency wrote it"},  # quoted: stored as is
        {**rows[6], "note": "- two trainings with MACC"},  # a list item, not a formula
    ]
    path = _write(tmp_path / "cells.csv", table)
    report = import_evidence(service, path, importer="Secretariat", today=TODAY)
    refused = _refused(report)
    assert refused[2] == ("column note starts with '=': a spreadsheet opening it would run "
                          "it as a formula; begin the cell with a word or a quote (\"'\")")
    assert refused[3].startswith("column note starts with '+'")
    assert refused[4].startswith("column note starts with '@'")
    assert refused[5] == "column note holds a NUL character (a damaged cell): retype it"
    assert refused[6].endswith("correct the row (remove it) and import again")
    assert "submit again" not in refused[6]
    assert (report.stored, report.refused) == (2, 5)
    links = tmp_path / "links.csv"  # links is not in HEADER: written by hand
    links.write_text("occurrence,status,done_on,submitted_by,reviewed_by,nil,links\n"
                     f"{rows[0]['occurrence']},submitted,{rows[0]['done_on']},Aminah,,yes,"
                     "-cmd|' /C calc'!A0\n")
    assert _refused(import_evidence(service, links, importer="Secretariat", today=TODAY))[2] \
        .startswith("column links starts with '-'")
