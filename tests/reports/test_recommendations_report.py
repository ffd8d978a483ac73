"""`naptip report recommendations` and the annual report's follow-up section, on a store
seeded with known evidence and a synthetic recommendation set: the figures are checked
against a recount from the seeded rows (tests/progress/recsupport.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService
from naptip.store.db import Database
from tests.conftest import db_env
from tests.progress.recsupport import ITEMS, SET_ID, Item, add_set
from tests.report_seed import seed

Run = Callable[..., Result]
STATUSES = ("not-started", "in-progress", "implemented", "not-accepted")


@pytest.fixture
def store(synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins,
          tmp_path: Path) -> Database:
    seed(EvidenceService(synced, builtin_catalog, loaded), tmp_path / "files")
    add_set(synced, SET_ID, ITEMS, issued_on=date(2023, 1, 15))
    return synced


def expected_status(item: Item, as_of: date) -> str:
    """An item's status recomputed from its seeded updates: the last accepted by the day."""
    accepted = [(reviewed, n, status) for n, (status, review, submitted, reviewed)
                in enumerate(item.updates)
                if review == "accepted" and reviewed is not None
                and date.fromisoformat(reviewed) <= as_of
                and date.fromisoformat(submitted) <= as_of]
    return max(accepted)[2] if accepted else "not-started"


def _json(run: Run, db: Database, as_of: date, *args: str) -> dict[str, Any]:
    result = run("--as-of", as_of.isoformat(), "report", *args, "--format", "json",
                 env=db_env(db))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("as_of", [date(2024, 1, 15), date(2024, 6, 30), date(2026, 12, 7)])
def test_figures_match_a_recount_of_the_seeded_rows(store: Database, run: Run,
                                                    as_of: date) -> None:
    data = _json(run, store, as_of, "recommendations", "--set", SET_ID)
    assert data["report"] == "recommendations" and data["as_of"] == as_of.isoformat()
    assert data["set"]["id"] == SET_ID and data["set"]["issued_on"] == "2023-01-15"
    status = {i.item: expected_status(i, as_of) for i in ITEMS}
    assert {i["item"]: i["status"] for i in data["items"]} == status
    assert data["by_status"] == {s: sum(1 for v in status.values() if v == s)
                                 for s in STATUSES}
    committees: dict[str, dict[str, int]] = {}
    for i in ITEMS:
        row = committees.setdefault(i.lead or "none", dict.fromkeys(STATUSES, 0))
        row[status[i.item]] += 1
    assert data["by_committee"] == committees
    assert data["gaps"] == [i.item for i in ITEMS if not i.links] == ["R4", "R5"]
    awaiting = sum(1 for i in ITEMS for st, review, sub, rev in i.updates
                   if date.fromisoformat(sub) <= as_of
                   and (review == "submitted" or (rev and date.fromisoformat(rev) > as_of)))
    assert data["awaiting_review"] == awaiting
    r1 = data["items"][0]
    assert [a["activity"] for a in r1["activities"]] == ["S5-O2-i", "S1-O1-i"]
    assert all(a["known"] and a["occurrences"] == a["accepted"] + a["open"]
               for i in data["items"] for a in i["activities"])


def test_the_seeded_day_in_detail(store: Database, run: Run) -> None:
    data = _json(run, store, date(2024, 6, 30), "recommendations", "--set", SET_ID)
    assert data["by_status"] == {"not-started": 3, "in-progress": 1, "implemented": 1,
                                 "not-accepted": 1}
    r1 = data["items"][0]
    assert r1["latest_update"]["status"] == "implemented"
    assert r1["latest_update"]["review"] == "submitted"
    assert r1["status_update"]["reviewed_on"] == "2023-03-05"
    s5 = r1["activities"][0]
    assert s5["owner"] == "legislative" and s5["accepted"] == 1  # S5-O2-i@2023, accepted
    r2 = data["items"][1]
    assert r2["latest_update"]["review"] == "returned" and r2["status"] == "not-started"


def test_one_committee(store: Database, run: Run) -> None:
    data = _json(run, store, date(2024, 6, 30), "recommendations", "--set", SET_ID,
                 "--committee", "enforcement")
    assert data["committee"] == "enforcement"
    assert [i["item"] for i in data["items"]] == ["R2", "R5"]
    assert data["by_status"]["not-accepted"] == 1 and data["gaps"] == ["R5"]


def test_html_in_english_and_malay(store: Database, run: Run, tmp_path: Path) -> None:
    for lang, words in (("en", ("Follow-up of recommendations: Synthetic recommendations",
                                "Items by lead committee and status",
                                "Gaps: items with no linked activity", "Fund shelters.",
                                "implemented (awaiting review, 2024-02-01)",
                                "Legislative Committee", "(no lead committee)")),
                        ("ms", ("Susulan syor: Synthetic recommendations",
                                "Perkara mengikut jawatankuasa peneraju dan status",
                                "Jurang: perkara tanpa aktiviti dipautkan",
                                "belum bermula", "tidak diterima",
                                "(tiada jawatankuasa peneraju)"))):
        out = tmp_path / f"rec-{lang}.html"
        result = run("--as-of", "2024-06-30", "report", "recommendations", "--set", SET_ID,
                     "--lang", lang, "-o", str(out), env=db_env(store))
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        assert f"<html lang='{lang}'>" in text
        for word in words:
            assert word in text, (lang, word)
    # R1 is in progress: implemented is only proposed, awaiting review
    assert "<td>R1</td><td>Amend the ATIPSOM Act. [law]</td><td>Legislative Committee</td>" \
        "<td>in progress</td>" in (tmp_path / "rec-en.html").read_text(encoding="utf-8")


