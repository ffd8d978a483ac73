"""Importing recommendation sets (issue 22), on SQLite and PostgreSQL: every bad cell
named with its row, good rows stored and audited, re-import idempotent, dry run."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from naptip.base.errors import NaptipError
from naptip.plan.catalog import Catalog
from naptip.progress.recommendations.refs import PlanRefs
from naptip.progress.recommendations.sets import import_set
from naptip.store.audit_rows import verify_rows
from naptip.store.db import Database
from naptip.store.orm import (
    AuditEntry,
    Recommendation,
    RecommendationLink,
    RecommendationSet,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "recommendations"
NOW = datetime(2025, 10, 6, 2, 0, tzinfo=UTC)
HEADER = ["id", "text", "theme", "lead", "support", "activities"]


@pytest.fixture
def refs(builtin_catalog: Catalog) -> PlanRefs:
    return PlanRefs(committees=builtin_catalog.committees,
                    activities={"naptip-3.0": set(builtin_catalog.activities),
                                "naptip-4.0": {"S1-O1-i", "S2-O1-i"}},
                    default_plan="naptip-3.0")


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


GOOD = [["R1", "Identify victims proactively.", "Protection", "Enforcement Committee",
         "victim-care", "S4-O1-i; S21-O1-i"],
        ["R2", "Train labour inspectors.", "", "forced-labour", "",
         "S23-O1-vii\nnaptip-4.0:S1-O1-i"]]
BAD = [["R3", "Bad lead.", "", "Police Committee", "", ""],
       ["R4", "Bad activity.", "", "", "enforcement, nobody", "no-such-thing; naptip-9.0:S1-O1-i"],
       ["R1", "Same id again.", "", "", "", ""],
       ["R5", "", "", "", "", ""],
       ["R6", "Victim's phone 012-345 6789.", "", "", "", ""],
       ["R7", "x" * 2001, "", "", "", ""],
       ["R8", "=HYPERLINK(\"http://x\")", "", "", "", ""]]


def _import(db: Database, refs: PlanRefs, path: Path, **kw: object) -> object:
    args: dict[str, object] = {"set_id": "tip-2025", "source": "Synthetic test set",
                               "issued": "2025-09-30", "importer": "Siti", "now": NOW}
    args.update(kw)
    return import_set(db, refs, path, **args)  # type: ignore[arg-type]


def test_bad_rows_are_each_named_and_good_rows_stored(db: Database, refs: PlanRefs,
                                                      tmp_path: Path) -> None:
    path = _csv(tmp_path / "tip.csv", GOOD + BAD)
    result = import_set(db, refs, path, set_id="tip-2025", source="Synthetic test set",
                        issued="2025-09-30", importer="Siti", now=NOW)
    lines = [line for r in result.rows for line in r.lines(result.file)]
    assert lines == [
        "tip.csv:2: R1: stored",
        "tip.csv:3: R2: stored",
        "tip.csv:4: column 'lead': unknown committee 'Police Committee' (known: enforcement, "
        "forced-labour, legislative, media, monitoring, nso-mapo, victim-care)",
        "tip.csv:5: column 'support': unknown committee 'nobody' (known: enforcement, "
        "forced-labour, legislative, media, monitoring, nso-mapo, victim-care)",
        "tip.csv:5: column 'activities': unknown activity 'no-such-thing' of naptip-3.0 (see "
        "`naptip plan show`)",
        "tip.csv:5: column 'activities': unknown plan 'naptip-9.0' in activity "
        "'naptip-9.0:S1-O1-i' (known: naptip-3.0, naptip-4.0)",
        "tip.csv:6: column 'id': duplicate item id 'R1' (row 2 has it too)",
        "tip.csv:7: column 'text': empty: each item needs its text",
        "tip.csv:8: column 'text': personal data: found what looks like a phone number in "
        "column text (line 1). Victims' personal data must not enter naptip (NAPTIP 3.0, "
        "S24): correct the row (remove it) and import again",
        "tip.csv:9: column 'text': longer than 2,000 characters",
        "tip.csv:10: column 'text': starts with '=': a spreadsheet opening it would run it "
        "as a formula; begin it with a word",
    ]
    assert result.summary() == ("tip.csv: set tip-2025 (new): stored 2, refused 7, already "
                                "imported 0")
    assert "012" not in "\n".join(lines).replace("(line 1)", "")  # never echoed
    with db.reading() as session:
        items = session.execute(select(Recommendation).order_by(Recommendation.id)).scalars().all()
        assert [(r.item, r.lead, r.support, r.status, r.theme) for r in items] == [
            ("R1", "enforcement", ["victim-care"], "not-started", "Protection"),
            ("R2", "forced-labour", [], "not-started", None)]
        assert [(k.plan_id, k.activity_id) for r in items for k in r.links] == [
            ("naptip-3.0", "S4-O1-i"), ("naptip-3.0", "S21-O1-i"),
            ("naptip-3.0", "S23-O1-vii"), ("naptip-4.0", "S1-O1-i")]
        stored = session.get(RecommendationSet, "tip-2025")
        assert stored is not None
        assert (stored.source, stored.issued_on.isoformat(), stored.imported_from,
                stored.created_by) == ("Synthetic test set", "2025-09-30", "tip.csv", "Siti")
        entries = session.execute(select(AuditEntry.action, AuditEntry.subject,
                                         AuditEntry.payload).order_by(AuditEntry.seq)).all()
        assert [(a, s) for a, s, _ in entries] == [
            ("recommendation.set", "tip-2025"), ("recommendation.imported", "tip-2025/R1"),
            ("recommendation.imported", "tip-2025/R2")]
        payload = json.loads(entries[1][2])
        assert (payload["file"], payload["row"], payload["activities"]) == (
            "tip.csv", 2, ["naptip-3.0:S4-O1-i", "naptip-3.0:S21-O1-i"])
        assert verify_rows(session, None) == []


def test_reimport_stores_nothing_twice_and_a_changed_text_is_refused(
        db: Database, refs: PlanRefs, tmp_path: Path) -> None:
    path = _csv(tmp_path / "tip.csv", GOOD)
    _import(db, refs, path)
    again = import_set(db, refs, path, set_id="tip-2025", importer="Siti", now=NOW)
    assert [r.outcome for r in again.rows] == ["already imported"] * 2
    assert again.summary() == ("tip.csv: set tip-2025: stored 0, refused 0, already imported "
                               "2")
    changed = [["R1", "Identify victims proactively, and quickly.", "", "", "", ""],
               GOOD[1], ["R9", "A new item.", "", "", "", ""]]
    third = import_set(db, refs, _csv(tmp_path / "tip-v2.csv", changed), set_id="tip-2025",
                       importer="Siti", now=NOW)
    assert [line for r in third.rows for line in r.lines(third.file)] == [
        "tip-v2.csv:2: column 'text': differs from the text R1 of set tip-2025 was imported "
        "with; an item's text is not overwritten (keep the text as imported, or give the "
        "changed item a new id)",
        "tip-v2.csv:3: R2: already imported",
        "tip-v2.csv:4: R9: stored"]
    with db.reading() as session:
        texts = dict(session.execute(select(Recommendation.item, Recommendation.text)).all())
        assert texts == {"R1": "Identify victims proactively.",
                         "R2": "Train labour inspectors.", "R9": "A new item."}
        assert session.execute(select(func.count()).select_from(
            RecommendationLink)).scalar_one() == 4
        assert session.execute(select(func.count()).select_from(
            AuditEntry)).scalar_one() == 4


def test_a_corrected_file_says_what_differs_and_how_to_change_it(
        db: Database, refs: PlanRefs, tmp_path: Path) -> None:
    _import(db, refs, _csv(tmp_path / "tip.csv", GOOD))
    corrected = [["R1", GOOD[0][1], "", "victim-care", "enforcement, media",
                  "S4-O1-i; S7-O1-vi"], GOOD[1]]
    again = _import(db, refs, _csv(tmp_path / "tip-fixed.csv", corrected))
    assert [line for r in again.rows for line in r.lines(again.file)] == [  # type: ignore[attr-defined]
        "tip-fixed.csv:2: R1: already imported",
        "tip-fixed.csv:2: warning: R1: the file's lead victim-care is not the stored "
        "enforcement (naptip recommendations assign tip-2025 R1 --lead victim-care); the "
        "file's support enforcement,media is not the stored victim-care (naptip "
        "recommendations assign tip-2025 R1 --support enforcement,media); the file's "
        "activities differ from the stored ones (naptip recommendations link tip-2025 R1 "
        "naptip-3.0:S7-O1-vi; naptip recommendations link tip-2025 R1 naptip-3.0:S21-O1-i "
        "--unlink): an import does not change an item",
        "tip-fixed.csv:3: R2: already imported"]
    with db.reading() as session:
        (r1,) = session.execute(select(Recommendation).where(
            Recommendation.item == "R1")).scalars()
        assert (r1.lead, r1.support) == ("enforcement", ["victim-care"])  # unchanged


def test_dry_run_stores_nothing(db: Database, refs: PlanRefs, tmp_path: Path) -> None:
    result = _import(db, refs, _csv(tmp_path / "tip.csv", GOOD + BAD[:1]), dry_run=True)
    assert result.summary() == ("tip.csv: set tip-2025 (new): would store 2, refused 1, "  # type: ignore[attr-defined]
                                "already imported 0; dry run: nothing was stored")
    with db.reading() as session:
        for model in (RecommendationSet, Recommendation, RecommendationLink, AuditEntry):
            assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0


def test_the_example_toml_and_xlsx_import_alike(db: Database, refs: PlanRefs,
                                                tmp_path: Path) -> None:
    toml = import_set(db, refs, EXAMPLES / "synthetic-review.toml",
                      set_id="synthetic-review", importer="Siti", now=NOW)
    assert [(r.row, r.item, r.outcome) for r in toml.rows] == [
        (13, "R1", "stored"), (21, "R2", "stored"), (29, "R3", "stored"),
        (36, "R4", "stored"), (44, "R5", "stored"), (50, "R6", "stored")]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with (EXAMPLES / "synthetic-review.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(tmp_path / "review.xlsx")
    xlsx = import_set(db, refs, tmp_path / "review.xlsx", set_id="synthetic-review",
                      importer="Siti", now=NOW)
    assert [r.outcome for r in xlsx.rows] == ["already imported"] * 6
    with db.reading() as session:
        stored = session.get(RecommendationSet, "synthetic-review")
        assert stored is not None and stored.note is not None
        assert "Synthetic" in stored.source and "not the text of any report" in stored.note
        r4 = session.execute(select(Recommendation).where(Recommendation.item == "R4")
                             ).scalar_one()
        assert (r4.lead, r4.support) == ("victim-care", ["enforcement", "legislative"])


@pytest.mark.parametrize(("content", "message"), [
    ("id;text\nR1;x\n", "tip.csv: the columns are separated by semicolons, not commas"),
    ("id,text,owner\n", "tip.csv: unknown column 'owner'; the columns are id, text, theme"),
    ("text\nx\n", "tip.csv: missing column id"),
    ("id,text\n", "tip.csv: no items: the file has its header but no item rows"),
    ("id,text\n,\n\n", "tip.csv: no items: the file has its header but no item rows"),
])
def test_a_file_that_cannot_be_imported_is_one_line(db: Database, refs: PlanRefs,
                                                    tmp_path: Path, content: str,
                                                    message: str) -> None:
    path = tmp_path / "tip.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NaptipError) as caught:
        _import(db, refs, path)
    assert str(caught.value).startswith(message)
    with db.reading() as session:
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_a_set_needs_its_source_and_keeps_it(db: Database, refs: PlanRefs,
                                             tmp_path: Path) -> None:
    path = _csv(tmp_path / "tip.csv", GOOD)
    with pytest.raises(NaptipError, match="the set needs its source"):
        import_set(db, refs, path, set_id="tip-2025", importer="Siti")
    with pytest.raises(NaptipError, match="is not a date"):
        _import(db, refs, path, issued="30/09/2025")
    with pytest.raises(NaptipError, match="a set id is lower-case"):
        _import(db, refs, path, set_id="TIP 2025")
    _import(db, refs, path)
    with pytest.raises(NaptipError, match="was imported with source 'Synthetic test set', "
                                          "not 'Another'"):
        _import(db, refs, path, source="Another")
    bad_toml = tmp_path / "set.toml"
    bad_toml.write_text('[set]\nsource = "x"\nissued = 2025-01-01\nowner = "me"\n')
    with pytest.raises(NaptipError, match=r"set.toml: \[set\]: unknown key 'owner'"):
        import_set(db, refs, bad_toml, set_id="other", importer="Siti")


def test_a_toml_item_is_named_by_its_line(db: Database, refs: PlanRefs,
                                          tmp_path: Path) -> None:
    path = tmp_path / "review.toml"
    path.write_text('[set]\nsource = "Synthetic review"\nissued = 2025-03-14\n\n'
                    '[[item]]\nid = "R1"\ntext = "Fine."\nactivities = ["S4-O1-i"]\n\n'
                    '[[item]]\nid = "R2"\ntext = "Bad lead."\nlead = "nobody"\n',
                    encoding="utf-8")
    result = import_set(db, refs, path, set_id="review-2024", importer="Siti", now=NOW)
    assert [line for r in result.rows for line in r.lines(result.file)] == [
        "review.toml:5: R1: stored",
        "review.toml:10: column 'lead': unknown committee 'nobody' (known: enforcement, "
        "forced-labour, legislative, media, monitoring, nso-mapo, victim-care)"]
    path.write_text(path.read_text(encoding="utf-8") + 'owner = "me"\n', encoding="utf-8")
    with pytest.raises(NaptipError, match=r"review\.toml:10: unknown key 'owner'"):
        import_set(db, refs, path, set_id="review-2024", importer="Siti", now=NOW)


def test_a_control_character_is_refused_with_its_row(db: Database, refs: PlanRefs,
                                                     tmp_path: Path) -> None:
    """An invisible control character (pasted from another program) is refused: a
    spreadsheet report could not hold it. Tab and line ends are kept as before."""
    path = _csv(tmp_path / "tip.csv", [
        ["R1", "pasted \x01text", "", "", "", ""],
        ["R2", "Fine\ttext\r\nover lines.", "Bell\x07", "", "", ""],
        ["R3", "Fine.", "", "", "", "S4-O1-i\r\nS21-O1-i"]])
    result = _import(db, refs, path)
    lines = [line for r in result.rows for line in r.lines(result.file)]  # type: ignore[attr-defined]
    assert lines == [
        "tip.csv:2: column 'text': holds the control character U+0001 (invisible; pasted "
        "from another program?): remove it and import again",
        "tip.csv:3: column 'theme': holds the control character U+0007 (invisible; pasted "
        "from another program?): remove it and import again",
        "tip.csv:4: R3: stored"]
    with pytest.raises(NaptipError, match=r"tip\.csv: the set's source holds the control "
                                          r"character U\+001B"):
        _import(db, refs, path, set_id="other", source="US \x1b[31mTIP")


def test_issued_after_the_real_day_is_refused(db: Database, refs: PlanRefs,
                                              tmp_path: Path) -> None:
    path = _csv(tmp_path / "tip.csv", GOOD)
    with pytest.raises(NaptipError, match=r"^tip\.csv: issued 2025-10-07 is after today "
                                          r"\(2025-10-06\)"):
        _import(db, refs, path, issued="2025-10-07")
    assert _import(db, refs, path, issued="2025-10-06").summary().startswith(  # type: ignore[attr-defined]
        "tip.csv: set tip-2025 (new): stored 2")


def test_a_toml_file_with_a_byte_order_mark_is_read(db: Database, refs: PlanRefs,
                                                    tmp_path: Path) -> None:
    """Notepad saves UTF-8 with a BOM; tomllib refuses it; naptip reads it."""
    path = tmp_path / "set.toml"
    path.write_bytes("\ufeff[set]\nsource = \"S\"\nissued = 2025-01-01\n\n[[item]]\n"
                     "id = \"R1\"\ntext = \"Text.\"\n".encode())
    result = _import(db, refs, path, source=None, issued=None)
    assert [line for r in result.rows for line in r.lines(result.file)] == [  # type: ignore[attr-defined]
        "set.toml:5: R1: stored"]
    empty = tmp_path / "empty.toml"
    empty.write_text("[set]\nsource = \"S\"\nissued = 2025-01-01\n", encoding="utf-8")
    with pytest.raises(NaptipError, match=r"^empty\.toml: no items: the file has no "
                                          r"\[\[item\]\] entries"):
        _import(db, refs, empty, source=None, issued=None)
