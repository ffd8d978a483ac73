"""The plan's matrix out and in (issue 19): ``plan export --format matrix``, ``plan
import`` and the plan packages they make, read by naptip.plan.package."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.base.errors import DataFileError, NaptipError
from naptip.plan.catalog import Catalog
from naptip.plan.matrix import HEADERS
from naptip.plan.package import load_plan_package
from tests.plan.conftest import EXAMPLE, NEW_PLAN

Run = Callable[..., Result]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_gives_the_builtin_plan_back(tmp_path: Path, run: Run,
                                                builtin_catalog: Catalog, suffix: str) -> None:
    matrix = tmp_path / f"naptip-3.0{suffix}"
    exported = run("plan", "export", "--format", "matrix", "-o", str(matrix))
    assert exported.exit_code == 0, exported.stderr
    assert "210 activity entries (221 rows, one per indicator)" in exported.stderr
    folder = tmp_path / "package"
    imported = run("plan", "import", str(matrix), "-o", str(folder))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == ""  # no cell it could not read
    assert not (folder / "problems.txt").exists()

    package = load_plan_package(folder, builtin_catalog.committees)
    got = package.by_id()
    assert len(package.activities) == len(got) == 210
    assert got.keys() == builtin_catalog.activities.keys()
    for ident, activity in builtin_catalog.activities.items():
        # every field: id, text, indicators (kind, target, value...), lead, support,
        # parties, responsibility, timeline, cadence, objective, output, parent, notes
        assert got[ident] == activity, ident
    assert got["S9-O2-i-b"].parent == "S9-O2-i"
    assert len(got["S9-O3-i"].indicators) == 2
    assert got["S9-O2-i-a"].lead is None and got["S9-O2-i-a"].owner == "nso-mapo"

    ours, theirs = builtin_catalog.structure, package.structure
    assert (len(theirs.objectives), len(theirs.outputs)) == (34, 78)
    assert dict(theirs.objectives) == dict(ours.objectives)
    assert dict(theirs.outputs) == dict(ours.outputs)
    assert dict(theirs.goals) == dict(ours.goals)
    assert dict(theirs.pillars) == dict(ours.pillars)
    assert dict(theirs.areas) == dict(ours.areas)
    assert dict(theirs.parties) == dict(ours.parties)
    assert theirs.plan == ours.plan
    # reviewable: each entry says where it came from
    media = (folder / "activities" / "media.toml").read_text(encoding="utf-8")
    assert f"# from {matrix.name} rows 63-64\n[[activity]]\nid = \"S9-O3-i\"" in media
    assert "\n[committee]" not in media


def test_the_matrix_is_laid_out_like_appendix_i(run: Run, tmp_path: Path) -> None:
    out = run("plan", "export", "--format", "matrix")
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert tuple(rows[0]) == HEADERS
    assert len(rows) == 1 + 221  # one row per indicator
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in rows[1:]:
        by_id.setdefault(row[HEADERS.index("Activity ID")], []).append(
            dict(zip(HEADERS, row, strict=True)))
    first, second = by_id["S9-O3-i"]  # two indicators: the activity's columns repeated
    assert (first["Indicator no."], second["Indicator no."]) == ("1", "2")
    assert first["KPI / indicator"] == "Number of sessions"
    assert second["KPI / indicator"] == "Number of media institutions engaged"
    assert first["Activity"] == second["Activity"] and first["Lead committee"] == "media"
    hotline = by_id["S9-O2-i-a"][0]
    assert hotline["Part of activity"] == "S9-O2-i" and hotline["Lead committee"] == ""
    assert hotline["Strategic pillar"] == "P1 Prevention"
    assert hotline["Linked to strategic goal"] == "G3"

    from openpyxl import load_workbook

    path = tmp_path / "m.xlsx"
    assert run("plan", "export", "--format", "matrix", "-o", str(path)).exit_code == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Strategic pillar" and sheet["A1"].font.b
    assert sheet["K2"].alignment.wrap_text
    assert sheet.column_dimensions["K"].width == 50  # the activity's text
    assert sheet.max_row == 222


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _bad_draft(tmp_path: Path) -> Path:
    """The example draft with four bad cells (rows numbered as in the file)."""
    rows = _rows(EXAMPLE.read_text(encoding="utf-8"))
    col = {h: n for n, h in enumerate(rows[1])}
    for n in (2, 3):  # rows 3-4, one activity's two indicators
        rows[n][col["Supporting committees"]] = "Anti-Smuggling Committee"
    rows[8][col["Target value"]] = "two hundred"  # row 9
    rows[14][col["Activity ID"]] = "S2-O1-ii"  # row 15: S2-O1-ii is at rows 12-13
    rows[15][col["Timeline"]] = "2024-2027"  # row 16
    path = tmp_path / "naptip-4.0-draft.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_successor_draft_with_bad_cells(tmp_path: Path, run: Run,
                                          builtin_catalog: Catalog) -> None:
    sheet = _bad_draft(tmp_path)
    folder = tmp_path / "naptip-4.0"
    result = run("plan", "import", str(sheet), "-o", str(folder), *NEW_PLAN)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        f"{sheet}:3: column 'Supporting committees': unknown committee 'Anti-Smuggling "
        "Committee' (known: enforcement, forced-labour, legislative, media, monitoring, "
        "nso-mapo, victim-care)",
        f"{sheet}:9: column 'Target value': target 'two hundred' is not a number (write 2, "
        "30% or RM 50,000)",
        f"{sheet}:15: column 'Activity ID': duplicate id S2-O1-ii (first at row 12): this "
        "entry is left out",
        f"{sheet}:16: column 'Timeline': timeline 2024-2027 is outside the plan period "
        "2026-2030",
    ]
    assert lines[4:] == [f"{sheet}: left out: S1-O1-i (rows 3-4)",
                         f"{sheet}: left out: S1-O2-ii (row 9)",
                         f"{sheet}: left out: S2-O2-i (row 16)"]
    assert "Traceback" not in result.output
    assert "4 cells could not be read, 3 entries left out" in result.stderr
    problems = (folder / "problems.txt").read_text(encoding="utf-8").splitlines()
    assert [p for p in problems if not p.startswith("#")] == lines
    # the good entries are written, and the package loads
    package = load_plan_package(folder, builtin_catalog.committees)
    ids = set(package.by_id())
    assert len(ids) == 16
    assert not ids & {"S1-O1-i", "S1-O2-ii", "S2-O2-i"}
    assert "S2-O1-ii" in ids and "S2-O1-iv" not in ids

    # fixed (the example as shipped): exit 0, every entry, no problems file left behind
    again = run("plan", "import", str(EXAMPLE), "-o", str(folder), "--force", *NEW_PLAN)
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert not (folder / "problems.txt").exists()
    package = load_plan_package(folder, builtin_catalog.committees)
    plan = package.structure.plan
    assert (plan.id, plan.short_title, str(plan.start), str(plan.end)) == (
        "naptip-4.0", "NAPTIP 4.0", "2026-01-01", "2030-12-31")
    got = package.by_id()
    assert len(got) == 20
    owners = {a.owner for a in package.activities}
    assert owners >= {"media", "forced-labour", "enforcement", "legislative", "victim-care"}
    # ids given are kept; the others are numbered like 3.0's, per output
    assert {"S1-O1-i", "S1-O1-iv", "S2-O1-iv", "S2-O2-ii", "S4-O1-iii"} <= got.keys()
    assert [i.text for i in got["S1-O1-i"].indicators] == [
        "Number of briefings", "Number of workers reached"]
    assert got["S3-O2-ii"].indicators[0].target_value == 2_000_000
    assert got["S4-O1-iii"].lead is None  # names no committee: the secretariat's
    assert package.structure.objectives["S1"].area == "A3"  # from its output's goal G3
    assert package.structure.objectives["S3"].primary_pillar == "P3"
    assert {"nso-mapo.toml", "media.toml"} <= {
        p.name for p in (folder / "activities").iterdir()}


def test_cli_errors_are_one_line(tmp_path: Path, run: Run) -> None:
    def fails(*args: str, message: str) -> None:
        result = run("plan", "import", *args)
        assert result.exit_code != 0
        assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"
        assert "Traceback" not in result.output

    folder = str(tmp_path / "out")
    fails(str(tmp_path / "nosuch.csv"), "-o", folder,
          message=f"{tmp_path / 'nosuch.csv'}: no such file")
    text = tmp_path / "matrix.txt"
    text.write_text("x", encoding="utf-8")
    fails(str(text), "-o", folder, message=f"{text}: a matrix is read from .csv or .xlsx "
                                           "(save the sheet as one of them)")
    broken = tmp_path / "matrix.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    fails(str(broken), "-o", folder,
          message=f"{broken}: cannot read: not an Excel workbook (.xlsx)")
    assert not Path(folder).exists()  # nothing written for a sheet it cannot read
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine", encoding="utf-8")
    fails(str(EXAMPLE), "-o", str(full), *NEW_PLAN,
          message=f"-o {full}: not empty (give --force to replace the plan package in it; "
                  "nothing was written)")
    assert [p.name for p in full.iterdir()] == ["notes.txt"]
    fails(str(EXAMPLE), "-o", folder, "--id", "naptip-4.0",
          message="--id naptip-4.0 is a new plan: give its --title too (and --period, when "
                  "its years are not 2021-2025)")
    result = run("plan", "export", "--format", "matrix", "-o", str(tmp_path / "m.ods"))
    assert result.exit_code == 2 and "a matrix is written as .csv or .xlsx" in result.stderr


def test_force_keeps_other_files(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "pkg"
    assert run("plan", "import", str(EXAMPLE), "-o", str(folder), *NEW_PLAN).exit_code == 0
    (folder / "README.md").write_text("review notes", encoding="utf-8")
    (folder / "activities" / "legislative.toml").unlink()
    (folder / "activities" / "old-committee.toml").write_text("", encoding="utf-8")
    again = run("plan", "import", str(EXAMPLE), "-o", str(folder), "--force", *NEW_PLAN)
    assert again.exit_code == 0, again.output
    assert (folder / "README.md").read_text(encoding="utf-8") == "review notes"
    assert not (folder / "activities" / "old-committee.toml").exists()
    assert (folder / "activities" / "legislative.toml").exists()


# --- the package reader refuses bad data, naming file, entry and field ------------------


def _copy(package: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(package, tmp_path / "copy"))


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("activities/media.toml", 'timeline = "2026-2027"', 'timeline = "2026-2032"',
     "activities/media.toml: activity S1-O1-ii: timeline 2026-2032 is outside the plan "
     "period 2026-2030"),
    ("activities/media.toml", 'output = "S1-O1"', 'output = "S1-O9"',
     "activities/media.toml: activity S1-O1-i: unknown output S1-O9"),
    ("activities/media.toml", 'lead = "media"', 'lead = "enforcement"',
     "activities/media.toml: activity S1-O1-i: lead 'enforcement' is not this file's "
     "committee 'media' (move it to activities/enforcement.toml)"),
    ("activities/media.toml", 'support = ["forced-labour"]', 'support = ["customs"]',
     "activities/media.toml: activity S1-O1-i: unknown committee 'customs'"),
    ("activities/media.toml", "[[activity]]", '[committee]\nid = "media"\n\n[[activity]]',
     "activities/media.toml: top level: 'committee' does not belong in a plan package's "
     "activity file"),
    ("activities/media.toml", 'kind = "count"', 'kind = "cuont"',
     "activities/media.toml: activity S1-O1-i indicator #1: kind 'cuont' is not one of"),
    ("plan.toml", 'primary_pillar = "P1"', 'primary_pillar = "P9"',
     "plan.toml: objective S1: 'primary_pillar': unknown pillar 'P9'"),
    ("plan.toml", "start = 2026-01-01", 'start = "soon"',
     "plan.toml: [plan]: 'start' must be a day like 2026-01-01 (no quotes)"),
    ("plan.toml", 'goals = ["G3"]', "goal = [\"G3\"]",
     "plan.toml: output S1-O1: unknown key 'goal'"),
])
def test_the_reader_names_file_entry_and_field(package: Path, tmp_path: Path,
                                               builtin_catalog: Catalog, file: str, old: str,
                                               new: str, message: str) -> None:
    folder = _copy(package, tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_plan_package(folder, builtin_catalog.committees)
    assert str(caught.value).startswith(f"{folder}/{message}")
    assert "\n" not in str(caught.value)


def test_the_reader_refuses_unknown_committee_files_and_duplicates(
        package: Path, tmp_path: Path, builtin_catalog: Catalog) -> None:
    folder = _copy(package, tmp_path)
    media = folder / "activities" / "media.toml"
    (folder / "activities" / "customs.toml").write_text(media.read_text(encoding="utf-8"),
                                                         encoding="utf-8")
    with pytest.raises(DataFileError, match=r"customs.toml: unknown committee 'customs'"):
        load_plan_package(folder, builtin_catalog.committees)
    (folder / "activities" / "customs.toml").unlink()
    text = media.read_text(encoding="utf-8").replace('lead = "media"\n', "")
    (folder / "activities" / "nso-mapo.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"nso-mapo.toml: activity S1-O1-i: duplicate id "
                                            r"\(also in .*media.toml\)"):
        load_plan_package(folder, builtin_catalog.committees)
    with pytest.raises(NaptipError, match="not a folder"):
        load_plan_package(tmp_path / "nothing", builtin_catalog.committees)


# --- a sheet as a secretariat may type it: merged cells, no ids, no lead column ---------

SPARSE = "\n".join([
    "Strategic pillar,Objective ID,Specific objective,Output,Linked to strategic goal,"
    "Activities,Indicators,Target,Assigned responsibilities,Timeline",
    "Prevention,S1,To prevent TIP.,Awareness raised.,G3,Run campaigns.,Number of campaigns,"
    'at least 4,"Media & Publicity Committee, Enforcement Committee, CSOs",2026-2030',
    ",,,,,,Number of people reached,,,",
    ',,,,,Publish a toolkit.,1 toolkit,1,"NSO MAPO, CSOs",2027',
    ",,,Victims referred.,G4,Refer victims.,Percentage of victims referred,80%,"
    "Victim Care and Protection Committee,2026-2030",
    "P2,S2,To prosecute.,Cases prosecuted.,G2,Prosecute cases.,Number of cases,,"
    "Legislation Committee,2026-2030",
    ",,,,,Prosecute cases.,Amount of fines,,Enforcement Committee,2026-2030",
    "",
])


def test_a_sparse_sheet_is_filled_down_and_numbered(tmp_path: Path,
                                                    builtin_catalog: Catalog) -> None:
    from dataclasses import replace
    from datetime import date

    from naptip.plan.matrix import read_sheet
    from naptip.plan.matriximport import import_matrix

    path = tmp_path / "sparse.csv"
    path.write_text(SPARSE, encoding="utf-8")
    base = builtin_catalog.structure
    plan = replace(base.plan, id="x", start=date(2026, 1, 1), end=date(2030, 12, 31))
    result = import_matrix(read_sheet(path), base=base, plan=plan,
                           committees=builtin_catalog.committees)
    assert result.problem_lines() == [
        f"{path}:7: column 'Assigned responsibilities': differs from row 6 of the same "
        "activity",
        f"{path}: left out: S2-O1-i (rows 6-7)",
    ]
    got = {a.id: a for a in result.activities}
    assert sorted(got) == ["S1-O1-i", "S1-O1-ii", "S1-O2-i"]
    campaigns = got["S1-O1-i"]
    assert (campaigns.lead, campaigns.support, campaigns.parties) == (
        "media", ("enforcement",), ("CSOs",))  # read from the responsibilities
    assert [(i.text, i.kind.value, i.target_value) for i in campaigns.indicators] == [
        ("Number of campaigns", "count", 4), ("Number of people reached", "count", None)]
    toolkit = got["S1-O1-ii"]
    assert toolkit.lead is None and toolkit.parties == ("NSO MAPO", "CSOs")
    assert str(toolkit.timeline) == "2027"
    assert toolkit.indicators[0].kind.value == "deliverable"
    assert got["S1-O2-i"].indicators[0].kind.value == "percentage"
    s = result.structure
    assert s.outputs["S1-O2"].text == "Victims referred." and s.outputs["S1-O2"].goals == ("G4",)
    assert (s.objectives["S1"].primary_pillar, s.objectives["S1"].area) == ("P1", "A3")
    assert s.objectives["S2"].primary_pillar == "P2"


def test_a_column_named_twice_is_refused_in_one_line(tmp_path: Path, run: Run) -> None:
    header, *rows = SPARSE.splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([header + ",Timeline", *(r + ",2027" for r in rows if r)]),
                     encoding="utf-8")
    result = run("plan", "import", str(twice), "-o", str(tmp_path / "out"), *NEW_PLAN)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {twice}: column 'Timeline' appears twice (columns J and K): keep one"]
    assert not (tmp_path / "out").exists()
    spelled = tmp_path / "spelled.csv"
    spelled.write_text("\n".join([header.replace("Indicators", "KPI") + ",Indicators",
                                   *rows]), encoding="utf-8")
    result = run("plan", "import", str(spelled), "-o", str(tmp_path / "out"), *NEW_PLAN)
    assert result.stderr.strip().splitlines() == [
        f"Error: {spelled}: columns 'KPI' and 'Indicators' are the same column "
        "(columns G and K): keep one"]


def test_a_date_in_timeline_and_an_output_without_its_objective(
        tmp_path: Path, builtin_catalog: Catalog) -> None:
    """Excel keeps "2026-03" typed in a Timeline cell as a date: refused, saying to write
    the years. An output under an objective whose id is bad names that row, not '?'."""
    from dataclasses import replace
    from datetime import date, datetime

    from openpyxl import Workbook

    from naptip.plan.matrix import read_sheet
    from naptip.plan.matriximport import import_matrix

    header, *rows = SPARSE.splitlines()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in [header, *rows]:
        if line:
            sheet.append(next(csv.reader([line])))
    sheet["J2"] = datetime(2026, 3, 1)  # the first activity's timeline, as Excel keeps it
    sheet["B6"] = "X2"  # the second objective's id, mistyped
    sheet["K1"] = "Output ID"
    sheet["K6"] = "S2-O1"  # its output, with its id
    path = tmp_path / "dated.xlsx"
    book.save(path)
    base = builtin_catalog.structure
    plan = replace(base.plan, id="x", start=date(2026, 1, 1), end=date(2030, 12, 31))
    result = import_matrix(read_sheet(path), base=base, plan=plan,
                           committees=builtin_catalog.committees)
    lines = result.problem_lines()
    assert f"{path}:2: column 'Timeline': timeline 2026-03-01 is a date, not years: write " \
           "the years, e.g. 2026-2030 (in Excel, format the column as Text first)" in lines
    assert f"{path}:6: column 'Output ID': output S2-O1 is under an objective without a " \
           "valid id (row 6)" in lines
    assert not any("?" in line for line in lines)
    assert "S1-O1-i" not in {a.id for a in result.activities}
    sheet["K6"] = None  # the output without an id: nothing to number its entry under
    book.save(path)
    lines = import_matrix(read_sheet(path), base=base, plan=plan,
                          committees=builtin_catalog.committees).problem_lines()
    assert f"{path}: left out: an entry of an objective without a valid id (rows 6-7)" \
        in lines
    assert not any("?" in line or ": -O" in line for line in lines)