def test_xlsx_holds_numbers(store: Database, run: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "rec.xlsx"
    result = run("--as-of", "2024-06-30", "report", "recommendations", "--set", SET_ID,
                 "--format", "xlsx", "-o", str(out), env=db_env(store))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert {"Items by status", "Items by lead committee and", "Linked activities",
            "Items"} <= set(book.sheetnames), book.sheetnames
    by_status = {r[0].value: r[1].value for r in book["Items by status"].iter_rows(min_row=2)}
    assert by_status == {"not started": 3, "in progress": 1, "implemented": 1,
                         "not accepted": 1, "total": 6}
    activities = list(book["Linked activities"].iter_rows(min_row=2, values_only=True))
    assert len(activities) == sum(len(i.links) for i in ITEMS)
    assert all(isinstance(v, int) for row in activities for v in row[5:])


@pytest.mark.parametrize(("args", "message"), [
    (("--set", "nope"), "Error: unknown recommendation set 'nope' (known: synthetic-2023)"),
    (("--set", SET_ID, "--committee", "nobody"), "Error: unknown committee 'nobody'"),
])
def test_bad_input_is_one_line(store: Database, run: Run, args: tuple[str, ...],
                               message: str) -> None:
    result = run("report", "recommendations", *args, "--format", "json", env=db_env(store))
    assert result.exit_code != 0
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_store_with_no_set_says_so(run: Run, synced: Database) -> None:
    env = db_env(synced)
    result = run("report", "recommendations", "--set", "x", env=env)
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown recommendation set 'x' (known: none loaded)\n"
    result = run("report", "recommendations", "--set", "x", "--format", "pdf", env=env)
    assert result.exit_code == 2 and "--format pdf needs -o FILE" in result.stderr


def test_the_annual_report_has_the_sets_issued_by_its_year(store: Database, run: Run,
                                                           tmp_path: Path) -> None:
    add_set(store, "later-2024", [Item(item="L1", text="Later.", lead="media")],
            issued_on=date(2024, 3, 1), source="Later recommendations 2024")
    data = _json(run, store, date(2024, 6, 30), "annual", "--year", "2023")
    (followup,) = data["recommendations"]  # the 2024 set is not in the 2023 report
    assert followup["set"]["id"] == SET_ID
    assert followup["by_status"] == {"not-started": 3, "in-progress": 1, "implemented": 1,
                                     "not-accepted": 1}
    assert followup["gaps"] == ["R4", "R5"]
    both = _json(run, store, date(2024, 6, 30), "annual", "--year", "2024")
    assert [f["set"]["id"] for f in both["recommendations"]] == [SET_ID, "later-2024"]
    # as of a day before the 2024 set was issued, it is not in the 2024 report
    early = _json(run, store, date(2024, 2, 1), "annual", "--year", "2024")
    assert [f["set"]["id"] for f in early["recommendations"]] == [SET_ID]
    assert _json(run, store, date(2024, 6, 30), "annual", "--year", "2022")[
        "recommendations"] == []
    out = tmp_path / "annual.html"
    result = run("--as-of", "2024-06-30", "report", "annual", "--year", "2023", "-o",
                 str(out), env=db_env(store))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<section id='recommendations'" in text
    assert text.index("id='recommendations'") < text.index("id='annex'")
    assert "Synthetic recommendations synthetic-2023: Items by lead committee" in text


@pytest.mark.slow
def test_pdf_through_chromium(store: Database, run: Run, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "rec.pdf"
    result = run("--as-of", "2024-06-30", "report", "recommendations", "--set", SET_ID,
                 "--format", "pdf", "-o", str(out), env=db_env(store))
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for words in ("Follow-up of recommendations", "Items by lead committee and status",
                  "Fund shelters."):
        assert words in text, words


def test_xlsx_never_fails_on_a_stored_control_character(store: Database, run: Run,
                                                        tmp_path: Path) -> None:
    """A text stored before imports refused control characters (an evidence note, a
    recommendation's text) is written with U+FFFD in its place: the workbook opens."""
    from openpyxl import load_workbook
    from sqlalchemy import update

    from naptip.store.orm import Evidence

    add_set(store, "ctl-2024", [Item(item="C1", text="pasted \x01text \x1b[31mred",
                                     lead="media")],
            issued_on=date(2024, 3, 1), source="Control \x07characters")
    store.write(lambda s: s.execute(update(Evidence).values(note="note with \x1b and \x0b")))
    out = tmp_path / "ctl.xlsx"
    result = run("--as-of", "2024-06-30", "report", "recommendations", "--set", "ctl-2024",
                 "--format", "xlsx", "-o", str(out), env=db_env(store))
    assert result.exit_code == 0, result.output
    texts = [v for s in load_workbook(out) for r in s.iter_rows(values_only=True)
             for v in r if isinstance(v, str)]
    assert "pasted \ufffdtext \ufffd[31mred" in texts, texts
    annual = tmp_path / "annual.xlsx"
    result = run("--as-of", "2024-06-30", "report", "annual", "--year", "2024", "--format",
                 "xlsx", "-o", str(annual), env=db_env(store))
    assert result.exit_code == 0, result.output
    load_workbook(annual)


def test_sheet_names_are_cut_at_a_word() -> None:
    from naptip.reports.tabular import _sheet_name

    used: set[str] = set()
    assert [_sheet_name(t, used) for t in (
        "Items by lead committee and status", "Items by lead committee and status",
        "Supercalifragilisticexpialidociousness", "Linked activities")] == [
        "Items by lead committee and", "Items by lead committee and 2",
        "Supercalifragilisticexpialidoci", "Linked activities"]
